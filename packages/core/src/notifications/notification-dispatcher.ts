import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import type {
  ClaimedNotification,
  NotificationChannel,
  NotificationStore,
  OutboxNotification,
} from './notification-store.ts';

/** Delivers one notification; throws when it was not delivered. */
export interface NotificationAdapter {
  send(notification: OutboxNotification): Promise<void>;
}

/** Waits after the 1st, 2nd, … failed attempt; after the last one the notification is marked failed. */
export const notificationBackoffMs: readonly number[] = [
  60_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  12 * 3_600_000,
];

/** When a failed attempt is retried, or null when it was the last one (pure, for the policy tests). */
export function nextAttemptAfter(attempts: number, failedAt: Date): Date | null {
  const wait = notificationBackoffMs[attempts - 1];
  return wait === undefined ? null : new Date(failedAt.getTime() + wait);
}

export interface DispatchResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

export interface NotificationDispatcher {
  /** Claims the due notifications, delivers them and settles each; safe to run on several instances at once. */
  runOnce(): Promise<DispatchResult>;
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, 1000);
}

export function createNotificationDispatcher(deps: {
  store: Pick<NotificationStore, 'claimDue' | 'markSent' | 'markRetry' | 'markFailed' | 'recordDelivery'>;
  adapters: Partial<Record<NotificationChannel, NotificationAdapter>>;
  clock: Clock;
  batchSize?: number;
  /** How long a claim hides a row from other dispatchers: longer than any adapter's timeout. */
  leaseMs?: number;
}): NotificationDispatcher {
  const { store, adapters, clock } = deps;
  const batchSize = deps.batchSize ?? 50;
  const leaseMs = deps.leaseMs ?? 5 * 60_000;

  async function deliver(n: ClaimedNotification, result: DispatchResult): Promise<void> {
    const adapter = adapters[n.channel];
    let error: string | null = null;
    try {
      if (adapter === undefined) throw new Error(`no adapter is configured for the ${n.channel} channel`);
      await adapter.send(n);
    } catch (e) {
      error = messageOf(e);
    }
    const at = clock.now();
    // The delivery record is kept whatever happens next (A38.2: keep the records).
    await store.recordDelivery({
      organizationId: n.organizationId,
      notificationId: n.id,
      attempt: n.attempts,
      at: at.toISOString(),
      outcome: error === null ? 'sent' : 'error',
      error,
    });
    if (error === null) {
      await store.markSent(n, at.toISOString());
      result.sent += 1;
      return;
    }
    const next = nextAttemptAfter(n.attempts, at);
    if (next === null) {
      await store.markFailed(n, error);
      result.failed += 1;
    } else {
      await store.markRetry(n, next.toISOString(), error);
      result.retried += 1;
    }
  }

  return {
    async runOnce() {
      const now = clock.now();
      const token = randomBytes(12).toString('base64url');
      const claimed = await store.claimDue(
        now.toISOString(),
        new Date(now.getTime() + leaseMs).toISOString(),
        batchSize,
        token,
      );
      const result: DispatchResult = { claimed: claimed.length, sent: 0, retried: 0, failed: 0 };
      for (const n of claimed) await deliver(n, result);
      return result;
    },
  };
}
