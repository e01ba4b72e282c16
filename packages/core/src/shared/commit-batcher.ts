/** What one item of a batch came to. */
export type BatchOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Queues items and hands them to `write` in batches of at most `maxBatch`, one batch at a time: items that arrive while
 * a batch is written form the next one, and items submitted in the same turn of the event loop share a batch. Each
 * caller's promise settles with its own outcome only after `write` returns, that is after the batch's commit; when
 * `write` throws (the shared transaction or its COMMIT failed), every item of the batch is rejected with that error,
 * so no caller ever acts on a write that was not committed. At low load a batch holds one item.
 */
export function createCommitBatcher<I, O>(
  write: (batch: readonly I[]) => Promise<BatchOutcome<O>[]>,
  maxBatch: number,
): (item: I) => Promise<O> {
  const queue: { item: I; resolve(value: O): void; reject(error: unknown): void }[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        // Let the event loop finish its turn first, so the requests it is handling join this batch.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const batch = queue.splice(0, maxBatch);
        let outcomes: BatchOutcome<O>[];
        try {
          outcomes = await write(batch.map((p) => p.item));
        } catch (error) {
          for (const p of batch) p.reject(error);
          continue;
        }
        batch.forEach((p, i) => {
          const o = outcomes[i];
          if (o === undefined) p.reject(new Error('The batch gave this item no outcome.'));
          else if (o.ok) p.resolve(o.value);
          else p.reject(o.error);
        });
      }
    } finally {
      draining = false;
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!draining) void drain();
    });
}
