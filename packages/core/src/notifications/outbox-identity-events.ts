import type { IdentityEvents } from '../identity/identity-events.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import type { NotificationOutbox, NotificationRequest } from './notification-outbox.ts';
import type { NotificationChannelStore, NotificationStore } from './notification-store.ts';

export interface OutboxStores {
  notifications: Pick<NotificationStore, 'enqueue'>;
  channels: Pick<NotificationChannelStore, 'listForAccount'>;
}

export interface OutboxIdentityEvents extends IdentityEvents {
  /** Resolves when every enqueue started so far has finished (tests, and a clean shutdown). */
  flush(): Promise<void>;
}

/**
 * The gateway's events as outbox rows (A38.2: tell the owner of logins). IdentityEvents are called after the login
 * committed and must not block it, so each event starts its own short transaction and returns at once; a failure
 * goes to `onError` and never reaches the client. Ordinary failed attempts are not notified one by one (an attacker
 * could flood a client's mailbox); the lock they lead to is.
 */
export function createOutboxIdentityEvents(deps: {
  uow: UnitOfWork<OutboxStores>;
  outbox: NotificationOutbox;
  onError: (error: unknown) => void;
}): OutboxIdentityEvents {
  const { uow, outbox, onError } = deps;
  const inFlight = new Set<Promise<void>>();

  function enqueue(request: NotificationRequest): void {
    const p = uow
      .run((s) => outbox.enqueue(s, request))
      .then(
        () => {},
        (error: unknown) => onError(error),
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }

  return {
    loginSucceeded(e) {
      enqueue({
        organizationId: e.organizationId,
        accountId: e.accountId,
        kind: 'login-succeeded',
        payload: { at: e.at, source: e.source, factorKinds: e.factorKinds },
      });
    },
    loginFailed() {},
    accountLocked(e) {
      enqueue({
        organizationId: e.organizationId,
        accountId: e.accountId,
        kind: 'login-failed-locked',
        payload: { at: e.at, source: e.source },
      });
    },
    passwordAgeReminder(e) {
      enqueue({
        organizationId: e.organizationId,
        accountId: e.accountId,
        kind: 'password-age-reminder',
        payload: { at: e.at, credentialAgeDays: e.credentialAgeDays, maxAgeDays: e.maxAgeDays },
      });
    },
    async flush() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
