import type { LoginStepResponse } from '@ntg/contracts';
import { totpCodeForSecret } from '@ntg/core';
import { testDatabaseKinds } from '@ntg/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auth,
  bearer,
  createGatewayTestApp,
  currentCode,
  enrolClient,
  type GatewayTestApp,
  goodPin,
  newDeviceKey,
  nextTimeStep,
  sessionToken,
  startLogin,
  submitStep,
} from './gateway-test-app.ts';

describe.each(testDatabaseKinds())('gateway replay on $name (A35.4 non-duplication)', (kind) => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await createGatewayTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  async function pinStep(identifier: string) {
    const c = await startLogin(t, identifier);
    const res = (await submitStep(t, c.challengeId, { method: 'pin', pin: goodPin })).json() as LoginStepResponse;
    if (res.status !== 'continue') throw new Error('expected continue');
    return res;
  }

  it('refuses a replayed login challenge, whether its first use succeeded or failed', async () => {
    await enrolClient(t, 'replay-challenge');
    const c = await startLogin(t, 'replay-challenge');
    expect((await submitStep(t, c.challengeId, { method: 'pin', pin: goodPin })).statusCode).toBe(200);
    const again = await submitStep(t, c.challengeId, { method: 'pin', pin: goodPin });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'CHALLENGE_EXPIRED' });
    const failed = await startLogin(t, 'replay-challenge');
    expect((await submitStep(t, failed.challengeId, { method: 'pin', pin: 'Wr0ng-Pin-123' })).statusCode).toBe(401);
    expect((await submitStep(t, failed.challengeId, { method: 'pin', pin: goodPin })).statusCode).toBe(400);
  });

  it('lets only one of two parallel uses of a challenge through', async () => {
    await enrolClient(t, 'replay-parallel');
    const c = await startLogin(t, 'replay-parallel');
    const results = await Promise.all(
      [1, 2, 3].map(() => submitStep(t, c.challengeId, { method: 'pin', pin: goodPin })),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400, 400]);
  });

  it('refuses a challenge older than 120 seconds and does not count it as an attempt', async () => {
    const client = await enrolClient(t, 'replay-expired');
    const c = await startLogin(t, 'replay-expired');
    t.clock.advance(121_000);
    const res = await submitStep(t, c.challengeId, { method: 'pin', pin: goodPin });
    expect(res.json()).toMatchObject({ code: 'CHALLENGE_EXPIRED' });
    expect((await t.gateway.accounts.view(client.accountId)).failedAttempts).toBe(0);
  });

  it('accepts each TOTP code once: the same code in a second login fails and counts', async () => {
    const client = await enrolClient(t, 'replay-totp');
    nextTimeStep(t);
    const code = currentCode(t, client);
    const first = await pinStep('replay-totp');
    expect(
      ((await submitStep(t, first.challengeId, { method: 'totp', code })).json() as LoginStepResponse).status,
    ).toBe('complete');
    const second = await pinStep('replay-totp');
    const replay = await submitStep(t, second.challengeId, { method: 'totp', code });
    expect(replay.statusCode).toBe(401);
    expect((await t.gateway.accounts.view(client.accountId)).failedAttempts).toBe(1);
    // The code of the step before, still inside the drift window, is older than the one used: refused too.
    const earlier = await pinStep('replay-totp');
    const previous = totpCodeForSecret(client.totpSecret, new Date(t.clock.now().getTime() - 30_000));
    expect((await submitStep(t, earlier.challengeId, { method: 'totp', code: previous })).statusCode).toBe(401);
  });

  it('lets exactly one of two parallel logins with the same TOTP code complete', async () => {
    const client = await enrolClient(t, 'replay-totp-race');
    nextTimeStep(t);
    const code = currentCode(t, client);
    const [a, b] = await Promise.all([pinStep('replay-totp-race'), pinStep('replay-totp-race')]);
    const results = await Promise.all([
      submitStep(t, a.challengeId, { method: 'totp', code }),
      submitStep(t, b.challengeId, { method: 'totp', code }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });

  it('accepts a device key signature for the challenge it signed only, and for its purpose only', async () => {
    const { accountId } = await enrolClient(t, 'replay-device');
    const key = newDeviceKey();
    const enrol = await t.app.inject({
      method: 'POST',
      url: `/gateway/v1/admin/accounts/${accountId}/device-keys`,
      headers: auth,
      payload: { label: 'app', publicKey: key.publicKey },
    });
    const deviceKeyId = (enrol.json() as { deviceKeyId: string }).deviceKeyId;
    const a = await pinStep('replay-device');
    const signatureForA = key.sign('login', a.challengeId, a.nonce);
    const b = await pinStep('replay-device');
    const moved = await submitStep(t, b.challengeId, { method: 'device-key', deviceKeyId, signature: signatureForA });
    expect(moved.statusCode).toBe(401);
    const c = await pinStep('replay-device');
    const wrongPurpose = await submitStep(t, c.challengeId, {
      method: 'device-key',
      deviceKeyId,
      signature: key.sign('step-up', c.challengeId, c.nonce),
    });
    expect(wrongPurpose.statusCode).toBe(401);
  });

  it('binds a step-up challenge to the session that asked for it', async () => {
    const client = await enrolClient(t, 'replay-stepup');
    nextTimeStep(t);
    const mine = await sessionToken(t, client);
    nextTimeStep(t);
    const other = await sessionToken(t, client);
    const challenge = await t.app.inject({
      method: 'POST',
      url: '/gateway/v1/step-up/challenge',
      headers: bearer(mine),
    });
    const { challengeId } = challenge.json() as { challengeId: string };
    nextTimeStep(t);
    const res = await t.app.inject({
      method: 'POST',
      url: '/gateway/v1/step-up',
      headers: bearer(other),
      payload: { challengeId, factor: { method: 'totp', code: currentCode(t, client) } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CHALLENGE_EXPIRED' });
  });
});
