import type { LoginStepResponse } from '@ntg/contracts';
import { openDatabase } from '@ntg/db';
import { testDatabaseKinds } from '@ntg/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auth,
  bearer,
  createGatewayTestApp,
  currentCode,
  type EnrolledClient,
  enrolClient,
  type GatewayTestApp,
  goodPin,
  loginWithPinAndTotp,
  newDeviceKey,
  nextTimeStep,
  sessionToken,
  startLogin,
  submitStep,
  wrongCode,
} from './gateway-test-app.ts';

const wrongPin = 'Wr0ng-Pin-123';

describe.each(testDatabaseKinds())('gateway lockout on $name (A37.5)', (kind) => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await createGatewayTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  async function failPin(identifier: string) {
    const challenge = await startLogin(t, identifier);
    const res = await submitStep(t, challenge.challengeId, { method: 'pin', pin: wrongPin });
    expect(res.statusCode).toBe(401);
    return res;
  }

  async function account(id: string) {
    const res = await t.app.inject({ method: 'GET', url: `/gateway/v1/admin/accounts/${id}`, headers: auth });
    return res.json() as { lockedAt: string | null; failedAttempts: number };
  }

  async function lock(client: EnrolledClient) {
    for (let i = 0; i < 3; i++) await failPin(client.identifier);
    expect((await account(client.accountId)).lockedAt).not.toBeNull();
  }

  /** The PHC of the account's current PIN: verifications against it are real credential checks. */
  async function pinHash(accountId: string) {
    return (await t.services.stores.identity.credentials.current(accountId))?.phc ?? '';
  }

  it('locks the account on the third consecutive failed attempt, not before', async () => {
    const client = await enrolClient(t, 'lock-third');
    await failPin('lock-third');
    await failPin('lock-third');
    expect(await account(client.accountId)).toMatchObject({ lockedAt: null, failedAttempts: 2 });
    await failPin('lock-third');
    expect((await account(client.accountId)).lockedAt).toBe(t.clock.now().toISOString());
    expect(
      t.events.recorded.filter((e) => e.type === 'accountLocked' && e.event.accountId === client.accountId),
    ).toHaveLength(1);
    nextTimeStep(t);
    const res = await loginWithPinAndTotp(t, client);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'LOGIN_FAILED' });
  });

  it('counts failures of any factor: three wrong TOTP codes after good PINs lock the account', async () => {
    const client = await enrolClient(t, 'lock-totp');
    for (let i = 0; i < 3; i++) {
      const challenge = await startLogin(t, 'lock-totp');
      const first = (
        await submitStep(t, challenge.challengeId, { method: 'pin', pin: goodPin })
      ).json() as LoginStepResponse;
      if (first.status !== 'continue') throw new Error('expected continue');
      const res = await submitStep(t, first.challengeId, {
        method: 'totp',
        code: wrongCode(t, client),
      });
      expect(res.statusCode).toBe(401);
    }
    expect((await account(client.accountId)).lockedAt).not.toBeNull();
  });

  it('resets the counter only after a whole successful login', async () => {
    const client = await enrolClient(t, 'lock-reset');
    await failPin('lock-reset');
    await failPin('lock-reset');
    nextTimeStep(t);
    expect(((await loginWithPinAndTotp(t, client)).json() as LoginStepResponse).status).toBe('complete');
    expect((await account(client.accountId)).failedAttempts).toBe(0);
    await failPin('lock-reset');
    await failPin('lock-reset');
    expect((await account(client.accountId)).lockedAt).toBeNull();
  });

  it('verifies at most three credentials for fifty parallel wrong attempts and leaves the account locked', async () => {
    const client = await enrolClient(t, 'lock-burst');
    const challenges = await Promise.all(Array.from({ length: 50 }, () => startLogin(t, 'lock-burst')));
    const phc = await pinHash(client.accountId);
    const before = t.hasher.verified.length;
    const responses = await Promise.all(
      challenges.map((c) => submitStep(t, c.challengeId, { method: 'pin', pin: wrongPin })),
    );
    expect(responses.every((r) => r.statusCode === 401)).toBe(true);
    const checks = t.hasher.verified.slice(before);
    expect(checks.filter((h) => h === phc).length).toBeLessThanOrEqual(3);
    // Every refused attempt still spent one Argon2 verification (of the dummy hash): the timing is the same.
    expect(checks).toHaveLength(50);
    expect((await account(client.accountId)).lockedAt).not.toBeNull();
    const outcomes = await t.services.stores.identity.attempts.list({ accountId: client.accountId, limit: 100 });
    expect(outcomes.filter((a) => a.outcome === 'failure').length).toBeLessThanOrEqual(3);
    expect(outcomes.filter((a) => a.outcome === 'locked').length).toBeGreaterThanOrEqual(47);
  });

  it('issues no session when the account locked between the steps of a login', async () => {
    const client = await enrolClient(t, 'lock-between');
    nextTimeStep(t);
    const challenge = await startLogin(t, 'lock-between');
    const first = (
      await submitStep(t, challenge.challengeId, { method: 'pin', pin: goodPin })
    ).json() as LoginStepResponse;
    if (first.status !== 'continue') throw new Error('expected continue');
    await lock(client);
    const res = await submitStep(t, first.challengeId, { method: 'totp', code: currentCode(t, client) });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'LOGIN_FAILED' });
    const sessions = await t.handle.db
      .selectFrom('client_sessions')
      .select('id')
      .where('account_id', '=', client.accountId)
      .execute();
    expect(sessions).toEqual([]);
  });

  it('ends live sessions when the account locks', async () => {
    const client = await enrolClient(t, 'lock-session');
    nextTimeStep(t);
    const token = await sessionToken(t, client);
    expect((await t.app.inject({ method: 'GET', url: '/gateway/v1/session', headers: bearer(token) })).statusCode).toBe(
      200,
    );
    await lock(client);
    const res = await t.app.inject({ method: 'GET', url: '/gateway/v1/session', headers: bearer(token) });
    expect(res.statusCode).toBe(401);
  });

  it('counts step-up failures, and the third locks the account and ends the session that made them', async () => {
    const client = await enrolClient(t, 'lock-stepup');
    nextTimeStep(t);
    const token = await sessionToken(t, client);
    for (let i = 0; i < 3; i++) {
      const challenge = await t.app.inject({
        method: 'POST',
        url: '/gateway/v1/step-up/challenge',
        headers: bearer(token),
      });
      expect(challenge.statusCode).toBe(200);
      const res = await t.app.inject({
        method: 'POST',
        url: '/gateway/v1/step-up',
        headers: bearer(token),
        payload: {
          challengeId: (challenge.json() as { challengeId: string }).challengeId,
          factor: { method: 'pin', pin: wrongPin },
        },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'LOGIN_FAILED' });
    }
    expect((await account(client.accountId)).lockedAt).not.toBeNull();
    expect((await t.app.inject({ method: 'GET', url: '/gateway/v1/session', headers: bearer(token) })).statusCode).toBe(
      401,
    );
  });

  describe('a locked account refuses even correct credentials on every path', () => {
    let client: EnrolledClient;
    let token = '';
    beforeAll(async () => {
      client = await enrolClient(t, 'lock-bypass');
      nextTimeStep(t);
      token = await sessionToken(t, client);
      await lock(client);
      nextTimeStep(t);
    });

    it('login, with the PIN first or the TOTP code first', async () => {
      expect((await loginWithPinAndTotp(t, client)).statusCode).toBe(401);
      const challenge = await startLogin(t, 'lock-bypass');
      const res = await submitStep(t, challenge.challengeId, { method: 'totp', code: currentCode(t, client) });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'LOGIN_FAILED' });
    });

    it('PIN change and step-up with a session issued before the lock', async () => {
      const phc = await pinHash(client.accountId);
      const change = await t.app.inject({
        method: 'POST',
        url: '/gateway/v1/pin',
        headers: bearer(token),
        payload: { currentPin: goodPin, newPin: 'An0ther-Pin!' },
      });
      expect(change.statusCode).toBe(401);
      expect(await pinHash(client.accountId)).toBe(phc);
      const stepUp = await t.app.inject({
        method: 'POST',
        url: '/gateway/v1/step-up/challenge',
        headers: bearer(token),
      });
      expect(stepUp.statusCode).toBe(401);
    });

    it('operator PIN reset and enrolment of new factors', async () => {
      const pin = await t.app.inject({
        method: 'POST',
        url: `/gateway/v1/admin/accounts/${client.accountId}/pin`,
        headers: auth,
        payload: { pin: 'Res3t-By-0perator', reason: 'client called' },
      });
      expect(pin.statusCode).toBe(423);
      expect(pin.json()).toMatchObject({ code: 'ACCOUNT_LOCKED' });
      const totp = await t.app.inject({
        method: 'POST',
        url: `/gateway/v1/admin/accounts/${client.accountId}/totp`,
        headers: auth,
        payload: {},
      });
      expect(totp.statusCode).toBe(423);
      const key = await t.app.inject({
        method: 'POST',
        url: `/gateway/v1/admin/accounts/${client.accountId}/device-keys`,
        headers: auth,
        payload: { label: 'app', publicKey: newDeviceKey().publicKey },
      });
      expect(key.statusCode).toBe(423);
      const view = (
        await t.app.inject({ method: 'GET', url: `/gateway/v1/admin/accounts/${client.accountId}`, headers: auth })
      ).json() as {
        factors: { totpDevices: unknown[]; deviceKeys: unknown[] };
      };
      expect(view.factors.totpDevices).toHaveLength(1);
      expect(view.factors.deviceKeys).toHaveLength(0);
    });

    it('until an audited unlock with a reason, after which the client logs in again', async () => {
      const noReason = await t.app.inject({
        method: 'POST',
        url: `/gateway/v1/admin/accounts/${client.accountId}/unlock`,
        headers: auth,
        payload: { method: 'operator', reason: 'ok' },
      });
      expect(noReason.statusCode).toBe(400);
      const noToken = await t.app.inject({
        method: 'POST',
        url: `/gateway/v1/admin/accounts/${client.accountId}/unlock`,
        payload: { method: 'operator', reason: 'client identity re-verified at the branch' },
      });
      expect(noToken.statusCode).toBe(401);
      const unlocked = await t.app.inject({
        method: 'POST',
        url: `/gateway/v1/admin/accounts/${client.accountId}/unlock`,
        headers: auth,
        payload: { method: 'identity-reverified', reason: 'client identity re-verified at the branch' },
      });
      expect(unlocked.statusCode).toBe(200);
      expect(unlocked.json()).toMatchObject({ lockedAt: null, failedAttempts: 0 });
      const again = await t.app.inject({
        method: 'POST',
        url: `/gateway/v1/admin/accounts/${client.accountId}/unlock`,
        headers: auth,
        payload: { method: 'operator', reason: 'client identity re-verified at the branch' },
      });
      expect(again.statusCode).toBe(409);
      const entries = await t.services.stores.audit.search({
        organizationId: t.org.id,
        objectId: client.accountId,
        limit: 20,
      });
      const unlock = entries.find((e) => e.action === 'identity.account.unlock');
      expect(unlock?.details).toMatchObject({
        method: 'identity-reverified',
        reason: 'client identity re-verified at the branch',
      });
      expect(entries.some((e) => e.action === 'identity.account.lock')).toBe(true);
      expect((await t.services.audit.verify(t.services.stores.audit, t.org.id)).ok).toBe(true);
      nextTimeStep(t);
      expect(((await loginWithPinAndTotp(t, client)).json() as LoginStepResponse).status).toBe('complete');
    });
  });

  it('counts every spelling of an identifier (full-width, case, spaces) on one counter', async () => {
    const client = await enrolClient(t, 'B123456789');
    await failPin('b123456789');
    await failPin('ｂ１２３４５６７８９');
    await failPin('  B123456789\u3000');
    expect((await account(client.accountId)).lockedAt).not.toBeNull();
    const attempts = await t.services.stores.identity.attempts.list({ accountId: client.accountId, limit: 10 });
    expect(new Set(attempts.map((a) => a.identifier))).toEqual(new Set(['b123456789']));
  });
});

