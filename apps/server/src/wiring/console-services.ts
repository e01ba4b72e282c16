import { hkdfSync } from 'node:crypto';
import {
  type AuditTrail,
  type Clock,
  type ConsoleAuthService,
  createArgon2SecretHasher,
  createConsoleAuthService,
  createTotpSeedCipher,
  createWebauthnPolicy,
  createWebauthnVerifier,
  type SecretHasher,
} from '@ntg/core';
import { createUnitOfWork, type DatabaseHandle, type Stores } from '@ntg/db';
import type { Config, Secrets } from '../config/config.ts';

function derivedKey(sessionKey: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', sessionKey, Buffer.alloc(0), label, 32));
}

/**
 * Console sign-in. Passwords use the gateway's Argon2id parameters and pepper (A36.2 as the console applies it to
 * itself); the TOTP seed key and the CSRF key are derived from the session key with their own labels, so no key
 * serves two purposes.
 */
export function createConsoleServices(deps: {
  handle: DatabaseHandle;
  stores: Stores;
  secrets: Pick<Secrets, 'sessionKey' | 'pepper'>;
  config: Pick<Config, 'console'> & { gateway: Pick<Config['gateway'], 'argon2'> };
  audit: AuditTrail;
  clock: Clock;
  /** Replaces the Argon2id hasher (tests use cheaper parameters). */
  hasher?: SecretHasher;
}): ConsoleAuthService {
  const { secrets, config } = deps;
  return createConsoleAuthService({
    uow: createUnitOfWork(deps.handle),
    reads: deps.stores.console,
    organizations: deps.stores.organizations,
    audit: deps.audit,
    clock: deps.clock,
    hasher: deps.hasher ?? createArgon2SecretHasher({ pepper: secrets.pepper, parameters: config.gateway.argon2 }),
    seedCipher: createTotpSeedCipher(derivedKey(secrets.sessionKey, 'ntg/console/totp-seed-key/v1')),
    csrfKey: derivedKey(secrets.sessionKey, 'ntg/console/csrf/v1'),
    options: { idleMinutes: config.console.idleMinutes, absoluteHours: config.console.sessionHours },
    // Security keys and passkeys as the second factor, on the installation's RP ID (ADR 0016).
    ...(config.console.webauthn === undefined
      ? {}
      : {
          webauthn: {
            verifier: createWebauthnVerifier(createWebauthnPolicy(config.console.webauthn)),
            reads: deps.stores.webauthn.credentials,
          },
        }),
  });
}
