import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migration-dialect.ts';

// Frozen in time: never edit after release; add a new dated migration instead.
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  // One row per evaluation run; the per-node assessments are its summary, so trends need no join.
  await db.schema
    .createTable('evaluation_runs')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('catalog_version', 'text', (c) => c.notNull())
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('evaluation_runs_pk', ['organization_id', 'id'])
    .execute();
  await db.schema
    .createIndex('evaluation_runs_started')
    .on('evaluation_runs')
    .columns(['organization_id', 'started_at'])
    .execute();

  // The latest run's record-level results that need attention: every non-pass, and passes falling due soon.
  await db.schema
    .createTable('evaluation_results')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('requirement_id', 'text', (c) => c.notNull())
    .addColumn('record_type', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('record_name', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text')
    .execute();
  await db.schema
    .createIndex('evaluation_results_run')
    .on('evaluation_results')
    .columns(['organization_id', 'run_id', 'requirement_id'])
    .execute();
  await db.schema
    .createIndex('evaluation_results_record')
    .on('evaluation_results')
    .columns(['organization_id', 'record_type', 'record_id'])
    .execute();

  await db.schema
    .createTable('findings')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('requirement_id', 'text', (c) => c.notNull())
    // '' where the finding concerns the organization as a whole, so the natural key stays unique.
    .addColumn('record_type', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('record_name', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('result_status', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('assignee', 'text')
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('accepted_by', 'text')
    .addColumn('accepted_reason', 'text')
    .addColumn('accepted_until', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('resolved_by', 'text')
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('findings_pk', ['organization_id', 'id'])
    .addUniqueConstraint('findings_key', ['organization_id', 'requirement_id', 'record_type', 'record_id'])
    .execute();
  await db.schema
    .createIndex('findings_status')
    .on('findings')
    .columns(['organization_id', 'status', 'severity'])
    .execute();

  await db.schema
    .createTable('finding_events')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('finding_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('finding_events_finding')
    .on('finding_events')
    .columns(['organization_id', 'finding_id', 'at'])
    .execute();

  await db.schema
    .createTable('attestations')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('evidence_ids', 'text', (c) => c.notNull())
    .addColumn('attested_by', 'text', (c) => c.notNull())
    .addColumn('attested_at', 'text', (c) => c.notNull())
    .addColumn('expires_on', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('attestations_pk', ['organization_id', 'id'])
    .execute();
  await db.schema
    .createIndex('attestations_node')
    .on('attestations')
    .columns(['organization_id', 'node_id', 'attested_at'])
    .execute();
}
