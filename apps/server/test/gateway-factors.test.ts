import type { LoginStepResponse } from '@ntg/contracts';
import { IdentityPolicyError, minimumArgon2 } from '@ntg/core';
import { testDatabaseKinds } from '@ntg/db/testing';
import { createFakeClock } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayServices } from '../src/wiring/gateway-wiring.ts';
import {
  auth,
  createGatewayTestApp,
  enrolClient,
  type GatewayTestApp,
  goodPin,
  newDeviceKey,
  startLogin,
  submitStep,
  testGatewayConfig,
  testSecrets,
} from './gateway-test-app.ts';

const kinds = testDatabaseKinds();

describe('gateway policy (A36.1: two or more different factor kinds)', () => {
  it('refuses to start with fewer than two different kinds', async () => {
    const [sqlite] = kinds;
    if (sqlite === undefined) throw new Error('no database');
    const db = await sqlite.create();
    try {
      const wire = (config: Partial<typeof testGatewayConfig>) => () =>
        createGatewayServices(db.handle, testSecrets, createFakeClock(), { ...testGatewayConfig, ...config });
      expect(wire({ factorKinds: ['knowledge'] })).toThrow(IdentityPolicyError);
      expect(wire({ factorKinds: ['knowledge', 'knowledge'] })).toThrow(/at least two different factor kinds/);
      expect(wire({ factorKinds: [] })).toThrow(IdentityPolicyError);
      // Inherence is indirect verification: the firm must have reviewed an authenticator type first (A36.1.3).
      expect(wire({ factorKinds: ['knowledge', 'inherence'], reviewedAuthenticatorTypes: [] })).toThrow(/reviewed/);
      expect(wire({ passwordMaxAgeDays: 93 })).toThrow(/92 days/);
      expect(wire({ argon2: { memoryKib: 4096, iterations: minimumArgon2.iterations } })).toThrow(/19456/);
      expect(wire({ factorKinds: ['possession', 'knowledge'] })).not.toThrow();
    } finally {
      await db.drop();
    }
  });
});

describe.each(kinds)('gateway factors on $name (A36.1)', (kind) => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await createGatewayTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts one kind used twice once: two PINs do not make a session', async () => {
    await enrolClient(t, 'twice-pin');
    const c = await startLogin(t, 'twice-pin');
    const first = (await submitStep(t, c.challengeId, { method: 'pin', pin: goodPin })).json() as LoginStepResponse;
    if (first.status !== 'continue') throw new Error('expected continue');
    const second = (
      await submitStep(t, first.challengeId, { method: 'pin', pin: goodPin })
    ).json() as LoginStepResponse;
    expect(second).toMatchObject({ status: 'continue', satisfiedKinds: ['knowledge'], remainingKinds: ['possession'] });
    expect('session' in second).toBe(false);
  });

  it('refuses a kind this gateway does not use', async () => {
    await enrolClient(t, 'no-inherence');
    const c = await startLogin(t, 'no-inherence');
    const res = await submitStep(t, c.challengeId, {
      method: 'device-key',
      kind: 'inherence',
      deviceKeyId: 'dvk_0000000000000000000000000',
      signature: 'AAAA',
    });
    expect(res.statusCode).toBe(400);
  });
});

describe.each(kinds)('inherence through a biometric-gated device key on $name (A36.1.3)', (kind) => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await createGatewayTestApp(kind, { config: { factorKinds: ['possession', 'inherence'] } });
  });
  afterAll(async () => {
    await t.close();
  });

  async function enrolKey(accountId: string, body: Record<string, unknown>) {
    const key = newDeviceKey();
    const res = await t.app.inject({
      method: 'POST',
      url: `/gateway/v1/admin/accounts/${accountId}/device-keys`,
      headers: auth,
      payload: { label: 'app', publicKey: key.publicKey, ...body },
    });
    expect(res.statusCode).toBe(201);
    return { ...key, id: (res.json() as { deviceKeyId: string }).deviceKeyId };
  }

  it('does not let one device key prove both possession and inherence', async () => {
    const { accountId } = await enrolClient(t, 'one-key');
    const key = await enrolKey(accountId, { biometricGated: true, authenticatorType: 'ios-secure-enclave' });
    const other = await enrolKey(accountId, { biometricGated: true, authenticatorType: 'ios-secure-enclave' });
    const c = await startLogin(t, 'one-key');
    const first = (
      await submitStep(t, c.challengeId, {
        method: 'device-key',
        kind: 'possession',
        deviceKeyId: key.id,
        signature: key.sign('login', c.challengeId, c.nonce),
      })
    ).json() as LoginStepResponse;
    if (first.status !== 'continue') throw new Error('expected continue');
    const same = (
      await submitStep(t, first.challengeId, {
        method: 'device-key',
        kind: 'inherence',
        deviceKeyId: key.id,
        signature: key.sign('login', first.challengeId, first.nonce),
      })
    ).json() as LoginStepResponse;
    expect(same).toMatchObject({ status: 'continue', remainingKinds: ['inherence'] });
    if (same.status !== 'continue') return;
    const done = (
      await submitStep(t, same.challengeId, {
        method: 'device-key',
        kind: 'inherence',
        deviceKeyId: other.id,
        signature: other.sign('login', same.challengeId, same.nonce),
      })
    ).json() as LoginStepResponse;
    expect(done.status).toBe('complete');
  });

  it('accepts inherence only from a biometric-gated key of a reviewed authenticator type', async () => {
    const { accountId } = await enrolClient(t, 'unreviewed');
    const notGated = await enrolKey(accountId, { biometricGated: false, authenticatorType: 'ios-secure-enclave' });
    const unreviewed = await enrolKey(accountId, { biometricGated: true, authenticatorType: 'generic-android' });
    for (const key of [notGated, unreviewed]) {
      const c = await startLogin(t, 'unreviewed');
      const res = await submitStep(t, c.challengeId, {
        method: 'device-key',
        kind: 'inherence',
        deviceKeyId: key.id,
        signature: key.sign('login', c.challengeId, c.nonce),
      });
      expect(res.statusCode).toBe(401);
    }
  });
});
