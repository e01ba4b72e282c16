import { sql } from 'kysely';
import type { DatabaseHandle } from './connection.ts';
import { pendingMigrations } from './migrator.ts';

export interface Readiness {
  ready: boolean;
  database: string;
  problem?: string;
}

/** Ready means: the database answers and no migration is pending. */
export async function checkReadiness(handle: DatabaseHandle): Promise<Readiness> {
  try {
    await sql`select 1`.execute(handle.db);
    const pending = await pendingMigrations(handle);
    if (pending.length > 0) {
      return { ready: false, database: handle.dialect.name, problem: `${pending.length} migration(s) pending` };
    }
    return { ready: true, database: handle.dialect.name };
  } catch (error) {
    return {
      ready: false,
      database: handle.dialect.name,
      problem: `database unreachable: ${(error as Error).message}`,
    };
  }
}
