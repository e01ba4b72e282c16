import type { FactorKind } from '@ntg/contracts';
import type { NotificationChannelStore, NotificationStore } from '../notifications/notification-store.ts';

export type AttemptOutcome = 'success' | 'failure' | 'locked' | 'unknown-identifier';

/** What an identity event may write, in the transaction of the change it reports: the notifications outbox. */
export interface IdentityEventStores {
  notifications: Pick<NotificationStore, 'enqueue'>;
  notificationChannels: Pick<NotificationChannelStore, 'listForAccount'>;
}

/**
 * What the identity gateway tells the rest of the product, so that the owner of an account hears of its logins
 * (A38.2). Each call happens inside the transaction that makes the change it reports, with that transaction's stores:
 * a notice written there commits with the session or the lock, or not at all. A crash between the two can neither
 * lose the notice of a login nor announce a login that never happened; a subscriber that fails fails the change.
 * Ordinary failed attempts are recorded (A37.7) but not announced one by one; the lock they lead to is.
 */
export interface IdentityEvents {
  loginSucceeded(
    s: IdentityEventStores,
    event: { accountId: string; organizationId: string; at: string; source: string | null; factorKinds: FactorKind[] },
  ): Promise<void>;
  accountLocked(
    s: IdentityEventStores,
    event: { accountId: string; organizationId: string; at: string; source: string | null },
  ): Promise<void>;
  /** A37.6: the PIN has been in use longer than the limit; remind the client how to change it. */
  passwordAgeReminder(
    s: IdentityEventStores,
    event: { accountId: string; organizationId: string; at: string; credentialAgeDays: number; maxAgeDays: number },
  ): Promise<void>;
}

export const noIdentityEvents: IdentityEvents = {
  loginSucceeded: async () => {},
  accountLocked: async () => {},
  passwordAgeReminder: async () => {},
};
