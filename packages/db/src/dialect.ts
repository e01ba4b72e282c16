import { type Expression, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/**
 * Everything that differs between SQLite and PostgreSQL, as named capabilities. Stores and services never ask
 * which database they are on; they call these.
 */
export interface DialectCapabilities {
  name: DialectName;
  /** Runs `work` in a transaction that holds the write lock from its first statement (BEGIN IMMEDIATE on SQLite). */
  withWriteTransaction<DB, T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T>;
  /**
   * True where one connection serialises every write and each commit waits for its own fsync (SQLite): there,
   * concurrent units of work gain by sharing one commit (group-commit.ts). PostgreSQL groups commits itself.
   */
  groupsCommits: boolean;
  /** Adds FOR UPDATE where row locks exist; SQLite's write transaction already excludes other writers. */
  forUpdate<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /** A field of a JSON text column, as a sortable value (numbers sort as numbers). The field name is bound, never spliced. */
  jsonSortKey(column: string, field: string): RawBuilder<unknown>;
  /** A JSON field equals a scalar (booleans and null included). */
  jsonFieldEquals(column: string, field: string, value: string | number | boolean | null): Expression<SqlBool>;
}

/**
 * SQLite, over one connection. `walSync`, when the database is a file in WAL mode, flushes its write-ahead log to disk
 * on a libuv worker thread (wal-sync.ts). Write transactions then commit with `synchronous = NORMAL` (the COMMIT writes
 * the log but does not wait for the disk) and resolve only after a `walSync` that started after their COMMIT has
 * finished: the same guarantee as `synchronous = FULL` (a committed change survives a power loss, ADR 0004), without
 * blocking the event loop for the fsync, and one fsync covers every transaction committed before it (ADR 0017).
 * Statements outside a transaction keep the connection's `synchronous = FULL`.
 */
function sqliteCapabilities(walSync: (() => Promise<void>) | undefined): DialectCapabilities {
  return {
    name: 'sqlite',
    groupsCommits: true,
    async withWriteTransaction(db, work) {
      // Kysely's SQLite transactions start DEFERRED; a deferred reader that later writes can fail with SQLITE_BUSY
      // when another process (the CLI beside the server) wrote meanwhile. IMMEDIATE takes the lock up front and lets
      // busy_timeout wait for it instead.
      const result = await db.connection().execute(async (conn) => {
        if (walSync !== undefined) await sql`pragma synchronous = NORMAL`.execute(conn);
        try {
          await sql`begin immediate`.execute(conn);
          try {
            const value = await work(conn);
            await sql`commit`.execute(conn);
            return value;
          } catch (error) {
            await sql`rollback`.execute(conn);
            throw error;
          }
        } finally {
          if (walSync !== undefined) await sql`pragma synchronous = FULL`.execute(conn);
        }
      });
      // Durable before anyone hears of it: the caller gets the result only once the log holding the COMMIT is on disk.
      // A failed fsync throws here, so the change is reported as failed (it may still be stored: never the reverse).
      if (walSync !== undefined) await walSync();
      return result;
    },
    forUpdate: (query) => query,
    jsonSortKey: (column, field) => sql`json_extract(${sql.ref(column)}, ${`$.${field}`})`,
    jsonFieldEquals(column, field, value) {
      const v = sql`json_extract(${sql.ref(column)}, ${`$.${field}`})`;
      if (value === null) return sql<SqlBool>`${v} is null`;
      // SQLite's json_extract yields 1/0 for JSON true/false.
      if (typeof value === 'boolean') return sql<SqlBool>`${v} = ${value ? 1 : 0}`;
      return sql<SqlBool>`${v} = ${value}`;
    },
  };
}

const postgresCapabilities: DialectCapabilities = {
  name: 'postgres',
  groupsCommits: false,
  withWriteTransaction: (db, work) => db.transaction().execute((trx) => work(trx)),
  forUpdate: (query) => query.forUpdate(),
  jsonSortKey: (column, field) => sql`(${sql.ref(column)}::jsonb -> ${field})`,
  jsonFieldEquals(column, field, value) {
    const v = sql`(${sql.ref(column)}::jsonb ->> ${field})`;
    if (value === null) return sql<SqlBool>`${v} is null`;
    return sql<SqlBool>`${v} = ${String(value)}`;
  },
};

export function capabilitiesFor(
  name: DialectName,
  options: { walSync?: () => Promise<void> } = {},
): DialectCapabilities {
  return name === 'sqlite' ? sqliteCapabilities(options.walSync) : postgresCapabilities;
}

export function readBool(value: number | boolean | null): boolean {
  return value === true || value === 1;
}

export function writeBool(value: boolean): number {
  return value ? 1 : 0;
}
