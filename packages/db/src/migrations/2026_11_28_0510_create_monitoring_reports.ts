import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migration-dialect.ts';

// Frozen in time: never edit after release; add a new dated migration instead.
// A37.7: the daily analysis of failed logins. Each generation is kept (a regenerated day adds a row), with the
// SHA-256 of its canonical JSON, which the audit entry of the generation also records.
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('monitoring_reports')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('generated_at', 'text', (c) => c.notNull())
    /** Canonical JSON (docs/adr/0004). */
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('monitoring_reports_pk', ['organization_id', 'id'])
    .execute();
  await db.schema
    .createIndex('monitoring_reports_date')
    .on('monitoring_reports')
    .columns(['organization_id', 'date', 'generated_at'])
    .execute();
}
