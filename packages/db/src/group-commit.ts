import type { UnitOfWork } from '@ntg/core';
import { sql } from 'kysely';
import type { DatabaseHandle } from './connection.ts';
import { createStores, createUnitOfWork, type Stores } from './stores.ts';

interface Pending {
  work: (stores: Stores) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const maxBatch = 64;

/**
 * A unit of work whose concurrent units share one commit where the dialect `groupsCommits` (SQLite; elsewhere it is
 * the plain unit of work). On SQLite every write already queues on one connection and each COMMIT waits for its own
 * fsync (synchronous = FULL, docs/adr/0004), blocking the event loop; under load that wait, not the work, bounds
 * throughput. Units that arrive while a commit is under way run together in the next transaction, each inside its own
 * savepoint: a unit that throws is rolled back alone, and no unit's result is handed back before the shared COMMIT,
 * so a caller never acts on a write that could still be lost. At low load a batch holds one unit, as before.
 *
 * A unit must not call `run` itself (it would wait for its own batch), and should do nothing slow besides its
 * statements: every unit of the batch waits for it.
 */
export function createGroupCommitUnitOfWork(handle: DatabaseHandle): UnitOfWork<Stores> {
  if (!handle.dialect.groupsCommits) return createUnitOfWork(handle);
  const queue: Pending[] = [];
  let draining = false;

  async function runBatch(batch: Pending[]): Promise<Outcome[]> {
    const [only] = batch;
    if (batch.length === 1 && only !== undefined) {
      // Alone in its batch, a unit is its own transaction: no savepoint needed.
      try {
        return [
          {
            ok: true,
            value: await handle.dialect.withWriteTransaction(handle.db, (trx) =>
              only.work(createStores(trx, handle.dialect)),
            ),
          },
        ];
      } catch (error) {
        return [{ ok: false, error }];
      }
    }
    return handle.dialect.withWriteTransaction(handle.db, async (trx) => {
      const stores = createStores(trx, handle.dialect);
      const outcomes: Outcome[] = [];
      for (const item of batch) {
        await sql`savepoint ntg_unit`.execute(trx);
        try {
          const value = await item.work(stores);
          await sql`release savepoint ntg_unit`.execute(trx);
          outcomes.push({ ok: true, value });
        } catch (error) {
          await sql`rollback to savepoint ntg_unit`.execute(trx);
          await sql`release savepoint ntg_unit`.execute(trx);
          outcomes.push({ ok: false, error });
        }
      }
      return outcomes;
    });
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        // Let the event loop finish its turn first: requests handled in the same turn queue their units now and
        // join this batch, instead of each paying a commit of its own.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const batch = queue.splice(0, maxBatch);
        try {
          const outcomes = await runBatch(batch);
          batch.forEach((item, i) => {
            const o = outcomes[i];
            if (o?.ok) item.resolve(o.value);
            else item.reject(o?.error);
          });
        } catch (error) {
          // The shared transaction failed (BEGIN, COMMIT or a savepoint): nothing of the batch was committed.
          for (const item of batch) item.reject(error);
        }
      }
    } finally {
      draining = false;
    }
  }

  return {
    run<T>(work: (stores: Stores) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!draining) void drain();
      });
    },
  };
}
