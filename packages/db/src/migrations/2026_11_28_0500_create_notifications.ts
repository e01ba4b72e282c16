import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migration-dialect.ts';

// Frozen in time: never edit after release; add a new dated migration instead.
// A38.2: the owner of an account is told of logins and trades, and the records are kept. Notifications are written
// to an outbox (in the transaction of the change where the caller has one) and delivered by a dispatcher; every
// delivery attempt is kept beside them.
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  // Where each client wants to be told: one recipient per channel (an address, a webhook URL, a file-sink name).
  await db.schema
    .createTable('notification_channels')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_channels_pk', ['organization_id', 'account_id', 'channel'])
    .execute();
  await db.schema
    .createTable('notifications_outbox')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    /** Canonical JSON (docs/adr/0004). */
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    /** Set by the dispatcher that claimed the row; only that claim may settle it. */
    .addColumn('claim_token', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addPrimaryKeyConstraint('notifications_outbox_pk', ['organization_id', 'id'])
    .execute();
  // The dispatcher's query: pending rows that are due, oldest first.
  await db.schema
    .createIndex('notifications_outbox_due')
    .on('notifications_outbox')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('notifications_outbox_account')
    .on('notifications_outbox')
    .columns(['organization_id', 'account_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('notification_deliveries')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('notification_deliveries_pk', ['organization_id', 'notification_id', 'attempt'])
    .execute();
}
