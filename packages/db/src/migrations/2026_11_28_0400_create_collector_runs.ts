import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migration-dialect.ts';

// Frozen in time: never edit after release; add a new dated migration instead.
// One row per collector run (TLS scan, nmap import, MDM import, app package inspection): what ran, when, for whom,
// the SHA-256 of its raw input or output and the evidence that holds it, and a summary of what it found.
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('collector_runs')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addColumn('raw_sha256', 'text', (c) => c.notNull())
    .addColumn('evidence_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    /** Canonical JSON (docs/adr/0004). */
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('collector_runs_pk', ['organization_id', 'id'])
    .execute();
  // The newest run of a kind, and the newest per target (each endpoint's latest TLS scan).
  await db.schema
    .createIndex('collector_runs_kind_finished')
    .on('collector_runs')
    .columns(['organization_id', 'kind', 'finished_at'])
    .execute();
  await db.schema
    .createIndex('collector_runs_target_finished')
    .on('collector_runs')
    .columns(['organization_id', 'kind', 'target', 'finished_at'])
    .execute();
}
