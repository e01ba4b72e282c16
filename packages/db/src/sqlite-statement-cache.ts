import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** How many distinct statements stay prepared; the least recently used one is dropped beyond that. */
const defaultCapacity = 500;

/**
 * better-sqlite3 as Kysely's SQLite driver sees it (`prepare` and `close`), but with prepared statements kept and
 * reused by their SQL text. Kysely's driver prepares every query afresh, and on the gateway's hot paths (a login is
 * some twenty short statements) SQLite's parse and plan cost more than running the statement. The text is the whole
 * key: parameters are bound at each run, so a reused statement never carries a value from an earlier one.
 *
 * A statement still iterating (a streamed select) is `busy` and cannot be run again until it finishes; a query that
 * meets its text meanwhile gets a statement of its own, not kept.
 */
export function withStatementCache(sqlite: Database, capacity = defaultCapacity): SqliteDatabase {
  const cache = new Map<string, Statement>();
  return {
    prepare(source: string): Statement {
      const cached = cache.get(source);
      if (cached !== undefined && !cached.busy) {
        // Map order is insertion order: moving the entry to the end keeps the oldest one first for eviction.
        cache.delete(source);
        cache.set(source, cached);
        return cached;
      }
      const statement = sqlite.prepare(source);
      if (cached === undefined) {
        cache.set(source, statement);
        if (cache.size > capacity) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      }
      return statement;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}
