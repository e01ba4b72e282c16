import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withStatementCache } from './sqlite-statement-cache.ts';

describe('the SQLite statement cache', () => {
  const open: SQLite.Database[] = [];
  const fresh = () => {
    const sqlite = new SQLite(':memory:');
    sqlite.exec('create table t (id integer primary key, v text)');
    sqlite.exec("insert into t (v) values ('a'), ('b'), ('c')");
    open.push(sqlite);
    return sqlite;
  };
  afterEach(() => {
    for (const s of open.splice(0)) if (s.open) s.close();
  });

  it('prepares a statement once and binds fresh parameters at every run', () => {
    const sqlite = fresh();
    const prepare = vi.spyOn(sqlite, 'prepare');
    const cached = withStatementCache(sqlite);
    const text = 'select v from t where id = ?';
    expect(cached.prepare(text).all([1])).toEqual([{ v: 'a' }]);
    expect(cached.prepare(text).all([2])).toEqual([{ v: 'b' }]);
    expect(prepare).toHaveBeenCalledTimes(1);
  });

  it('gives a statement of its own to a query whose cached statement is still iterating', () => {
    const sqlite = fresh();
    const cached = withStatementCache(sqlite);
    const text = 'select v from t order by id';
    const seen: unknown[] = [];
    for (const row of cached.prepare(text).iterate([])) {
      seen.push(row);
      if (seen.length === 1) expect(cached.prepare(text).all([])).toHaveLength(3);
    }
    expect(seen).toHaveLength(3);
  });

  it('keeps at most its capacity, dropping the least recently used statement', () => {
    const sqlite = fresh();
    const prepare = vi.spyOn(sqlite, 'prepare');
    const cached = withStatementCache(sqlite, 2);
    cached.prepare('select 1');
    cached.prepare('select 2');
    cached.prepare('select 1');
    cached.prepare('select 3'); // evicts `select 2`, used least recently
    cached.prepare('select 1');
    expect(prepare).toHaveBeenCalledTimes(3);
    cached.prepare('select 2');
    expect(prepare).toHaveBeenCalledTimes(4);
  });

  it('closes the database', () => {
    const sqlite = fresh();
    withStatementCache(sqlite).close();
    expect(sqlite.open).toBe(false);
  });
});
