import type { LoginStepResponse } from '@ntg/contracts';
import { testDatabaseKinds } from '@ntg/db/testing';
import { createSoftwareAuthenticator } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, enrolClient, type GatewayTestApp, submitStep } from './gateway-test-app.ts';
import {
  afterPin,
  auditActions,
  createWebauthnGatewayApp,
  enrolAuthenticator,
  loginOptions,
  origin,
  registrationOptions,
  submitRegistration,
  webauthnStep,
} from './gateway-webauthn-helpers.ts';

describe.each(testDatabaseKinds())('gateway WebAuthn replay, phishing and cloning on $name (A35.4, A37.4)', (kind) => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await createWebauthnGatewayApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a replayed registration: its challenge was spent by the first use', async () => {
    const client = await enrolClient(t, 'wa-replay-reg');
    const response = createSoftwareAuthenticator().register(await registrationOptions(t, client.accountId), {
      origin,
    });
    expect((await submitRegistration(t, client.accountId, response)).statusCode).toBe(201);
    const again = await submitRegistration(t, client.accountId, response);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'CHALLENGE_EXPIRED' });
  });

  it('refuses a registration challenge issued for another account', async () => {
    const a = await enrolClient(t, 'wa-reg-a');
    const b = await enrolClient(t, 'wa-reg-b');
    const response = createSoftwareAuthenticator().register(await registrationOptions(t, a.accountId), { origin });
    expect((await submitRegistration(t, b.accountId, response)).json()).toMatchObject({ code: 'CHALLENGE_EXPIRED' });
  });

  it('refuses a replayed assertion: a response for a spent challenge does not verify against the next one', async () => {
    const client = await enrolClient(t, 'wa-replay');
    const key = await enrolAuthenticator(t, client);
    const first = await afterPin(t, 'wa-replay');
    const options = await loginOptions(t, first.challengeId);
    const response = key.assert(options, { origin });
    const ok = await submitStep(t, first.challengeId, { method: 'webauthn', response });
    expect((ok.json() as LoginStepResponse).status).toBe('complete');
    // The same challenge id again: it was deleted when used.
    const sameChallenge = await submitStep(t, first.challengeId, { method: 'webauthn', response });
    expect(sameChallenge.json()).toMatchObject({ code: 'CHALLENGE_EXPIRED' });
    // The captured response on a fresh challenge: it signed the old nonce.
    const second = await afterPin(t, 'wa-replay');
    const replayed = await submitStep(t, second.challengeId, { method: 'webauthn', response });
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json()).toMatchObject({ code: 'LOGIN_FAILED' });
  });

  it('refuses an assertion made for another RP ID (a look-alike site relaying the challenge)', async () => {
    const client = await enrolClient(t, 'wa-rpid');
    const key = await enrolAuthenticator(t, client);
    const res = await webauthnStep(t, await afterPin(t, 'wa-rpid'), key, 'possession', { rpId: 'localhost.evil' });
    expect(res.statusCode).toBe(401);
  });

  it('refuses an assertion served from another origin', async () => {
    const client = await enrolClient(t, 'wa-origin');
    const key = await enrolAuthenticator(t, client);
    const res = await webauthnStep(t, await afterPin(t, 'wa-origin'), key, 'possession', {
      origin: 'https://alpha-securities.example.net',
    });
    expect(res.statusCode).toBe(401);
  });

  it('refuses another client’s key: a credential is bound to the account it was enrolled for', async () => {
    const owner = await enrolClient(t, 'wa-owner');
    await enrolClient(t, 'wa-other');
    const key = await enrolAuthenticator(t, owner);
    const res = await webauthnStep(t, await afterPin(t, 'wa-other'), key);
    expect(res.statusCode).toBe(401);
  });

  it('suspends a cloned authenticator whose counter went backwards, audits it, and refuses the original too', async () => {
    const client = await enrolClient(t, 'wa-clone');
    const key = await enrolAuthenticator(t, client);
    const clone = key.clone();
    expect(((await webauthnStep(t, await afterPin(t, 'wa-clone'), key)).json() as LoginStepResponse).status).toBe(
      'complete',
    );
    expect(((await webauthnStep(t, await afterPin(t, 'wa-clone'), key)).json() as LoginStepResponse).status).toBe(
      'complete',
    );
    // The copy still holds the counter it was copied at: its next value is behind the server's.
    const res = await webauthnStep(t, await afterPin(t, 'wa-clone'), clone);
    expect(res.statusCode).toBe(401);
    const [stored] = await t.services.stores.webauthn.credentials.listForSubject('client-account', client.accountId);
    expect(stored).toMatchObject({ suspendedReason: 'counter-regression' });
    const [entry] = await auditActions(t, 'identity.webauthn.suspend', client.accountId);
    expect(entry).toMatchObject({ outcome: 'failure', details: { reason: 'counter-regression', storedCounter: 3 } });
    const original = await webauthnStep(t, await afterPin(t, 'wa-clone'), key);
    expect(original.statusCode).toBe(401);
    // The operator sees the suspended key in the account's factors.
    const view = await t.app.inject({
      method: 'GET',
      url: `/gateway/v1/admin/accounts/${client.accountId}`,
      headers: auth,
    });
    expect(view.json()).toMatchObject({
      factors: { webauthn: [{ id: stored?.id, suspendedReason: 'counter-regression', synced: false }] },
    });
  });
});
