import { describe, expect, it } from 'vitest';
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
