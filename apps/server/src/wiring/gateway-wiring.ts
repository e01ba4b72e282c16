import { hkdfSync, randomBytes } from 'node:crypto';
import {
  type Clock,
  createAccountAdminService,
  createArgon2SecretHasher,
  createAttemptGuard,
  createAuditTrail,
  createCredentialService,
  createEnrolmentService,
  createGatewayPolicy,
  createGatewayWebauthnService,
  createLoginService,
  createSessionMacKeyCipher,
  createSessionService,
  createTotpSeedCipher,
  createWebauthnPolicy,
  createWebauthnVerifier,
  type IdentityEvents,
  isAaguid,
  noIdentityEvents,
  type SecretHasher,
} from '@ntg/core';
import { createGroupCommitUnitOfWork, createStores, type DatabaseHandle } from '@ntg/db';
import type { GatewayConfig, Secrets } from '../config/config.ts';
import type { GatewayServices } from '../routes/gateway-routes.ts';

export { type GatewayServices, gatewayRoutes } from '../routes/gateway-routes.ts';

export interface GatewayOptions {
  /** Subscribers for logins, failures, locks and password-age reminders; none by default. */
  events?: IdentityEvents;
  /** Where a subscriber's exception goes; it never fails the login that already committed. */
  /** Replaces the Argon2id hasher (tests count verifications with it). */
  hasher?: SecretHasher;
}

/**
 * Wires the gateway over one database. Throws (and the process refuses to start) when the policy cannot be enforced:
 * fewer than two factor kinds, inherence without a reviewed authenticator type, Argon2 below the floor.
 */
export function createGatewayServices(
  handle: DatabaseHandle,
  secrets: Pick<Secrets, 'sessionKey' | 'pepper' | 'auditKey'>,
  clock: Clock,
  config: Readonly<GatewayConfig>,
  options: GatewayOptions = {},
): GatewayServices {
  const idleSeconds = config.sessionIdleMinutes * 60;
  const policy = createGatewayPolicy({
    requiredKinds: config.factorKinds,
    reviewedAuthenticatorTypes: config.reviewedAuthenticatorTypes,
    passwordMaxAgeDays: config.passwordMaxAgeDays,
    sessionIdleSeconds: idleSeconds,
    sessionAbsoluteSeconds: config.sessionMaxHours * 3600,
    stepUpMaxAgeSeconds: Math.min(300, idleSeconds),
  });
  const hasher = options.hasher ?? createArgon2SecretHasher({ pepper: secrets.pepper, parameters: config.argon2 });
  // Computed once at start with the current parameters; unknown and locked accounts are checked against it.
  const dummyHash = hasher.hash(randomBytes(32).toString('base64url'));
  dummyHash.catch(() => {});
  const stores = createStores(handle.db, handle.dialect);
  // Login steps are short write transactions from many clients at once: on SQLite they share commits.
  const uow = createGroupCommitUnitOfWork(handle);
  const audit = createAuditTrail({ clock, auditKey: secrets.auditKey });
  const seeds = createTotpSeedCipher(secrets.sessionKey);
  const events = options.events ?? noIdentityEvents;
  // One list of reviewed authenticators (A36.1.3): device-key types, and WebAuthn models named by their AAGUID.
  const webauthn =
    config.webauthn === undefined
      ? undefined
      : createWebauthnVerifier(
          createWebauthnPolicy({
            ...config.webauthn,
            reviewedAaguids: config.reviewedAuthenticatorTypes.filter(isAaguid),
          }),
        );
  const guard = createAttemptGuard({
    uow,
    reads: { ...stores.identity, webauthnCredentials: stores.webauthn.credentials, audit: stores.audit },
    ...(webauthn === undefined ? {} : { webauthn }),
    hasher,
    dummyHash,
    seeds,
    policy,
    audit,
    clock,
    events,
  });
  const sessions = createSessionService({ uow, reads: stores.identity, guard, policy, clock });
  const accounts = createAccountAdminService({
    uow,
    reads: { ...stores.identity, webauthn: stores.webauthn.credentials },
    auditReads: stores.audit,
    audit,
    clock,
  });
  return {
    policy,
    login: createLoginService({
      uow,
      reads: { ...stores.identity, organizations: stores.organizations },
      guard,
      policy,
      clock,
      events,
      macKeys: createSessionMacKeyCipher(secrets.sessionKey),
    }),
    sessions,
    credentials: createCredentialService({
      uow,
      reads: stores.identity,
      guard,
      sessions,
      hasher,
      policy,
      audit,
      clock,
    }),
    enrolment: createEnrolmentService({
      uow,
      reads: { ...stores.identity, organizations: stores.organizations },
      admin: accounts,
      hasher,
      seeds,
      audit,
      clock,
    }),
    accounts,
    attempts: stores.identity.attempts,
    ...(webauthn === undefined
      ? {}
      : {
          webauthn: createGatewayWebauthnService({
            uow,
            reads: { ...stores.identity, credentials: stores.webauthn.credentials },
            verifier: webauthn,
            decoyKey: Buffer.from(
              hkdfSync('sha256', secrets.sessionKey, Buffer.alloc(0), 'ntg/gateway/webauthn-decoy/v1', 32),
            ),
            audit,
            clock,
          }),
        }),
  };
}
