import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type DatabaseHandle, openDatabase } from '../connection.ts';
import { migrateToLatest } from '../migrator.ts';

export interface TestDatabase {
  handle: DatabaseHandle;
  /** Closes the handle and removes the database (the temp file, or the PostgreSQL database). */
  drop(): Promise<void>;
}

export interface TestDatabaseKind {
  name: 'sqlite' | 'postgres';
  create(): Promise<TestDatabase>;
}

async function createSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'ntg-test-'));
  const handle = openDatabase({ kind: 'sqlite', file: join(dir, 'ntg.db') });
  await migrateToLatest(handle);
  return {
    handle,
    async drop() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A database of its own for each test file, created and dropped on the server given by NTG_TEST_DATABASE_URL. */
async function createPostgres(adminUrl: string): Promise<TestDatabase> {
  const name = `ntg_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 12 });
  await migrateToLatest(handle);
  return {
    handle,
    async drop() {
      await handle.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * The databases every store contract suite runs on: SQLite always, PostgreSQL whenever NTG_TEST_DATABASE_URL is
 * set. CI always sets it, so a store that works on only one database cannot land.
 */
export function testDatabaseKinds(env: NodeJS.ProcessEnv = process.env): TestDatabaseKind[] {
  const kinds: TestDatabaseKind[] = [{ name: 'sqlite', create: createSqlite }];
  const url = env.NTG_TEST_DATABASE_URL;
  if (url !== undefined && url !== '') kinds.push({ name: 'postgres', create: () => createPostgres(url) });
  return kinds;
}
