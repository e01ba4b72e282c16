import { open } from 'node:fs/promises';

/**
 * Flushes a SQLite write-ahead log to disk on a libuv worker thread, so the event loop keeps serving requests while
 * the disk works (ADR 0017). Each call resolves after an fsync that *started after the call*: a transaction that
 * committed before calling is then on disk. Calls made while an fsync runs share the next one, so concurrent commits
 * pay one fsync between them (group commit).
 *
 * The log is opened afresh for each fsync: fsync flushes the file's data whichever descriptor wrote it, and a fresh
 * open never holds a log that SQLite has since replaced. A log that does not exist holds nothing to flush (SQLite
 * writes it before the COMMIT returns, so a committed transaction always finds it).
 */
/** fsync of the file at `path` on a worker thread; nothing to do when it does not exist. */
export async function fsyncPath(path: string): Promise<void> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

export function createWalSync(walPath: string, fsyncFile = fsyncPath): () => Promise<void> {
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;

  function start(): Promise<void> {
    const p = fsyncFile(walPath).finally(() => {
      if (running === p) running = null;
    });
    running = p;
    return p;
  }

  return function walSync(): Promise<void> {
    if (running === null) return start();
    // The fsync under way may have started before this caller's COMMIT: wait for the one after it.
    if (next === null) {
      next = running
        .catch(() => undefined)
        .then(() => {
          next = null;
          return running ?? start();
        });
    }
    return next;
  };
}
