import { generateKeyPairSync, sign } from 'node:crypto';
import {
  deviceKeySigningInput,
  type FactorProofInput,
  type LoginChallenge,
  type LoginStepResponse,
  type Organization,
} from '@ntg/contracts';
import {
  createArgon2SecretHasher,
  type IdentityEvents,
  minimumArgon2,
  type SecretHasher,
  totpCodeForSecret,
} from '@ntg/core';
import { checkReadiness, type DatabaseHandle } from '@ntg/db';
import type { TestDatabase, TestDatabaseKind } from '@ntg/db/testing';
import { createFakeClock, type FakeClock } from '@ntg/test-kit';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Registry } from 'prom-client';
import { buildApp } from '../src/app.ts';
import type { GatewayConfig } from '../src/config/config.ts';
import { createGatewayServices, type GatewayServices, gatewayRoutes } from '../src/wiring/gateway-wiring.ts';
import { createServices, type Services } from '../src/wiring/services.ts';
import { auth, testToken } from './test-app.ts';

export { auth };

export const testSecrets = {
  sessionKey: Buffer.alloc(32, 5),
  pepper: Buffer.alloc(32, 6),
  auditKey: Buffer.alloc(32, 3),
};

export const testGatewayConfig: GatewayConfig = {
  factorKinds: ['knowledge', 'possession'],
  reviewedAuthenticatorTypes: ['ios-secure-enclave'],
  passwordMaxAgeDays: 90,
  argon2: { ...minimumArgon2 },
  sessionIdleMinutes: 15,
  sessionMaxHours: 8,
};

export const goodPin = 'Tr4ding-Pin!';
export const orgSlug = 'alpha-securities';

/** The real Argon2id hasher, recording which hashes it produced and which it verified against. */
export interface CountingHasher extends SecretHasher {
  hashed: string[];
  verified: string[];
}

export function createCountingHasher(inner: SecretHasher): CountingHasher {
  const hashed: string[] = [];
  const verified: string[] = [];
  return {
    hashed,
    verified,
    async hash(secret) {
      const phc = await inner.hash(secret);
      hashed.push(phc);
      return phc;
    },
    verify(phc, secret) {
      verified.push(phc);
      return inner.verify(phc, secret);
    },
    needsRehash: (phc) => inner.needsRehash(phc),
  };
}

export interface RecordedEvent {
  type: keyof IdentityEvents;
  event: Record<string, unknown>;
}

export function createRecordingEvents(): IdentityEvents & { recorded: RecordedEvent[] } {
  const recorded: RecordedEvent[] = [];
  const record = (type: keyof IdentityEvents) => async (_s: unknown, event: object) => {
    recorded.push({ type, event: { ...event } });
  };
  return {
    recorded,
    loginSucceeded: record('loginSucceeded'),
    accountLocked: record('accountLocked'),
    passwordAgeReminder: record('passwordAgeReminder'),
  };
}

export interface GatewayTestApp {
  app: FastifyInstance;
  clock: FakeClock;
  services: Services;
  gateway: GatewayServices;
  handle: DatabaseHandle;
  hasher: CountingHasher;
  events: ReturnType<typeof createRecordingEvents>;
  org: Organization;
  close(): Promise<void>;
}

export interface GatewayTestOptions {
  config?: Partial<GatewayConfig>;
  /** Another instance on a database that already exists (it is not dropped by this app). */
  handle?: DatabaseHandle;
  clock?: FakeClock;
}

/** The real application with the gateway routes registered, over a fresh database (or a shared one). */
export async function createGatewayTestApp(
  kind: TestDatabaseKind,
  options: GatewayTestOptions = {},
): Promise<GatewayTestApp> {
  let owned: TestDatabase | null = null;
  let handle = options.handle;
  if (handle === undefined) {
    owned = await kind.create();
    handle = owned.handle;
  }
  const clock = options.clock ?? createFakeClock();
  const services = createServices(handle, { auditKey: testSecrets.auditKey }, clock);
  const config = { ...testGatewayConfig, ...options.config };
  const hasher = createCountingHasher(
    createArgon2SecretHasher({ pepper: testSecrets.pepper, parameters: config.argon2 }),
  );
  const events = createRecordingEvents();
  const gateway = createGatewayServices(handle, testSecrets, clock, config, { hasher, events });
  const db = handle;
  const app = await buildApp({
    services,
    readiness: () => checkReadiness(db),
    apiToken: testToken,
    metrics: new Registry(),
    clock,
    rateLimitPerMinute: 100_000,
  });
  await app.register(gatewayRoutes({ gateway, apiToken: testToken }));
  await app.ready();
  const existing = (await services.organizations.list()).find((o) => o.slug === orgSlug);
  const org =
    existing ??
    (await services.organizations.create(
      { actor: { type: 'user', id: 'usr_test' }, source: null },
      { slug: orgSlug, name: 'Alpha Securities', kind: 'securities', profile: { offersInternetTrading: true } },
    ));
  return {
    app,
    clock,
    services,
    gateway,
    handle,
    hasher,
    events,
    org,
    async close() {
      await app.close();
      if (owned !== null) await owned.drop();
    },
  };
}

