import type { ChallengePurpose, FactorKind, P256PublicJwk } from '@ntg/contracts';
import type { AttemptOutcome } from './identity-events.ts';

/** A trading client of one broker. The identifier is stored normalized (client-identifier.ts). */
export interface ClientAccount {
  id: string;
  organizationId: string;
  identifier: string;
  /** Attempts started and not proven good since the last whole login (lockout-policy.ts). */
  failedAttempts: number;
  lockedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ClientAccountStore {
  insert(account: ClientAccount): Promise<void>;
  findById(id: string): Promise<ClientAccount | null>;
  /** Inside a unit of work: reads the account and holds its row until commit, so a lock cannot slip in between. */
  findForUpdate(id: string): Promise<ClientAccount | null>;
  findByIdentifier(organizationId: string, identifier: string): Promise<ClientAccount | null>;
  /**
   * Reserves an attempt before any credential is checked: ONE atomic statement that increments the counter of an
   * unlocked account whose counter is below `limit` and returns the new value, or null (locked, or `limit` attempts
   * already in flight or failed). Correct across instances and under parallel requests (A37.5).
   */
  reserveAttempt(id: string, limit: number, at: string): Promise<number | null>;
  /** Gives a reservation back after a good factor; false when the account was locked meanwhile. */
  releaseAttempt(id: string, at: string): Promise<boolean>;
  /** A whole login succeeded: the counter restarts; false when the account was locked meanwhile. */
  resetAttempts(id: string, at: string): Promise<boolean>;
  /** Locks an unlocked account whose counter reached `threshold`; false when there was nothing to lock. */
  lockIfExhausted(id: string, threshold: number, at: string): Promise<boolean>;
  /** Unlocks a locked account and restarts its counter; false when it was not locked. */
  unlock(id: string, at: string): Promise<boolean>;
}

export interface StoredCredential {
  id: string;
  accountId: string;
  kind: 'pin';
  /** Argon2id PHC string: algorithm, parameters, salt and hash. */
  phc: string;
  createdAt: string;
  retiredAt: string | null;
}

export interface CredentialStore {
  insert(credential: StoredCredential): Promise<void>;
  current(accountId: string): Promise<StoredCredential | null>;
  /** The newest `limit` PINs, the current one first: the history a new PIN may not repeat. */
  recent(accountId: string, limit: number): Promise<StoredCredential[]>;
  retire(id: string, at: string): Promise<void>;
  /** Stronger parameters for the same PIN; the PIN's age does not change. */
  replaceHash(id: string, phc: string): Promise<void>;
  /** Keeps the newest `keep` PINs of an account and deletes older ones. */
  pruneHistory(accountId: string, keep: number): Promise<void>;
}

export interface TotpDevice {
  id: string;
  accountId: string;
  label: string;
  /** AES-256-GCM sealed seed (totp-factor.ts). */
  sealedSeed: string;
  lastStep: number | null;
  createdAt: string;
}

export interface TotpDeviceStore {
  insert(device: TotpDevice): Promise<void>;
  listForAccount(accountId: string): Promise<TotpDevice[]>;
  /** Atomically records `step` as used if it is later than the last used step; false for a replayed code. */
  claimStep(id: string, step: number): Promise<boolean>;
}

export interface DeviceKey {
  id: string;
  accountId: string;
  label: string;
  publicKey: P256PublicJwk;
  biometricGated: boolean;
  authenticatorType: string;
  createdAt: string;
}

export interface DeviceKeyStore {
  insert(key: DeviceKey): Promise<void>;
  find(id: string): Promise<DeviceKey | null>;
  listForAccount(accountId: string): Promise<DeviceKey[]>;
}

export type AuthenticatedAt = Partial<Record<FactorKind, string>>;

/** A login or step-up in progress; each step consumes it and, if more is needed, issues a new one. */
export interface ChallengeRecord {
  id: string;
  purpose: ChallengePurpose;
  organizationId: string | null;
  /** Normalized, as typed; kept for identifiers that are not clients (A37.7). */
  identifier: string;
  /** Null when the identifier is not a client: the flow looks the same and fails at the first factor. */
  accountId: string | null;
  sessionId: string | null;
  nonce: string;
  satisfied: AuthenticatedAt;
  /** Credentials already used in this login: one device key cannot prove two kinds. */
  usedCredentialIds: string[];
  createdAt: string;
  expiresAt: string;
}

export interface ChallengeStore {
  insert(challenge: ChallengeRecord): Promise<void>;
  /** Reads without using it up (the WebAuthn options for a challenge); only `take` spends it. */
  find(id: string): Promise<ChallengeRecord | null>;
  /** Deletes and returns the challenge in one statement, so two requests can never both use it. */
  take(id: string): Promise<ChallengeRecord | null>;
  purgeExpired(now: string): Promise<number>;
}

export interface ClientSession {
  id: string;
  accountId: string;
  organizationId: string;
  tokenHash: string;
  authenticatedAt: AuthenticatedAt;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  revokedAt: string | null;
  /** A35.2: the order MAC key, sealed (session-mac-key.ts); null for sessions issued before orders existed. */
  orderMacKeySealed?: string | null;
}

export interface ActiveSession extends ClientSession {
  identifier: string;
  accountLockedAt: string | null;
}

export interface SessionStore {
  insert(session: ClientSession): Promise<void>;
  /** The session with this token hash and its account's identifier and lock state, revoked or not. */
  findByTokenHash(tokenHash: string): Promise<ActiveSession | null>;
  touch(id: string, at: string): Promise<void>;
  setAuthenticatedAt(id: string, authenticatedAt: AuthenticatedAt): Promise<void>;
  revoke(id: string, at: string): Promise<void>;
  /** Ends every live session of an account (locking does this, A37.5). */
  revokeAllForAccount(accountId: string, at: string): Promise<number>;
}

export type AttemptPurpose = ChallengePurpose | 'pin-change';

/** One factor check at the gateway, kept for the daily analysis of failures and non-client attempts (A37.7). */
export interface LoginAttempt {
  id: string;
  at: string;
  organizationId: string | null;
  identifier: string;
  accountId: string | null;
  source: string | null;
  purpose: AttemptPurpose;
  factorKind: FactorKind;
  outcome: AttemptOutcome;
}

export interface LoginAttemptQuery {
  from?: string;
  to?: string;
  accountId?: string;
  identifier?: string;
  outcome?: AttemptOutcome;
  limit: number;
}

export interface LoginAttemptStore {
  record(attempt: LoginAttempt): Promise<void>;
  /** Newest first. */
  list(query: LoginAttemptQuery): Promise<LoginAttempt[]>;
}

/** Every identity store, bound to one connection or transaction. */
export interface IdentityStores {
  accounts: ClientAccountStore;
  credentials: CredentialStore;
  totpDevices: TotpDeviceStore;
  deviceKeys: DeviceKeyStore;
  challenges: ChallengeStore;
  sessions: SessionStore;
  attempts: LoginAttemptStore;
}
