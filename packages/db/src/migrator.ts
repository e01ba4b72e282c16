import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import type { DatabaseHandle } from './connection.ts';
import type { MigrationDialect } from './migration-dialect.ts';
import * as m20261128_0100 from './migrations/2026_11_28_0100_create_organizations.ts';
import * as m20261128_0110 from './migrations/2026_11_28_0110_create_audit_trail.ts';
import * as m20261128_0200 from './migrations/2026_11_28_0200_create_register_records.ts';
import * as m20261128_0210 from './migrations/2026_11_28_0210_create_evidence.ts';
import * as m20261128_0220 from './migrations/2026_11_28_0220_create_evaluation_and_findings.ts';
import * as m20261128_0300 from './migrations/2026_11_28_0300_create_identity.ts';
import * as m20261128_0400 from './migrations/2026_11_28_0400_create_collector_runs.ts';
import * as m20261128_0500 from './migrations/2026_11_28_0500_create_notifications.ts';
import * as m20261128_0510 from './migrations/2026_11_28_0510_create_monitoring_reports.ts';
import * as m20261207_0100 from './migrations/2026_12_07_0100_create_scheduled_jobs.ts';
import * as m20261207_0200 from './migrations/2026_12_07_0200_create_console_users.ts';
import * as m20261207_0300 from './migrations/2026_12_07_0300_create_orders.ts';
import * as m20261207_0400 from './migrations/2026_12_07_0400_create_webauthn.ts';

type MigrationModule = { up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> };

/** Listed statically, in date order: the set of migrations is part of the code, not of the file system at run time. */
const migrations: Record<string, MigrationModule> = {
  '2026_11_28_0100_create_organizations': m20261128_0100,
  '2026_11_28_0110_create_audit_trail': m20261128_0110,
  '2026_11_28_0200_create_register_records': m20261128_0200,
  '2026_11_28_0210_create_evidence': m20261128_0210,
  '2026_11_28_0220_create_evaluation_and_findings': m20261128_0220,
  '2026_11_28_0300_create_identity': m20261128_0300,
  '2026_11_28_0400_create_collector_runs': m20261128_0400,
  '2026_11_28_0500_create_notifications': m20261128_0500,
  '2026_11_28_0510_create_monitoring_reports': m20261128_0510,
  '2026_12_07_0100_create_scheduled_jobs': m20261207_0100,
  '2026_12_07_0200_create_console_users': m20261207_0200,
  '2026_12_07_0300_create_orders': m20261207_0300,
  '2026_12_07_0400_create_webauthn': m20261207_0400,
};

export const migrationNames = Object.keys(migrations);

function migratorFor(handle: DatabaseHandle): Migrator {
  const dialect = handle.dialect.name;
  return new Migrator({
    db: handle.db,
    provider: {
      async getMigrations() {
        const out: Record<string, Migration> = {};
        for (const [name, m] of Object.entries(migrations)) out[name] = { up: (db) => m.up(db, dialect) };
        return out;
      },
    },
  });
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** Applies pending migrations. On PostgreSQL, Kysely's lock table serializes instances that start together. */
export async function migrateToLatest(handle: DatabaseHandle): Promise<string[]> {
  const { error, results }: MigrationResultSet = await migratorFor(handle).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationError(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function pendingMigrations(handle: DatabaseHandle): Promise<string[]> {
  const all = await migratorFor(handle).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
