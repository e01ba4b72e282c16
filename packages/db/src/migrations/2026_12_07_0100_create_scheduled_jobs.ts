import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migration-dialect.ts';

// Frozen in time: never edit after release; add a new dated migration instead.
// Jobs that run once per period across every instance (the daily TLS scan of A5.3 and A35.1): one row per job,
// claimed with one atomic UPDATE (core/shared/job-lease.ts).
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('scheduled_jobs')
    .addColumn('job', 'text', (c) => c.primaryKey())
    .addColumn('done_period', 'text')
    .addColumn('done_at', 'text')
    .addColumn('holder', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'text')
    .execute();
}
