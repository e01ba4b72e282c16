import type { NotificationDispatcher } from '@ntg/core';
import type { FastifyBaseLogger } from 'fastify';

export interface NotificationScheduler {
  /** Runs the dispatcher now and then every `intervalMs` (one run at a time in this process). */
  start(): void;
  /** Stops the timer and waits for the run in flight. */
  stop(): Promise<void>;
}

/**
 * Empties the outbox on a timer. Several instances may run this at once: the claim in `runOnce` gives each due
 * notification to one of them. A full batch runs again at once, so a backlog drains without waiting for the timer.
 */
export function createNotificationScheduler(deps: {
  dispatcher: NotificationDispatcher;
  logger?: FastifyBaseLogger;
  intervalMs?: number;
  batchSize?: number;
}): NotificationScheduler {
  const intervalMs = deps.intervalMs ?? 15_000;
  let interval: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let stopped = false;

  async function drain(): Promise<void> {
    for (let rounds = 0; rounds < 20 && !stopped; rounds += 1) {
      const r = await deps.dispatcher.runOnce();
      if (r.claimed > 0) deps.logger?.info(r, 'notifications dispatched');
      if (deps.batchSize === undefined || r.claimed < deps.batchSize) return;
    }
  }

  function tick(): void {
    if (running !== null || stopped) return;
    running = drain()
      .catch((error: unknown) => deps.logger?.error({ err: error }, 'notification dispatch failed'))
      .finally(() => {
        running = null;
      });
  }

  return {
    start() {
      tick();
      interval = setInterval(tick, intervalMs);
      interval.unref();
    },
    async stop() {
      stopped = true;
      if (interval !== undefined) clearInterval(interval);
      await running;
    },
  };
}
