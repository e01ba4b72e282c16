import type { LoginStepResponse, SessionView } from '@ntg/contracts';
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
  loginWithPinAndTotp,
  newDeviceKey,
  nextTimeStep,
  sessionToken,
  startLogin,
  submitStep,
} from './gateway-test-app.ts';

describe.each(testDatabaseKinds())('gateway login on $name (A36.1, A37.4)', (kind) => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await createGatewayTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('issues a session only after both required kinds, PIN then TOTP', async () => {
    const client = await enrolClient(t, 'login-basic');
    const challenge = await startLogin(t, 'login-basic');
    expect(challenge).toMatchObject({ requiredKinds: ['knowledge', 'possession'], satisfiedKinds: [] });
    const first = await submitStep(t, challenge.challengeId, { method: 'pin', pin: goodPin });
    expect(first.statusCode).toBe(200);
    const next = first.json() as LoginStepResponse;
    expect(next).toMatchObject({ status: 'continue', satisfiedKinds: ['knowledge'], remainingKinds: ['possession'] });
    expect(next.status === 'continue' && next.challengeId).not.toBe(challenge.challengeId);
    if (next.status !== 'continue') return;
    const done = await submitStep(t, next.challengeId, { method: 'totp', code: currentCode(t, client) });
    expect(done.statusCode).toBe(200);
    const body = done.json() as LoginStepResponse;
    expect(body.status).toBe('complete');
    if (body.status !== 'complete') return;
    expect(body.session.token).toMatch(/^ntgs_/);
    expect(Object.keys(body.session.authenticatedAt).sort()).toEqual(['knowledge', 'possession']);
    expect(body.reminders).toEqual([]);
    expect(done.headers['cache-control']).toBe('no-store');
    expect(t.events.recorded.some((e) => e.type === 'loginSucceeded' && e.event.accountId === client.accountId)).toBe(
      true,
    );
  });

  it('accepts the factors in either order', async () => {
    const client = await enrolClient(t, 'login-order');
    nextTimeStep(t);
    const challenge = await startLogin(t, 'login-order');
    const first = (
      await submitStep(t, challenge.challengeId, { method: 'totp', code: currentCode(t, client) })
    ).json() as LoginStepResponse;
    expect(first).toMatchObject({ status: 'continue', remainingKinds: ['knowledge'] });
    if (first.status !== 'continue') return;
    const done = (await submitStep(t, first.challengeId, { method: 'pin', pin: goodPin })).json() as LoginStepResponse;
    expect(done.status).toBe('complete');
  });

  it('accepts a device key signature over the challenge as possession', async () => {
    const { accountId } = await enrolClient(t, 'login-device');
    const key = newDeviceKey();
    const enrol = await t.app.inject({
      method: 'POST',
      url: `/gateway/v1/admin/accounts/${accountId}/device-keys`,
      headers: auth,
      payload: { label: 'trading app', publicKey: key.publicKey },
    });
    expect(enrol.statusCode).toBe(201);
    const deviceKeyId = (enrol.json() as { deviceKeyId: string }).deviceKeyId;
    const challenge = await startLogin(t, 'login-device');
    const first = (
      await submitStep(t, challenge.challengeId, { method: 'pin', pin: goodPin })
    ).json() as LoginStepResponse;
    if (first.status !== 'continue') throw new Error('expected continue');
    const done = await submitStep(t, first.challengeId, {
      method: 'device-key',
      deviceKeyId,
      signature: key.sign('login', first.challengeId, first.nonce),
    });
    expect((done.json() as LoginStepResponse).status).toBe('complete');
  });

  it('serves the session view, and ends the session at logout', async () => {
    const client = await enrolClient(t, 'login-logout');
    nextTimeStep(t);
    const token = await sessionToken(t, client);
    const view = await t.app.inject({ method: 'GET', url: '/gateway/v1/session', headers: bearer(token) });
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({
      accountId: client.accountId,
      organizationId: t.org.id,
    } satisfies Partial<SessionView>);
    const out = await t.app.inject({ method: 'POST', url: '/gateway/v1/logout', headers: bearer(token) });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/gateway/v1/session', headers: bearer(token) });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('ends a session after the idle timeout and after the absolute timeout', async () => {
    const client = await enrolClient(t, 'login-timeouts');
    nextTimeStep(t);
    const idle = await sessionToken(t, client);
    t.clock.advance(14 * 60_000);
    expect((await t.app.inject({ method: 'GET', url: '/gateway/v1/session', headers: bearer(idle) })).statusCode).toBe(
      200,
    );
    t.clock.advance(15 * 60_000 + 1000);
    expect((await t.app.inject({ method: 'GET', url: '/gateway/v1/session', headers: bearer(idle) })).statusCode).toBe(
      401,
    );

    nextTimeStep(t);
    const busy = await sessionToken(t, client);
    for (let i = 0; i < 8 * 6; i++) {
      t.clock.advance(10 * 60_000);
      const res = await t.app.inject({ method: 'GET', url: '/gateway/v1/session', headers: bearer(busy) });
      if (i < 8 * 6 - 1) expect(res.statusCode).toBe(200);
      else expect(res.statusCode).toBe(401);
    }
  });

  it('stores no secret in the clear: PIN as Argon2id PHC, TOTP seed sealed, session token hashed (A37.3)', async () => {
    const client = await enrolClient(t, 'login-at-rest');
    nextTimeStep(t);
    const token = await sessionToken(t, client);
    const pin = await t.services.stores.identity.credentials.current(client.accountId);
    expect(pin?.phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const [device] = await t.services.stores.identity.totpDevices.listForAccount(client.accountId);
    expect(device?.sealedSeed).toMatch(/^v1\./);
    expect(device?.sealedSeed).not.toContain(client.totpSecret);
    const rows = JSON.stringify(await t.handle.db.selectFrom('client_sessions').selectAll().execute());
    expect(rows).not.toContain(token);
  });

  it('rehashes a PIN at a good login when the Argon2 parameters rose', async () => {
    const client = await enrolClient(t, 'login-rehash');
    const stronger = await createGatewayTestApp(kind, {
      handle: t.handle,
      clock: t.clock,
      config: { argon2: { memoryKib: 19456, iterations: 3 } },
    });
    try {
      nextTimeStep(t);
      const res = await loginWithPinAndTotp(stronger, client);
      expect((res.json() as LoginStepResponse).status).toBe('complete');
      const pin = await t.services.stores.identity.credentials.current(client.accountId);
      expect(pin?.phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
      nextTimeStep(t);
      expect(((await loginWithPinAndTotp(stronger, client)).json() as LoginStepResponse).status).toBe('complete');
    } finally {
      await stronger.close();
    }
  });
});
