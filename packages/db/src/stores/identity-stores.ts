import type { IdentityStores } from '@ntg/core';
import type { Kysely } from 'kysely';
import type { DialectCapabilities } from '../dialect.ts';
import type { Database } from '../schema.ts';
import { createClientAccountStore } from './identity-account-store.ts';
import { createLoginAttemptStore } from './identity-attempt-store.ts';
import { createChallengeStore } from './identity-challenge-store.ts';
import { createCredentialStore } from './identity-credential-store.ts';
import { createDeviceKeyStore, createTotpDeviceStore } from './identity-factor-stores.ts';
import { createSessionStore } from './identity-session-store.ts';

/** The identity gateway's stores, bound to one connection or transaction. */
export function createIdentityStores(db: Kysely<Database>, dialect: DialectCapabilities): IdentityStores {
  return {
    accounts: createClientAccountStore(db, dialect),
    credentials: createCredentialStore(db),
    totpDevices: createTotpDeviceStore(db),
    deviceKeys: createDeviceKeyStore(db),
    challenges: createChallengeStore(db),
    sessions: createSessionStore(db),
    attempts: createLoginAttemptStore(db),
  };
}
