import type { LoginStepResponse } from '@ntg/contracts';
import { testDatabaseKinds } from '@ntg/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGatewayTestApp,
  currentCode,
  enrolClient,
  type GatewayTestApp,
  goodPin,
  nextTimeStep,
  orgSlug,
  submitStep,
} from './gateway-test-app.ts';

const wrongPin = 'Wr0ng-Pin-123';
const probe = { 'x-request-id': 'first-factor-probe-01' };

/**
 * A start may carry the first factor when that factor signs no server nonce (PIN, TOTP): one round trip less for a
 * login form that asks for identifier and PIN together. It must be the same step as any other: the same reservation
 * and lockout (A37.5), the same uniform failure and records for non-clients (A37.7), two kinds before a session
 * (A36.1).
 */
describe.each(testDatabaseKinds())('login start carrying its first factor on $name', (kind) => {
  let t: GatewayTestApp;

  beforeAll(async () => {
    t = await createGatewayTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const startWith = (identifier: string, factor: unknown, organization = orgSlug) =>
    t.app.inject({
      method: 'POST',
      url: '/gateway/v1/login/start',
      headers: probe,
      payload: { organization, identifier, factor },
    });
  const account = (id: string) => t.gateway.accounts.view(id);

  it('answers a start with the PIN by the next challenge, and the TOTP step completes the login (A36.1)', async () => {
    const client = await enrolClient(t, 'first-pin');
    nextTimeStep(t);
    const before = t.hasher.verified.length;
    const res = await startWith('first-pin', { method: 'pin', pin: goodPin });
    expect(res.statusCode).toBe(200);
    const next = res.json() as LoginStepResponse;
    if (next.status !== 'continue') throw new Error(`expected a second step: ${res.body}`);
    expect(next.satisfiedKinds).toEqual(['knowledge']);
    expect(next.remainingKinds).toEqual(['possession']);
    expect(t.hasher.verified.length - before).toBe(1);
    const done = await submitStep(t, next.challengeId, { method: 'totp', code: currentCode(t, client) });
    expect(done.statusCode).toBe(200);
    expect((done.json() as LoginStepResponse).status).toBe('complete');
    const attempts = await t.services.stores.identity.attempts.list({ accountId: client.accountId, limit: 5 });
    expect(attempts.map((a) => `${a.factorKind}:${a.outcome}`).sort()).toEqual([
      'knowledge:success',
      'possession:success',
    ]);
  });

  it('accepts the TOTP code as the first factor, then the PIN as the step', async () => {
    const client = await enrolClient(t, 'first-totp');
    nextTimeStep(t);
    const res = await startWith('first-totp', { method: 'totp', code: currentCode(t, client) });
    const next = res.json() as LoginStepResponse;
    if (next.status !== 'continue') throw new Error(`expected a second step: ${res.body}`);
    expect(next.satisfiedKinds).toEqual(['possession']);
    const done = await submitStep(t, next.challengeId, { method: 'pin', pin: goodPin });
    expect((done.json() as LoginStepResponse).status).toBe('complete');
  });

  it('issues no session for one factor, however it arrives: the start never completes a login (A36.1)', async () => {
    await enrolClient(t, 'first-only');
    const res = await startWith('first-only', { method: 'pin', pin: goodPin });
    expect((res.json() as LoginStepResponse).status).toBe('continue');
    const sessions = await t.handle.db
      .selectFrom('client_sessions')
      .innerJoin('client_accounts', 'client_accounts.id', 'client_sessions.account_id')
      .select('client_sessions.id')
      .where('client_accounts.identifier', '=', 'first-only')
      .execute();
    expect(sessions).toEqual([]);
  });

  it('counts a wrong PIN carried by the start toward the lockout: the third locks, and then the right PIN is refused (A37.5)', async () => {
    const client = await enrolClient(t, 'first-lock');
    for (let i = 0; i < 3; i++) {
      expect((await startWith('first-lock', { method: 'pin', pin: wrongPin })).statusCode).toBe(401);
    }
    expect((await account(client.accountId)).lockedAt).not.toBeNull();
    const refused = await startWith('first-lock', { method: 'pin', pin: goodPin });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'LOGIN_FAILED' });
    const attempts = await t.services.stores.identity.attempts.list({ accountId: client.accountId, limit: 10 });
    expect(attempts.map((a) => a.outcome).sort()).toEqual(['failure', 'failure', 'failure', 'locked']);
  });

  it('verifies at most three credentials for fifty parallel wrong starts and leaves the account locked (A37.5)', async () => {
    const client = await enrolClient(t, 'first-burst');
    const phc = (await t.services.stores.identity.credentials.current(client.accountId))?.phc ?? '';
    const before = t.hasher.verified.length;
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => startWith('first-burst', { method: 'pin', pin: wrongPin })),
    );
    expect(responses.every((r) => r.statusCode === 401)).toBe(true);
    const checks = t.hasher.verified.slice(before);
    expect(checks.filter((h) => h === phc).length).toBeLessThanOrEqual(3);
    expect(checks).toHaveLength(50);
    expect((await account(client.accountId)).lockedAt).not.toBeNull();
  });

  it('answers non-clients, unknown firms and wrong PINs at start with byte-identical bodies, and records the non-client (A37.7)', async () => {
    await enrolClient(t, 'first-known');
    const responses = [
      await startWith('first-known', { method: 'pin', pin: wrongPin }),
      await startWith('  ＦＩＲＳＴ-nobody ', { method: 'pin', pin: goodPin }),
      await startWith('first-known', { method: 'pin', pin: goodPin }, 'no-such-firm'),
    ];
    for (const res of responses) {
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe(responses[0]?.body);
    }
    const [attempt] = await t.services.stores.identity.attempts.list({ identifier: 'first-nobody', limit: 5 });
    expect(attempt).toMatchObject({ accountId: null, organizationId: t.org.id, outcome: 'unknown-identifier' });
  });

  it('refuses a device-key or WebAuthn proof at start, which would sign no challenge, and stores nothing', async () => {
    const client = await enrolClient(t, 'first-device');
    const proofs = [
      { method: 'device-key', kind: 'possession', deviceKeyId: 'dvk_0000000000000000000000000', signature: 'AAAA' },
      { method: 'webauthn', kind: 'possession', response: { id: 'x', rawId: 'x', type: 'public-key', response: {} } },
    ];
    for (const factor of proofs) {
      const res = await startWith('first-device', factor);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: expect.any(String),
        message: expect.any(String),
        requestId: probe['x-request-id'],
      });
    }
    expect(await t.services.stores.identity.attempts.list({ accountId: client.accountId, limit: 5 })).toEqual([]);
    expect((await account(client.accountId)).failedAttempts).toBe(0);
  });
});
