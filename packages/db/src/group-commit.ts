import { type BatchOutcome, createCommitBatcher, type UnitOfWork } from '@ntg/core';
import { sql } from 'kysely';
import type { DatabaseHandle } from './connection.ts';
import { createStores, createUnitOfWork, type Stores } from './stores.ts';

type Work = (stores: Stores) => Promise<unknown>;

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

  async function runBatch(batch: readonly Work[]): Promise<BatchOutcome<unknown>[]> {
    const [only] = batch;
    if (batch.length === 1 && only !== undefined) {
      // Alone in its batch, a unit is its own transaction: no savepoint needed.
      try {
        return [
          {
            ok: true,
            value: await handle.dialect.withWriteTransaction(handle.db, (trx) =>
              only(createStores(trx, handle.dialect)),
            ),
          },
        ];
      } catch (error) {
        return [{ ok: false, error }];
      }
    }
    // A failure of the shared transaction (BEGIN, COMMIT or a savepoint) throws: nothing of the batch committed,
    // and the batcher rejects every unit of it.
    return handle.dialect.withWriteTransaction(handle.db, async (trx) => {
      const stores = createStores(trx, handle.dialect);
      const outcomes: BatchOutcome<unknown>[] = [];
      for (const work of batch) {
        await sql`savepoint ntg_unit`.execute(trx);
        try {
          const value = await work(stores);
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

  const batcher = createCommitBatcher<Work, unknown>(runBatch, { maxBatch });
  return {
    run<T>(work: (stores: Stores) => Promise<T>): Promise<T> {
      return batcher.submit(work) as Promise<T>;
    },
  };
}
