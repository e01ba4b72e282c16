import type { ConsoleLocale, ConsoleRole } from '@ntg/contracts';

/**
 * Storage for the people who use the compliance console. Nothing secret is kept in the clear: passwords are
 * Argon2id PHC strings over a peppered HMAC, TOTP seeds are AES-256-GCM sealed, session and link tokens are SHA-256
 * digests (the same rules the gateway follows for trading clients, A36.2, A37.3).
 */
export interface ConsoleUserRow {
  id: string;
  email: string;
  displayName: string;
  role: ConsoleRole;
  locale: ConsoleLocale;
  ownerNames: string[];
  organizationIds: string[];
  passwordHash: string | null;
  passwordChangedAt: string | null;
  totpSealedSeed: string | null;
  /** A seed shown at enrolment and not yet confirmed with a code. */
  totpPendingSeed: string | null;
  totpLastStep: number | null;
  failedAttempts: number;
  lockedAt: string | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export type ConsoleUserPatch = Partial<
  Pick<
    ConsoleUserRow,
    | 'displayName'
    | 'role'
    | 'locale'
    | 'ownerNames'
    | 'organizationIds'
    | 'passwordHash'
    | 'passwordChangedAt'
    | 'totpSealedSeed'
    | 'totpPendingSeed'
    | 'totpLastStep'
    | 'disabled'
  >
> & { updatedAt: string };

export interface ConsoleUserStore {
  count(): Promise<number>;
  findById(id: string): Promise<ConsoleUserRow | null>;
  findByEmail(email: string): Promise<ConsoleUserRow | null>;
  list(): Promise<ConsoleUserRow[]>;
  insert(row: ConsoleUserRow): Promise<void>;
  update(id: string, patch: ConsoleUserPatch): Promise<void>;
  /**
   * A37.5, applied to the console: one atomic UPDATE … RETURNING takes an attempt slot on an unlocked, enabled user
   * with fewer than `max` attempts in a row and answers the new count, or null when none is left. Verifying only
   * after the slot is taken means parallel attempts on several instances can test at most `max` guesses.
   */
  reserveAttempt(id: string, max: number): Promise<number | null>;
  /** Gives back a slot taken for an attempt that succeeded at one step of a sign-in still in progress. */
  releaseAttempt(id: string): Promise<void>;
  resetAttempts(id: string): Promise<void>;
  lock(id: string, at: string): Promise<void>;
  unlock(id: string, at: string): Promise<boolean>;
  /** Accepts a TOTP time step once: true only when it is later than the last step used (A35.4 non-duplication). */
  claimTotpStep(id: string, step: number): Promise<boolean>;
}

export type ConsoleSessionStage = 'pending' | 'active';

export interface ConsoleSessionRow {
  id: string;
  tokenHash: string;
  userId: string;
  stage: ConsoleSessionStage;
  createdAt: string;
  lastSeenAt: string;
  idleExpiresAt: string;
  expiresAt: string;
}

export interface ConsoleSessionStore {
  insert(row: ConsoleSessionRow): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<ConsoleSessionRow | null>;
  touch(id: string, lastSeenAt: string, idleExpiresAt: string): Promise<void>;
  delete(id: string): Promise<void>;
  deleteForUser(userId: string): Promise<number>;
  deleteExpired(now: string): Promise<number>;
}

export type ConsoleLinkKind = 'setup' | 'invitation';

export interface ConsoleLinkRow {
  tokenHash: string;
  kind: ConsoleLinkKind;
  userId: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface ConsoleLinkStore {
  insert(row: ConsoleLinkRow): Promise<void>;
  find(tokenHash: string): Promise<ConsoleLinkRow | null>;
  /** Spends a link with one conditional update: true for the one caller that found it unused and unexpired. */
  spend(tokenHash: string, at: string): Promise<boolean>;
}

export interface ConsoleStores {
  users: ConsoleUserStore;
  sessions: ConsoleSessionStore;
  links: ConsoleLinkStore;
}
