import type { FactorKind } from '@ntg/contracts';

export type AttemptOutcome = 'success' | 'failure' | 'locked' | 'unknown-identifier';

/**
 * What the identity gateway tells the rest of the product, after the change it reports has committed. Notifications
 * (A38.2: tell the owner about logins) and monitoring subscribe here; the gateway itself sends nothing. Calls are
 * synchronous and must not throw or block: queue the work. The default is `noIdentityEvents`.
 */
export interface IdentityEvents {
  loginSucceeded(event: {
    accountId: string;
    organizationId: string;
    at: string;
    source: string | null;
    factorKinds: FactorKind[];
  }): void;
  /** Also for identifiers that are not clients (accountId null), which A37.7 asks to analyse daily. */
  loginFailed(event: {
    accountId: string | null;
    organizationId: string | null;
    identifier: string;
    at: string;
    source: string | null;
    factorKind: FactorKind;
    outcome: Exclude<AttemptOutcome, 'success'>;
  }): void;
  accountLocked(event: { accountId: string; organizationId: string; at: string; source: string | null }): void;
  /** A37.6: the PIN has been in use longer than the limit; remind the client how to change it. */
  passwordAgeReminder(event: {
    accountId: string;
    organizationId: string;
    at: string;
    credentialAgeDays: number;
    maxAgeDays: number;
  }): void;
}

export const noIdentityEvents: IdentityEvents = {
  loginSucceeded() {},
  loginFailed() {},
  accountLocked() {},
  passwordAgeReminder() {},
};

/** Calls a subscriber so that its failure can never undo or fail the login that already committed. */
export function emitSafely(onError: (error: unknown) => void, emit: () => void): void {
  try {
    emit();
  } catch (error) {
    onError(error);
  }
}
