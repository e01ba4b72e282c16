import { testDatabaseKinds } from '@ntg/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolClient, type GatewayTestApp, startLogin, submitStep } from './gateway-test-app.ts';
import {
  accountView,
  afterPin,
  createWebauthnGatewayApp,
  enrolAuthenticator,
  webauthnStep,
} from './gateway-webauthn-helpers.ts';

describe.each(testDatabaseKinds())('gateway WebAuthn lockout on $name (A37.5)', (kind) => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await createWebauthnGatewayApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts WebAuthn failures towards the lockout: the third failed assertion locks the account', async () => {
    const client = await enrolClient(t, 'wa-lock');
    const key = await enrolAuthenticator(t, client);
    for (let i = 1; i <= 3; i++) {
      const res = await webauthnStep(t, await afterPin(t, 'wa-lock'), key, 'possession', {
        origin: 'https://phish.example.net',
      });
      expect(res.statusCode).toBe(401);
      const view = await accountView(t, client.accountId);
      expect(view.lockedAt === null).toBe(i < 3);
    }
  });

  it('checks at most three of ten parallel forged assertions and leaves the account locked', async () => {
    const client = await enrolClient(t, 'wa-burst');
    const key = await enrolAuthenticator(t, client);
    const challenges = [];
    for (let i = 0; i < 10; i++) challenges.push(await afterPin(t, 'wa-burst'));
    const responses = await Promise.all(
      challenges.map((c) => webauthnStep(t, c, key, 'possession', { origin: 'https://phish.example.net' })),
    );
    expect(responses.every((r) => r.statusCode === 401)).toBe(true);
    expect((await accountView(t, client.accountId)).lockedAt).not.toBeNull();
    const attempts = await t.services.stores.identity.attempts.list({ accountId: client.accountId, limit: 100 });
    const possession = attempts.filter((a) => a.factorKind === 'possession');
    expect(possession.filter((a) => a.outcome === 'failure')).toHaveLength(3);
    expect(possession.filter((a) => a.outcome === 'locked')).toHaveLength(7);
  });

  it('refuses a correct assertion from an enrolled key once the account is locked', async () => {
    const client = await enrolClient(t, 'wa-locked');
    const key = await enrolAuthenticator(t, client);
    for (let i = 0; i < 3; i++) {
      const c = await startLogin(t, 'wa-locked');
      expect((await submitStep(t, c.challengeId, { method: 'pin', pin: 'Wr0ng-Pin-123' })).statusCode).toBe(401);
    }
    expect((await accountView(t, client.accountId)).lockedAt).not.toBeNull();
    const stored = async () =>
      (await t.services.stores.webauthn.credentials.listForSubject('client-account', client.accountId))[0];
    const before = await stored();
    const c = await startLogin(t, 'wa-locked');
    const res = await webauthnStep(t, c, key);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'LOGIN_FAILED' });
    // The assertion was never checked: the stored counter did not move.
    expect(await stored()).toEqual(before);
    const attempts = await t.services.stores.identity.attempts.list({ accountId: client.accountId, limit: 10 });
    expect(attempts.filter((a) => a.factorKind === 'possession').map((a) => a.outcome)).toEqual(['locked']);
  });

  it('refuses enrolment of a new key while the account is locked', async () => {
    const client = await enrolClient(t, 'wa-locked-enrol');
    for (let i = 0; i < 3; i++) {
      const c = await startLogin(t, 'wa-locked-enrol');
      await submitStep(t, c.challengeId, { method: 'pin', pin: 'Wr0ng-Pin-123' });
    }
    await expect(enrolAuthenticator(t, client)).rejects.toThrow(/ACCOUNT_LOCKED/);
  });
});
