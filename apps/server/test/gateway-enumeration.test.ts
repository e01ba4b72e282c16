import type { LoginChallenge } from '@ntg/contracts';
import { testDatabaseKinds } from '@ntg/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGatewayTestApp,
  currentCode,
  type EnrolledClient,
  enrolClient,
  type GatewayTestApp,
  goodPin,
  nextTimeStep,
  startLogin,
  submitStep,
} from './gateway-test-app.ts';

const wrongPin = 'Wr0ng-Pin-123';
// A fixed request id makes the whole error body comparable byte for byte.
const probe = { 'x-request-id': 'enumeration-probe-0001' };

describe.each(testDatabaseKinds())('gateway enumeration on $name (A37.7)', (kind) => {
  let t: GatewayTestApp;
  let known: EnrolledClient;
  let locked: EnrolledClient;

  beforeAll(async () => {
    t = await createGatewayTestApp(kind);
    known = await enrolClient(t, 'enum-known');
    locked = await enrolClient(t, 'enum-locked');
    for (let i = 0; i < 3; i++) {
      const c = await startLogin(t, 'enum-locked');
      await submitStep(t, c.challengeId, { method: 'pin', pin: wrongPin });
    }
    expect((await t.gateway.accounts.view(locked.accountId)).lockedAt).not.toBeNull();
  });
  afterAll(async () => {
    await t.close();
  });

  async function startAt(organization: string, identifier: string): Promise<LoginChallenge> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/gateway/v1/login/start',
      payload: { organization, identifier },
    });
    expect(res.statusCode).toBe(200);
    return res.json() as LoginChallenge;
  }

  it('starts a login the same way for clients, locked clients, non-clients and unknown firms', async () => {
    const shapes = await Promise.all([
      startAt('alpha-securities', 'enum-known'),
      startAt('alpha-securities', 'enum-locked'),
      startAt('alpha-securities', 'enum-nobody'),
      startAt('no-such-firm', 'enum-known'),
    ]);
    const normalized = shapes.map((s) => ({ ...s, challengeId: 'x', nonce: 'x' }));
    for (const s of normalized) expect(s).toEqual(normalized[0]);
  });

  it('answers unknown, wrong and locked accounts with the same status and byte-identical bodies', async () => {
    nextTimeStep(t);
    const attempts = [
      // Wrong PIN on a client.
      { identifier: 'enum-known', organization: 'alpha-securities', factor: { method: 'pin' as const, pin: wrongPin } },
      // The CORRECT PIN on a locked client.
      { identifier: 'enum-locked', organization: 'alpha-securities', factor: { method: 'pin' as const, pin: goodPin } },
      // Any PIN on an identifier that is not a client, and on a firm that does not exist.
      { identifier: 'enum-nobody', organization: 'alpha-securities', factor: { method: 'pin' as const, pin: goodPin } },
      { identifier: 'enum-known', organization: 'no-such-firm', factor: { method: 'pin' as const, pin: goodPin } },
      // A correct TOTP code first, on the locked client.
      {
        identifier: 'enum-locked',
        organization: 'alpha-securities',
        factor: { method: 'totp' as const, code: currentCode(t, locked) },
      },
    ];
    const responses = [];
    for (const a of attempts) {
      const c = await startAt(a.organization, a.identifier);
      responses.push(await submitStep(t, c.challengeId, a.factor, probe));
    }
    for (const res of responses) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toBe(responses[0]?.headers['content-type']);
      expect(res.body).toBe(responses[0]?.body);
    }
    expect(JSON.parse(responses[0]?.body ?? '{}')).toEqual({
      code: 'LOGIN_FAILED',
      message: 'Authentication failed. Check your details and try again.',
      requestId: 'enumeration-probe-0001',
    });
  });

  it('spends one Argon2 verification on an unknown or locked account, against the dummy hash made at start', async () => {
    const realPhc = (await t.services.stores.identity.credentials.current(known.accountId))?.phc ?? '';
    const verifiedBy = async (identifier: string, pin: string) => {
      const before = t.hasher.verified.length;
      const c = await startLogin(t, identifier);
      await submitStep(t, c.challengeId, { method: 'pin', pin });
      return t.hasher.verified.slice(before);
    };
    const wrong = await verifiedBy('enum-known', wrongPin);
    const unknown = await verifiedBy('enum-nobody-2', wrongPin);
    const lockedChecks = await verifiedBy('enum-locked', goodPin);
    // Timing by work, not by wall clock: each path runs exactly one Argon2id verification.
    expect(wrong).toEqual([realPhc]);
    expect(unknown).toHaveLength(1);
    expect(lockedChecks).toHaveLength(1);
    const dummy = unknown[0] ?? '';
    expect(lockedChecks[0]).toBe(dummy);
    expect(dummy).not.toBe(realPhc);
    expect(t.hasher.hashed).toContain(dummy);
    // Same algorithm and parameters as a real credential, so the verification costs the same.
    expect(dummy.split('$').slice(0, 4)).toEqual(realPhc.split('$').slice(0, 4));
  });

  it('records attempts on identifiers that are not clients, normalized, for the daily analysis', async () => {
    const c = await startLogin(t, '  ＮＯＢＯＤＹ-42 ');
    await submitStep(t, c.challengeId, { method: 'pin', pin: wrongPin });
    const [attempt] = await t.services.stores.identity.attempts.list({ identifier: 'nobody-42', limit: 5 });
    expect(attempt).toMatchObject({
      identifier: 'nobody-42',
      accountId: null,
      organizationId: t.org.id,
      source: '127.0.0.1',
      purpose: 'login',
      factorKind: 'knowledge',
      outcome: 'unknown-identifier',
    });
  });
});
