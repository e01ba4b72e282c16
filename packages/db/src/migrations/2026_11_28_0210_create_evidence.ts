import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from '../migration-dialect.ts';

// Frozen in time: never edit after release; add a new dated migration instead.
// Evidence is content-addressed by SHA-256: the bytes live in the data folder (SQLite) or in evidence_blobs
// (PostgreSQL, where instances share no disk); metadata and links are rows.
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('evidence')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('effective_date', 'text')
    .addColumn('expires_on', 'text')
    .addColumn('collected_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('evidence_pk', ['organization_id', 'id'])
    .execute();
  await db.schema.createIndex('evidence_sha256').on('evidence').columns(['organization_id', 'sha256']).execute();

  await db.schema
    .createTable('evidence_links')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('evidence_id', 'text', (c) => c.notNull())
    /** 'node' (a catalog node id) or a register name. */
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('evidence_links_pk', ['organization_id', 'evidence_id', 'target_type', 'target_id'])
    .execute();
  await db.schema
    .createIndex('evidence_links_target')
    .on('evidence_links')
    .columns(['organization_id', 'target_type', 'target_id'])
    .execute();

  await db.schema
    .createTable('evidence_blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('content', dialect === 'postgres' ? sql`bytea` : sql`blob`, (c) => c.notNull())
    .execute();
}
