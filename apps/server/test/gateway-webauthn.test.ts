import type { LoginStepResponse } from '@ntg/contracts';
import { testDatabaseKinds } from '@ntg/db/testing';
import { createSoftwareAuthenticator } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, currentCode, enrolClient, type GatewayTestApp, startLogin, submitStep } from './gateway-test-app.ts';
import {
  afterPin,
  auditActions,
  createWebauthnGatewayApp,
  enrolAuthenticator,
  loginOptions,
  origin,
  registrationOptions,
  reviewedAaguid,
  submitRegistration,
  webauthnStep,
} from './gateway-webauthn-helpers.ts';

describe.each(testDatabaseKinds())('gateway WebAuthn factor on $name (A36.1, A37.1)', (kind) => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await createWebauthnGatewayApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('enrols a security key by the audited procedure and completes a PIN + WebAuthn possession login', async () => {
    const client = await enrolClient(t, 'wa-basic');
    const key = createSoftwareAuthenticator();
    const options = await registrationOptions(t, client.accountId);
    expect(options).toMatchObject({ rp: { id: 'localhost' }, attestation: 'none' });
    const res = await submitRegistration(t, client.accountId, key.register(options, { origin }));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ aaguid: key.aaguid, synced: false, inherenceEligible: false });
    const [entry] = await auditActions(t, 'identity.enrol.webauthn', client.accountId);
    expect(entry?.details).toMatchObject({ aaguid: key.aaguid, synced: false });

    const next = await afterPin(t, 'wa-basic');
    const step = await webauthnStep(t, next, key);
    expect(step.statusCode).toBe(200);
    const body = step.json() as LoginStepResponse;
    expect(body.status).toBe('complete');
    if (body.status === 'complete')
      expect(Object.keys(body.session.authenticatedAt).sort()).toEqual(['knowledge', 'possession']);
  });

  it('one factor kind used twice is not two kinds: WebAuthn possession + TOTP possession issue no session (A36.1)', async () => {
    const client = await enrolClient(t, 'wa-two-possessions');
    const key = await enrolAuthenticator(t, client);
    const challenge = await startLogin(t, 'wa-two-possessions');
    const first = (await webauthnStep(t, challenge, key)).json() as LoginStepResponse;
    expect(first).toMatchObject({ status: 'continue', remainingKinds: ['knowledge'] });
    if (first.status !== 'continue') throw new Error('expected continue');
    const second = await submitStep(t, first.challengeId, { method: 'totp', code: currentCode(t, client) });
    expect(second.json()).toMatchObject({ status: 'continue', remainingKinds: ['knowledge'] });
  });

  it('refuses a synced passkey at enrolment when the policy refuses synced passkeys (the default)', async () => {
    const client = await enrolClient(t, 'wa-synced');
    const passkey = createSoftwareAuthenticator({ synced: true });
    const options = await registrationOptions(t, client.accountId);
    const res = await submitRegistration(t, client.accountId, passkey.register(options, { origin }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'WEBAUTHN_REFUSED', message: expect.stringMatching(/synced/) });
    expect(await t.services.stores.webauthn.credentials.listForSubject('client-account', client.accountId)).toEqual([]);
  });

  it('answers 4xx, never 500, for a registration or assertion that is not WebAuthn at all', async () => {
    const client = await enrolClient(t, 'wa-junk');
    await registrationOptions(t, client.accountId);
    for (const response of [{}, { id: 'x', response: { clientDataJSON: 'bm9wZQ' } }]) {
      const res = await submitRegistration(t, client.accountId, response);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json()).toHaveProperty('requestId');
    }
    const next = await afterPin(t, 'wa-junk');
    const res = await submitStep(t, next.challengeId, { method: 'webauthn', response: { id: 'x' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'LOGIN_FAILED' });
  });

  it('offers options of the same shape for a stranger, a client without keys and a client with one (A37.7)', async () => {
    const withKey = await enrolClient(t, 'wa-options-key');
    await enrolAuthenticator(t, withKey);
    await enrolClient(t, 'wa-options-nokey');
    const shapes = [];
    for (const identifier of ['wa-options-key', 'wa-options-nokey', 'wa-options-stranger']) {
      const options = await loginOptions(t, (await startLogin(t, identifier)).challengeId);
      shapes.push({ keys: Object.keys(options).sort(), allow: (options.allowCredentials as unknown[]).length });
    }
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
    const again = await loginOptions(t, (await startLogin(t, 'wa-options-stranger')).challengeId);
    const first = await loginOptions(t, (await startLogin(t, 'wa-options-stranger')).challengeId);
    expect(again.allowCredentials).toEqual(first.allowCredentials);
  });

  it('proves possession again at step-up with the same key', async () => {
    const client = await enrolClient(t, 'wa-step-up');
    const key = await enrolAuthenticator(t, client);
    const login = (await webauthnStep(t, await afterPin(t, 'wa-step-up'), key)).json() as LoginStepResponse;
    if (login.status !== 'complete') throw new Error('login did not complete');
    const headers = bearer(login.session.token);
    const challenge = (
      await t.app.inject({ method: 'POST', url: '/gateway/v1/step-up/challenge', headers })
    ).json() as { challengeId: string };
    const optionsRes = await t.app.inject({
      method: 'POST',
      url: '/gateway/v1/step-up/webauthn/options',
      headers,
      payload: { challengeId: challenge.challengeId },
    });
    expect(optionsRes.statusCode).toBe(200);
    const { options } = optionsRes.json() as { options: Record<string, unknown> };
    const res = await t.app.inject({
      method: 'POST',
      url: '/gateway/v1/step-up',
      headers,
      payload: {
        challengeId: challenge.challengeId,
        factor: { method: 'webauthn', response: key.assert(options, { origin }) },
      },
    });
    expect(res.statusCode).toBe(200);
  });
});