export interface EnrolledClient {
  accountId: string;
  identifier: string;
  totpSecret: string;
}

/** Enrols a client the way an operator does: account with initial PIN, then a TOTP authenticator. */
export async function enrolClient(t: GatewayTestApp, identifier: string, pin = goodPin): Promise<EnrolledClient> {
  const created = await t.app.inject({
    method: 'POST',
    url: '/gateway/v1/admin/accounts',
    headers: auth,
    payload: { organization: orgSlug, identifier, pin },
  });
  if (created.statusCode !== 201) throw new Error(`enrol failed: ${created.body}`);
  const accountId = (created.json() as { id: string }).id;
  const totp = await t.app.inject({
    method: 'POST',
    url: `/gateway/v1/admin/accounts/${accountId}/totp`,
    headers: auth,
    payload: { label: 'phone' },
  });
  if (totp.statusCode !== 201) throw new Error(`TOTP enrol failed: ${totp.body}`);
  return { accountId, identifier, totpSecret: (totp.json() as { secret: string }).secret };
}

export async function startLogin(t: GatewayTestApp, identifier: string): Promise<LoginChallenge> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/gateway/v1/login/start',
    payload: { organization: orgSlug, identifier },
  });
  if (res.statusCode !== 200) throw new Error(`start failed: ${res.body}`);
  return res.json() as LoginChallenge;
}

export function submitStep(
  t: GatewayTestApp,
  challengeId: string,
  factor: FactorProofInput,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url: '/gateway/v1/login/steps', headers, payload: { challengeId, factor } });
}

export function currentCode(t: GatewayTestApp, client: EnrolledClient): string {
  return totpCodeForSecret(client.totpSecret, t.clock.now());
}

/** A whole login with PIN then TOTP; returns the last step's response. */
export async function loginWithPinAndTotp(
  t: GatewayTestApp,
  client: EnrolledClient,
  pin = goodPin,
): Promise<LightMyRequestResponse> {
  const challenge = await startLogin(t, client.identifier);
  const first = await submitStep(t, challenge.challengeId, { method: 'pin', pin });
  if (first.statusCode !== 200) return first;
  const next = first.json() as LoginStepResponse;
  if (next.status !== 'continue') throw new Error('expected a second step');
  return submitStep(t, next.challengeId, { method: 'totp', code: currentCode(t, client) });
}

export async function sessionToken(t: GatewayTestApp, client: EnrolledClient): Promise<string> {
  const res = await loginWithPinAndTotp(t, client);
  const body = res.json() as LoginStepResponse;
  if (body.status !== 'complete') throw new Error(`login did not complete: ${res.body}`);
  return body.session.token;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Moves the fake clock to the next TOTP time step, so a fresh code exists (each code is accepted once). */
export function nextTimeStep(t: GatewayTestApp): void {
  t.clock.advance(30_000);
}

/** A P-256 key pair as the firm's app would make it; `sign` produces the raw r||s signature the gateway checks. */
export function newDeviceKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    publicKey: { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) },
    sign: (purpose: 'login' | 'step-up', challengeId: string, nonce: string) =>
      sign('sha256', Buffer.from(deviceKeySigningInput(purpose, challengeId, nonce)), {
        key: privateKey,
        dsaEncoding: 'ieee-p1363',
      }).toString('base64url'),
  };
}

/** A six-digit code that matches none of the codes the gateway would accept now (one step either way). */
export function wrongCode(t: GatewayTestApp, client: EnrolledClient): string {
  const now = t.clock.now().getTime();
  const valid = new Set([-30_000, 0, 30_000].map((d) => totpCodeForSecret(client.totpSecret, new Date(now + d))));
  let code = 0;
  while (valid.has(String(code).padStart(6, '0'))) code += 1;
  return String(code).padStart(6, '0');
}
