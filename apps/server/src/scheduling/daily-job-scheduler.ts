import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Clock, type JobLeaseStore, taipeiDate } from '@ntg/core';
import type { FastifyBaseLogger } from 'fastify';

export interface DailyJobScheduler {
  /** Checks now (after `initialDelayMs`) and then every `checkEveryMs`; runs the job when today is not done. */
  start(): void;
  /** One check: claims today (Asia/Taipei) and runs the job if no instance has done it. True when it ran here. */
  tick(): Promise<boolean>;
  /** Stops the timer and waits for the run in flight. */
  stop(): Promise<void>;
}

/** Who holds a lease: enough for an operator to find the instance in its logs. */
export function instanceHolder(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * Runs a job once per Asia/Taipei day across every instance: each instance checks on a timer, and the claim in the
 * database (core/shared/job-lease.ts) gives the day to one of them. A run that throws is retried after
 * `retryAfterMs`, by whichever instance checks first then; a holder that dies leaves a lease that expires after
 * `leaseMs`, and another instance takes the day over.
 */
export function createDailyJobScheduler(deps: {
  job: string;
  jobs: JobLeaseStore;
  clock: Clock;
  run: () => Promise<void>;
  logger?: FastifyBaseLogger;
  holder?: string;
  checkEveryMs?: number;
  initialDelayMs?: number;
  leaseMs?: number;
  retryAfterMs?: number;
}): DailyJobScheduler {
  const holder = deps.holder ?? instanceHolder();
  const checkEveryMs = deps.checkEveryMs ?? 15 * 60_000;
  const leaseMs = deps.leaseMs ?? 2 * 3_600_000;
  const retryAfterMs = deps.retryAfterMs ?? 3_600_000;
  let timers: NodeJS.Timeout[] = [];
  let running: Promise<boolean> | null = null;
  let stopped = false;

  async function once(): Promise<boolean> {
    const now = deps.clock.now();
    const period = taipeiDate(now);
    const claimed = await deps.jobs.claim({
      job: deps.job,
      period,
      holder,
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
    });
    if (!claimed) return false;
    try {
      await deps.run();
      await deps.jobs.complete({ job: deps.job, period, holder, now: deps.clock.now().toISOString() });
      deps.logger?.info({ job: deps.job, period }, 'daily job finished');
    } catch (error) {
      const at = deps.clock.now();
      await deps.jobs.fail({
        job: deps.job,
        holder,
        now: at.toISOString(),
        error: error instanceof Error ? error.message : String(error),
        retryAt: new Date(at.getTime() + retryAfterMs).toISOString(),
      });
      deps.logger?.error({ err: error, job: deps.job, period }, 'daily job failed; it will be retried');
    }
    return true;
  }

  function tick(): Promise<boolean> {
    if (stopped) return Promise.resolve(false);
    if (running !== null) return running;
    running = once().finally(() => {
      running = null;
    });
    return running;
  }

  const background = () => {
    tick().catch((error: unknown) => deps.logger?.error({ err: error, job: deps.job }, 'daily job check failed'));
  };

  return {
    start() {
      const first = setTimeout(background, deps.initialDelayMs ?? 60_000);
      const every = setInterval(background, checkEveryMs);
      first.unref();
      every.unref();
      timers = [first, every];
    },
    tick,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await running;
    },
  };
}
