import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { capabilitiesFor, type DialectCapabilities, type DialectName } from './dialect.ts';
import type { Database } from './schema.ts';
import { withStatementCache } from './sqlite-statement-cache.ts';
import { createWalSync } from './wal-sync.ts';

export type DatabaseTarget =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; poolMax?: number; onIdleClientError?: (error: Error) => void };

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectCapabilities;
  /** Where the data lives, without credentials, for logs and /readyz. */
  description: string;
  close(): Promise<void>;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

export function openDatabase(target: DatabaseTarget): DatabaseHandle {
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(dirname(target.file), { recursive: true });
    const sqlite = new SQLite(target.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // FULL: a committed audit entry or accepted order survives a power loss, not only a process crash. Write
    // transactions keep that guarantee with the fsync moved off the event loop (dialect.ts, wal-sync.ts, ADR 0017).
    sqlite.pragma('synchronous = FULL');
    const wal = sqlite.pragma('journal_mode', { simple: true }) === 'wal';
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return {
      db,
      dialect: capabilitiesFor('sqlite', wal ? { walSync: createWalSync(`${resolve(target.file)}-wal`) } : {}),
      description: `sqlite:${target.file}`,
      close: () => db.destroy(),
    };
  }
  const pool = new pg.Pool({ connectionString: target.url, max: target.poolMax ?? 10 });
  // An idle connection that the server ends (restart, failover, a database dropped) emits 'error' on the pool; without
  // a listener Node would crash the process. The pool discards the client and the next query opens a new one.
  pool.on('error', (error) => target.onIdleClientError?.(error));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: capabilitiesFor('postgres'),
    description: redactUrl(target.url),
    close: () => db.destroy(),
  };
}

export function dialectOf(handle: DatabaseHandle): DialectName {
  return handle.dialect.name;
}
