import type { DispatchResult, NotificationDispatcher } from '@ntg/core';
import { describe, expect, it } from 'vitest';
import { createNotificationScheduler } from '../src/scheduling/notification-scheduler.ts';

function fakeDispatcher(batches: number[]): NotificationDispatcher & { runs: number } {
  const d = {
    runs: 0,
    async runOnce(): Promise<DispatchResult> {
      const claimed = batches[d.runs] ?? 0;
      d.runs += 1;
      return { claimed, sent: claimed, retried: 0, failed: 0 };
    },
  };
  return d;
}

describe('notification scheduler', () => {
  it('runs at start and keeps draining while batches come back full', async () => {
    const dispatcher = fakeDispatcher([10, 10, 3]);
    const scheduler = createNotificationScheduler({ dispatcher, batchSize: 10, intervalMs: 60_000 });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 20));
    await scheduler.stop();
    expect(dispatcher.runs).toBe(3);
  });

  it('keeps running after a failed run', async () => {
    let runs = 0;
    const scheduler = createNotificationScheduler({
      dispatcher: {
        async runOnce() {
          runs += 1;
          throw new Error('database went away');
        },
      },
      intervalMs: 5,
    });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 40));
    await scheduler.stop();
    expect(runs).toBeGreaterThan(1);
  });
});
