import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './connection.ts';
import { capabilitiesFor } from './dialect.ts';
import { createWalSync } from './wal-sync.ts';

/** An fsync that finishes when the test says so, recording when each one started. */
function controlledFsync() {
  const started: { finish(): void; fail(error: Error): void }[] = [];
  const fsync = () =>
    new Promise<void>((resolve, reject) => {
      started.push({ finish: resolve, fail: reject });
    });
  return { started, fsync };
}

const settled = async <T>(p: Promise<T>) => {
  let done = false;
  void p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('WAL fsync off the event loop (ADR 0017)', () => {
  it('a commit made while an fsync runs waits for the next fsync, not the one that may have started before it', async () => {
    const { started, fsync } = controlledFsync();
    const sync = createWalSync('/unused-wal', fsync);
    const first = sync();
    const second = sync(); // committed after the first fsync began
    expect(started).toHaveLength(1);
    started[0]?.finish();
    await first;
    expect(await settled(second)).toBe(false);
    expect(started).toHaveLength(2);
    started[1]?.finish();
    await second;
  });

  it('commits that arrive during one fsync share the next one (group commit)', async () => {
    const { started, fsync } = controlledFsync();
    const sync = createWalSync('/unused-wal', fsync);
    const first = sync();
    const waiting = [sync(), sync(), sync()];
    started[0]?.finish();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(started).toHaveLength(2);
    started[1]?.finish();
    await Promise.all(waiting);
    expect(started).toHaveLength(2);
  });

  it('a failed fsync fails every commit waiting on it, and the next commit gets a fresh fsync', async () => {
    const { started, fsync } = controlledFsync();
    const sync = createWalSync('/unused-wal', fsync);
    const a = sync();
    started[0]?.fail(new Error('EIO'));
    await expect(a).rejects.toThrow('EIO');
    const b = sync();
    expect(started).toHaveLength(2);
    started[1]?.finish();
    await b;
  });
});

describe('SQLite write transactions and the WAL fsync (ADR 0004, ADR 0017)', () => {
  it('a write transaction resolves only after the WAL fsync that follows its COMMIT, and fails when that fsync fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ntg-wal-'));
    const handle = openDatabase({ kind: 'sqlite', file: join(dir, 'wal.db') });
    try {
      await sql`create table t (v integer)`.execute(handle.db);
      const { started, fsync } = controlledFsync();
      const dialect = capabilitiesFor('sqlite', { walSync: createWalSync(join(dir, 'wal.db-wal'), fsync) });
      const tx = dialect.withWriteTransaction(handle.db, (trx) => sql`insert into t values (1)`.execute(trx));
      while (started.length === 0) await new Promise((r) => setImmediate(r));
      // Committed (another reader sees the row) but not yet on disk: the caller has not been answered.
      expect((await sql<{ n: number }>`select count(*) as n from t`.execute(handle.db)).rows[0]?.n).toBe(1);
      expect(await settled(tx)).toBe(false);
      started[0]?.finish();
      await tx;
      const failing = dialect.withWriteTransaction(handle.db, (trx) => sql`insert into t values (2)`.execute(trx));
      while (started.length === 1) await new Promise((r) => setImmediate(r));
      started[1]?.fail(new Error('EIO'));
      await expect(failing).rejects.toThrow('EIO');
      // Outside a write transaction the connection still commits with synchronous = FULL (2).
      expect((await sql<{ synchronous: number }>`pragma synchronous`.execute(handle.db)).rows[0]?.synchronous).toBe(2);
    } finally {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
