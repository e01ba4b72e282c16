import type { IdentityEventStores, IdentityEvents } from '../identity/identity-events.ts';
import type { NotificationOutbox, NotificationRequest } from './notification-outbox.ts';

/**
 * The gateway's events as outbox rows (A38.2: tell the owner of logins), written by the login's own transaction
 * (a transactional outbox): the row exists exactly when the session or the lock it reports does. The dispatcher
 * delivers them afterwards, with retries.
 */
export function createOutboxIdentityEvents(deps: { outbox: NotificationOutbox }): IdentityEvents {
  const { outbox } = deps;
  const enqueue = async (s: IdentityEventStores, request: NotificationRequest) => {
    await outbox.enqueue({ notifications: s.notifications, channels: s.notificationChannels }, request);
  };

  return {
    loginSucceeded: (s, e) =>
      enqueue(s, {
        organizationId: e.organizationId,
        accountId: e.accountId,
        kind: 'login-succeeded',
        payload: { at: e.at, source: e.source, factorKinds: e.factorKinds },
      }),
    accountLocked: (s, e) =>
      enqueue(s, {
        organizationId: e.organizationId,
        accountId: e.accountId,
        kind: 'login-failed-locked',
        payload: { at: e.at, source: e.source },
      }),
    passwordAgeReminder: (s, e) =>
      enqueue(s, {
        organizationId: e.organizationId,
        accountId: e.accountId,
        kind: 'password-age-reminder',
        payload: { at: e.at, credentialAgeDays: e.credentialAgeDays, maxAgeDays: e.maxAgeDays },
      }),
  };
}
