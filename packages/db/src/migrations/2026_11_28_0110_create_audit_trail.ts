import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from '../migration-dialect.ts';

// Frozen in time: never edit after release; add a new dated migration instead.
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('audit_entries')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text')
    .addColumn('source', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('mac', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_entries_pk', ['organization_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('audit_entries_object')
    .on('audit_entries')
    .columns(['organization_id', 'object_type', 'object_id'])
    .execute();
  await db.schema
    .createIndex('audit_entries_actor')
    .on('audit_entries')
    .columns(['organization_id', 'actor_id', 'at'])
    .execute();
  await db.schema.createIndex('audit_entries_at').on('audit_entries').columns(['organization_id', 'at']).execute();

  await db.schema
    .createTable('audit_heads')
    .addColumn('organization_id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  // Defence in depth: the application never updates or deletes audit entries, so the database refuses to.
  // The hash chain still detects tampering by anyone who drops these triggers.
  if (dialect === 'sqlite') {
    await sql`create trigger audit_entries_no_update before update on audit_entries
      begin select raise(abort, 'audit entries are append-only'); end`.execute(db);
    await sql`create trigger audit_entries_no_delete before delete on audit_entries
      begin select raise(abort, 'audit entries are append-only'); end`.execute(db);
  } else {
    await sql`create function audit_entries_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit entries are append-only'; end $$`.execute(db);
    await sql`create trigger audit_entries_no_change before update or delete on audit_entries
      for each row execute function audit_entries_append_only()`.execute(db);
  }
}
