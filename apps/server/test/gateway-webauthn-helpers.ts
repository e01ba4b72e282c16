import type { LoginChallenge, LoginStepResponse } from '@ntg/contracts';
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '@ntg/test-kit';
import type { LightMyRequestResponse } from 'fastify';
import type { GatewayConfig } from '../src/config/config.ts';
import {
  auth,
  createGatewayTestApp,
  type EnrolledClient,
  type GatewayTestApp,
  goodPin,
  startLogin,
  submitStep,
} from './gateway-test-app.ts';

export const origin = 'http://localhost:8080';
/** An authenticator model the firm reviewed for biometric verification (A36.1.3). */
export const reviewedAaguid = '6028b017-b1d4-4c02-b4b3-afcdafc96bb2';

export const webauthnConfig: NonNullable<GatewayConfig['webauthn']> = {
  rpId: 'localhost',
  rpName: 'Alpha Securities',
  origins: [origin],
  synced: 'refuse',
  registrationAaguids: [],
};

export function createWebauthnGatewayApp(
  kind: Parameters<typeof createGatewayTestApp>[0],
  config: Partial<GatewayConfig> = {},
  webauthn: Partial<NonNullable<GatewayConfig['webauthn']>> = {},
): Promise<GatewayTestApp> {
  return createGatewayTestApp(kind, {
    config: {
      reviewedAuthenticatorTypes: ['ios-secure-enclave', reviewedAaguid],
      ...config,
      webauthn: { ...webauthnConfig, ...webauthn },
    },
  });
}

export async function registrationOptions(t: GatewayTestApp, accountId: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/gateway/v1/admin/accounts/${accountId}/webauthn/options`,
    headers: auth,
    payload: {},
  });
  if (res.statusCode !== 200) throw new Error(`options failed: ${res.body}`);
  return (res.json() as { options: Record<string, unknown> }).options;
}

export function submitRegistration(
  t: GatewayTestApp,
  accountId: string,
  response: Record<string, unknown>,
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: `/gateway/v1/admin/accounts/${accountId}/webauthn`,
    headers: auth,
    payload: { label: 'security key', response },
  });
}

/** The operator's enrolment of a client's authenticator, as the firm's procedure runs it (A37.1). */
export async function enrolAuthenticator(
  t: GatewayTestApp,
  client: EnrolledClient,
  authenticator: SoftwareAuthenticator = createSoftwareAuthenticator(),
): Promise<SoftwareAuthenticator> {
  const options = await registrationOptions(t, client.accountId);
  const res = await submitRegistration(t, client.accountId, authenticator.register(options, { origin }));
  if (res.statusCode !== 201) throw new Error(`WebAuthn enrolment failed: ${res.body}`);
  return authenticator;
}

export async function loginOptions(t: GatewayTestApp, challengeId: string): Promise<Record<string, unknown>> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/gateway/v1/login/webauthn/options',
    payload: { challengeId },
  });
  if (res.statusCode !== 200) throw new Error(`login options failed: ${res.body}`);
  return (res.json() as { options: Record<string, unknown> }).options;
}

/** Starts a login and proves the PIN; answers the next challenge. */
export async function afterPin(t: GatewayTestApp, identifier: string): Promise<LoginChallenge> {
  const challenge = await startLogin(t, identifier);
  const res = await submitStep(t, challenge.challengeId, { method: 'pin', pin: goodPin });
  const body = res.json() as LoginStepResponse;
  if (body.status !== 'continue') throw new Error(`expected a second step: ${res.body}`);
  return body;
}

/** One WebAuthn step on a challenge; `overrides` play the attacker. */
export async function webauthnStep(
  t: GatewayTestApp,
  challenge: LoginChallenge,
  authenticator: SoftwareAuthenticator,
  kind: 'possession' | 'inherence' = 'possession',
  overrides: Parameters<SoftwareAuthenticator['assert']>[1] = {},
): Promise<LightMyRequestResponse> {
  const options = await loginOptions(t, challenge.challengeId);
  const response = authenticator.assert(options, { origin, ...overrides });
  return submitStep(t, challenge.challengeId, { method: 'webauthn', response, kind });
}

export async function accountView(t: GatewayTestApp, id: string) {
  const res = await t.app.inject({ method: 'GET', url: `/gateway/v1/admin/accounts/${id}`, headers: auth });
  return res.json() as { lockedAt: string | null; failedAttempts: number };
}

export async function auditActions(t: GatewayTestApp, action: string, objectId: string) {
  return t.services.stores.audit.search({ organizationId: t.org.id, action, objectId, limit: 50 });
}