// Two instances of the gateway (two Fastify apps, two connection pools) on one PostgreSQL database.
describe.each(testDatabaseKinds().filter((k) => k.name === 'postgres'))(
  'two gateway instances on $name (A37.5)',
  (kind) => {
    let a: GatewayTestApp;
    let b: GatewayTestApp;
    let second: ReturnType<typeof openDatabase>;
    beforeAll(async () => {
      a = await createGatewayTestApp(kind);
      const url = new URL(process.env.NTG_TEST_DATABASE_URL ?? '');
      url.pathname = new URL(a.handle.description).pathname;
      second = openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 12 });
      b = await createGatewayTestApp(kind, { handle: second, clock: a.clock });
    });
    afterAll(async () => {
      await b.close();
      await second.close();
      await a.close();
    });

    it('racing the same account, they verify at most three credentials between them and lock it', async () => {
      const client = await enrolClient(a, 'two-instances');
      const phc = (await a.services.stores.identity.credentials.current(client.accountId))?.phc ?? '';
      const challenges = await Promise.all(
        Array.from({ length: 40 }, (_, i) => startLogin(i % 2 === 0 ? a : b, 'two-instances')),
      );
      const responses = await Promise.all(
        challenges.map((c, i) => submitStep(i % 3 === 0 ? a : b, c.challengeId, { method: 'pin', pin: wrongPin })),
      );
      expect(responses.every((r) => r.statusCode === 401)).toBe(true);
      const real = [...a.hasher.verified, ...b.hasher.verified].filter((h) => h === phc);
      expect(real.length).toBeLessThanOrEqual(3);
      const view = await b.gateway.accounts.view(client.accountId);
      expect(view.lockedAt).not.toBeNull();
      nextTimeStep(a);
      expect((await loginWithPinAndTotp(b, client)).statusCode).toBe(401);
    });
  },
);