describe.each(testDatabaseKinds())('gateway WebAuthn inherence on $name (A36.1.3)', (kind) => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await createWebauthnGatewayApp(kind, { factorKinds: ['knowledge', 'inherence'] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts user verification on a reviewed authenticator model as inherence', async () => {
    const client = await enrolClient(t, 'wa-inherence-ok');
    const key = await enrolAuthenticator(t, client, createSoftwareAuthenticator({ aaguid: reviewedAaguid }));
    const res = await webauthnStep(t, await afterPin(t, 'wa-inherence-ok'), key, 'inherence');
    expect(res.json()).toMatchObject({
      status: 'complete',
      session: { authenticatedAt: { inherence: expect.any(String) } },
    });
  });

  it('refuses an unlisted authenticator model claiming inherence, and the refusal counts as a failed attempt', async () => {
    const client = await enrolClient(t, 'wa-inherence-unlisted');
    const key = await enrolAuthenticator(t, client);
    const res = await webauthnStep(t, await afterPin(t, 'wa-inherence-unlisted'), key, 'inherence');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'LOGIN_FAILED' });
    const attempts = await t.services.stores.identity.attempts.list({ accountId: client.accountId, limit: 10 });
    expect(attempts.filter((a) => a.factorKind === 'inherence').map((a) => a.outcome)).toEqual(['failure']);
  });

  it('refuses inherence from a reviewed model when the assertion lacks user verification (UV=false)', async () => {
    const client = await enrolClient(t, 'wa-inherence-nouv');
    const key = await enrolAuthenticator(t, client, createSoftwareAuthenticator({ aaguid: reviewedAaguid }));
    const res = await webauthnStep(t, await afterPin(t, 'wa-inherence-nouv'), key, 'inherence', {
      userVerified: false,
    });
    expect(res.statusCode).toBe(401);
  });
});

describe.each(testDatabaseKinds())('gateway WebAuthn attestation policy on $name (ADR 0016)', (kind) => {
  let t: GatewayTestApp;
  const listed = '0a1b2c3d-0000-4000-8000-00000000aaaa';
  beforeAll(async () => {
    t = await createWebauthnGatewayApp(kind, {}, { synced: 'allow', registrationAaguids: [listed] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('registers only models on the firm’s list, synced or not when synced passkeys are allowed', async () => {
    const client = await enrolClient(t, 'wa-listed');
    const unlisted = await submitRegistration(
      t,
      client.accountId,
      createSoftwareAuthenticator().register(await registrationOptions(t, client.accountId), { origin }),
    );
    expect(unlisted.json()).toMatchObject({ code: 'WEBAUTHN_REFUSED' });
    const passkey = createSoftwareAuthenticator({ aaguid: listed, synced: true });
    const ok = await submitRegistration(
      t,
      client.accountId,
      passkey.register(await registrationOptions(t, client.accountId), { origin }),
    );
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ synced: true, aaguid: listed });
  });
});

describe.each(testDatabaseKinds())('gateway WebAuthn: one credential, one kind, on $name (A36.1)', (kind) => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await createWebauthnGatewayApp(kind, { factorKinds: ['possession', 'inherence'] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('does not let one security key prove possession and then inherence in the same login', async () => {
    const client = await enrolClient(t, 'wa-one-key');
    const key = await enrolAuthenticator(t, client, createSoftwareAuthenticator({ aaguid: reviewedAaguid }));
    const first = (await webauthnStep(t, await startLogin(t, 'wa-one-key'), key)).json() as LoginStepResponse;
    expect(first).toMatchObject({ status: 'continue', remainingKinds: ['inherence'] });
    if (first.status !== 'continue') throw new Error('expected continue');
    const second = await webauthnStep(t, first, key, 'inherence');
    expect(second.statusCode).toBe(401);
    // Two different reviewed authenticators do make a two-kind login.
    const other = await enrolAuthenticator(t, client, createSoftwareAuthenticator({ aaguid: reviewedAaguid }));
    const again = (await webauthnStep(t, await startLogin(t, 'wa-one-key'), key)).json() as LoginStepResponse;
    if (again.status !== 'continue') throw new Error('expected continue');
    expect((await webauthnStep(t, again, other, 'inherence')).json()).toMatchObject({ status: 'complete' });
  });
});
