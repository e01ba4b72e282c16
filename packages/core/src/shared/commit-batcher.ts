/** What one item of a batch came to. */
export type BatchOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A place announced in a coming batch: the item is on its way (being verified) and the batch may wait for it. */
export interface BatchReservation<I, O> {
  submit(item: I): Promise<O>;
  /** The item will not come (its verification refused it); idempotent, and a no-op after `submit`. */
  cancel(): void;
}

export interface CommitBatcher<I, O> {
  submit(item: I): Promise<O>;
  /**
   * Announces an item before it is ready. While announced items are on their way, a batch about to be written waits
   * for them (at most `maxWaitMs`), so that concurrent requests share one commit instead of each paying its own: the
   * commit (an fsync on SQLite) would otherwise be paid by whichever request happened to finish first.
   */
  reserve(): BatchReservation<I, O>;
}

/**
 * Queues items and hands them to `write` in batches of at most `maxBatch`, one batch at a time: items that arrive while
 * a batch is written form the next one, and items submitted in the same turn of the event loop share a batch. Each
 * caller's promise settles with its own outcome only after `write` returns, that is after the batch's commit; when
 * `write` throws (the shared transaction or its COMMIT failed), every item of the batch is rejected with that error,
 * so no caller ever acts on a write that was not committed. At low load a batch holds one item.
 */
export function createCommitBatcher<I, O>(
  write: (batch: readonly I[]) => Promise<BatchOutcome<O>[]>,
  options: { maxBatch: number; maxWaitMs?: number },
): CommitBatcher<I, O> {
  const { maxBatch } = options;
  const maxWaitMs = options.maxWaitMs ?? 0;
  const queue: { item: I; resolve(value: O): void; reject(error: unknown): void }[] = [];
  let draining = false;
  let reserved = 0;
  let wake: (() => void) | null = null;

  const ready = () => reserved === 0 || queue.length >= maxBatch;

  function notify(): void {
    if (wake !== null && ready()) wake();
  }

  /** Resolves once no announced item is on its way (or the batch is full), or after `maxWaitMs`. */
  function awaitReserved(): Promise<void> {
    if (ready() || maxWaitMs <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, maxWaitMs);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        // Let the event loop finish its turn first, so the requests it is handling join this batch.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await awaitReserved();
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

  function submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      notify();
      if (!draining) void drain();
    });
  }

  return {
    submit,
    reserve() {
      reserved += 1;
      let open = true;
      const close = () => {
        if (!open) return;
        open = false;
        reserved -= 1;
      };
      return {
        submit(item) {
          close();
          return submit(item);
        },
        cancel() {
          close();
          notify();
        },
      };
    },
  };
}
