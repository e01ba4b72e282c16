import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type {
  AccountChannel,
  NotificationChannelStore,
  NotificationKind,
  NotificationStore,
  OutboxNotification,
} from './notification-store.ts';

export interface NotificationRequest {
  organizationId: string;
  accountId: string;
  kind: NotificationKind;
  payload: Record<string, unknown>;
}

export interface NotificationOutbox {
  /**
   * Writes one outbox row per channel of the account through the given stores: pass the stores of the unit of work
   * that makes the change (a trade), so the notification commits with it or not at all. Returns the rows written.
   */
  enqueue(
    stores: {
      notifications: Pick<NotificationStore, 'enqueue'>;
      channels: Pick<NotificationChannelStore, 'listForAccount'>;
    },
    request: NotificationRequest,
  ): Promise<OutboxNotification[]>;
  /**
   * `enqueue` for several requests of one organization with one read of the channels and one insert: for changes
   * committed together (the accepted orders of one group commit). Same rows as `enqueue` once per request.
   */
  enqueueAll(
    stores: {
      notifications: Pick<NotificationStore, 'enqueue'>;
      channels: Pick<NotificationChannelStore, 'listForAccounts'>;
    },
    organizationId: string,
    requests: readonly Omit<NotificationRequest, 'organizationId'>[],
  ): Promise<OutboxNotification[]>;
}

/**
 * `fallback` is where notifications go for an account with no channel of its own (the file sink in the embedded
 * default); with none, such an account is not notified.
 */
export function createNotificationOutbox(deps: {
  clock: Clock;
  fallback?: (organizationId: string, accountId: string) => AccountChannel | null;
}): NotificationOutbox {
  const { clock, fallback } = deps;

  function rowsFor(request: NotificationRequest, own: AccountChannel[]): OutboxNotification[] {
    let channels = own;
    if (channels.length === 0 && fallback !== undefined) {
      const f = fallback(request.organizationId, request.accountId);
      channels = f === null ? [] : [f];
    }
    const at = clock.now().toISOString();
    return channels.map((c) => ({
      organizationId: request.organizationId,
      id: newId('ntf'),
      accountId: request.accountId,
      channel: c.channel,
      recipient: c.recipient,
      kind: request.kind,
      payload: request.payload,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: at,
      lastError: null,
      createdAt: at,
      sentAt: null,
    }));
  }

  return {
    async enqueue(stores, request) {
      const channels = await stores.channels.listForAccount(request.organizationId, request.accountId);
      const rows = rowsFor(request, channels);
      if (rows.length > 0) await stores.notifications.enqueue(rows);
      return rows;
    },
    async enqueueAll(stores, organizationId, requests) {
      if (requests.length === 0) return [];
      const channels = await stores.channels.listForAccounts(organizationId, [
        ...new Set(requests.map((r) => r.accountId)),
      ]);
      const rows = requests.flatMap((r) => rowsFor({ ...r, organizationId }, channels.get(r.accountId) ?? []));
      if (rows.length > 0) await stores.notifications.enqueue(rows);
      return rows;
    },
  };
}
