import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '@ntg/db';
import pg from 'pg';

export interface BenchDatabase {
  name: 'sqlite' | 'postgres';
  handle: DatabaseHandle;
  drop(): Promise<void>;
}

/** A fresh SQLite file, and a fresh PostgreSQL database when a server URL is given (default: the local test server). */
export async function benchDatabases(only?: string): Promise<(() => Promise<BenchDatabase>)[]> {
  const makers: (() => Promise<BenchDatabase>)[] = [];
  if (only === undefined || only === 'sqlite') {
    makers.push(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ntg-bench-'));
      const handle = openDatabase({ kind: 'sqlite', file: join(dir, 'bench.db') });
      await migrateToLatest(handle);
      return {
        name: 'sqlite',
        handle,
        drop: async () => {
          await handle.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    });
  }
  const url =
    process.env.NTG_BENCH_DATABASE_URL ??
    process.env.NTG_TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/test';
  if (only === undefined || only === 'postgres') {
    makers.push(async () => {
      const name = `ntg_bench_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const u = new URL(url);
      u.pathname = `/${name}`;
      const handle = openDatabase({ kind: 'postgres', url: u.toString(), poolMax: 4 });
      await migrateToLatest(handle);
      return {
        name: 'postgres',
        handle,
        drop: async () => {
          await handle.close();
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          await c.query(`drop database if exists ${name} with (force)`);
          await c.end();
        },
      };
    });
  }
  return makers;
}

/** Samples the resident set size while work runs and reports the peak (MiB). */
export function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return Math.round(peak / 1024 / 1024);
    },
  };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - t0), value };
}
