import {
  type AccountChannel,
  type ClaimedNotification,
  canonicalJson,
  type NotificationChannel,
  type NotificationChannelStore,
  type NotificationDelivery,
  type NotificationKind,
  type NotificationStatus,
  type NotificationStore,
  type OutboxNotification,
} from '@ntg/core';
import type { Kysely, Selectable } from 'kysely';
import { rowChunks } from '../row-chunks.ts';
import type { Database, NotificationsOutboxTable } from '../schema.ts';

function toNotification(row: Selectable<NotificationsOutboxTable>): OutboxNotification {
  return {
    organizationId: row.organization_id,
    id: row.id,
    accountId: row.account_id,
    channel: row.channel as NotificationChannel,
    recipient: row.recipient,
    kind: row.kind as NotificationKind,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    status: row.status as NotificationStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

export function createNotificationStore(db: Kysely<Database>): NotificationStore {
  /** Settles a claimed row only while this claim still holds it. */
  async function settle(
    n: ClaimedNotification,
    values: Partial<Pick<NotificationsOutboxTable, 'status' | 'next_attempt_at' | 'last_error' | 'sent_at'>>,
  ): Promise<boolean> {
    const rows = await db
      .updateTable('notifications_outbox')
      .set({ ...values, claim_token: null })
      .where('organization_id', '=', n.organizationId)
      .where('id', '=', n.id)
      .where('claim_token', '=', n.claimToken)
      .where('status', '=', 'pending')
      .returning('id')
      .execute();
    return rows.length === 1;
  }

  return {
    async enqueue(notifications) {
      for (const chunk of rowChunks(notifications)) {
        await db
          .insertInto('notifications_outbox')
          .values(
            chunk.map((n) => ({
              organization_id: n.organizationId,
              id: n.id,
              account_id: n.accountId,
              channel: n.channel,
              recipient: n.recipient,
              kind: n.kind,
              payload: canonicalJson(n.payload),
              status: n.status,
              attempts: n.attempts,
              next_attempt_at: n.nextAttemptAt,
              claim_token: null,
              last_error: n.lastError,
              created_at: n.createdAt,
              sent_at: n.sentAt,
            })),
          )
          .execute();
      }
    },

    async claimDue(now, leaseUntil, limit, claimToken) {
      // One statement: the conditions are repeated outside the subquery, so on PostgreSQL a row that another
      // dispatcher claimed meanwhile fails them when re-checked after its lock is released (READ COMMITTED), and on
      // SQLite the statement runs under the single write lock. Either way a row is claimed by one dispatcher.
      const rows = await db
        .updateTable('notifications_outbox')
        .set((eb) => ({
          next_attempt_at: leaseUntil,
          claim_token: claimToken,
          attempts: eb('attempts', '+', 1),
        }))
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where(({ eb, refTuple, selectFrom }) =>
          eb(
            refTuple('organization_id', 'id'),
            'in',
            selectFrom('notifications_outbox as d')
              .select(['d.organization_id', 'd.id'])
              .where('d.status', '=', 'pending')
              .where('d.next_attempt_at', '<=', now)
              .orderBy('d.next_attempt_at')
              .orderBy('d.id')
              .limit(limit)
              .$asTuple('organization_id', 'id'),
          ),
        )
        .returningAll()
        .execute();
      return rows
        .map((row) => ({ ...toNotification(row), claimToken }))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    },

    markSent: (n, at) => settle(n, { status: 'sent', sent_at: at, last_error: null }),
    markRetry: (n, nextAttemptAt, error) => settle(n, { next_attempt_at: nextAttemptAt, last_error: error }),
    markFailed: (n, error) => settle(n, { status: 'failed', last_error: error }),

    async recordDelivery(d) {
      await db
        .insertInto('notification_deliveries')
        .values({
          organization_id: d.organizationId,
          notification_id: d.notificationId,
          attempt: d.attempt,
          at: d.at,
          outcome: d.outcome,
          error: d.error,
        })
        .execute();
    },

    async find(organizationId, id) {
      const row = await db
        .selectFrom('notifications_outbox')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? null : toNotification(row);
    },

    async listForAccount(organizationId, accountId, limit) {
      const rows = await db
        .selectFrom('notifications_outbox')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('account_id', '=', accountId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toNotification);
    },

    async deliveries(organizationId, notificationId) {
      const rows = await db
        .selectFrom('notification_deliveries')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('notification_id', '=', notificationId)
        .orderBy('attempt')
        .execute();
      return rows.map(
        (r): NotificationDelivery => ({
          organizationId: r.organization_id,
          notificationId: r.notification_id,
          attempt: Number(r.attempt),
          at: r.at,
          outcome: r.outcome as NotificationDelivery['outcome'],
          error: r.error,
        }),
      );
    },
  };
}

export function createNotificationChannelStore(db: Kysely<Database>): NotificationChannelStore {
  return {
    async set(organizationId, accountId, channel, at) {
      await db
        .insertInto('notification_channels')
        .values({
          organization_id: organizationId,
          account_id: accountId,
          channel: channel.channel,
          recipient: channel.recipient,
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) =>
          oc
            .columns(['organization_id', 'account_id', 'channel'])
            .doUpdateSet({ recipient: channel.recipient, updated_at: at }),
        )
        .execute();
    },
    async remove(organizationId, accountId, channel) {
      await db
        .deleteFrom('notification_channels')
        .where('organization_id', '=', organizationId)
        .where('account_id', '=', accountId)
        .where('channel', '=', channel)
        .execute();
    },
    async listForAccount(organizationId, accountId) {
      const rows = await db
        .selectFrom('notification_channels')
        .select(['channel', 'recipient'])
        .where('organization_id', '=', organizationId)
        .where('account_id', '=', accountId)
        .orderBy('channel')
        .execute();
      return rows.map((r): AccountChannel => ({ channel: r.channel as NotificationChannel, recipient: r.recipient }));
    },
    async listForAccounts(organizationId, accountIds) {
      const byAccount = new Map<string, AccountChannel[]>();
      for (const id of accountIds) byAccount.set(id, []);
      for (const chunk of rowChunks([...byAccount.keys()])) {
        const rows = await db
          .selectFrom('notification_channels')
          .select(['account_id', 'channel', 'recipient'])
          .where('organization_id', '=', organizationId)
          .where('account_id', 'in', chunk)
          .orderBy('account_id')
          .orderBy('channel')
          .execute();
        for (const r of rows) {
          byAccount.get(r.account_id)?.push({ channel: r.channel as NotificationChannel, recipient: r.recipient });
        }
      }
      return byAccount;
    },
  };
}
