import type { EvaluationService, OrganizationService, RecordChangeListener, RunTrigger } from '@ntg/core';
import type { FastifyBaseLogger } from 'fastify';

export interface EvaluationScheduler extends RecordChangeListener {
  /** Evaluates every organization now, then every `intervalMs`, so that time alone can turn a pass into a fail. */
  start(): void;
  /** Stops the timers and waits for runs in flight. */
  stop(): Promise<void>;
  /** Runs what is pending at once and waits (tests, imports). */
  flush(): Promise<void>;
}

const system = { actor: { type: 'system' as const, id: 'scheduler' }, source: null };

/**
 * Re-evaluates an organization shortly after its data changes (changes in a burst are coalesced) and on a schedule.
 * One run per organization at a time in this process; a change during a run queues exactly one more.
 */
export function createEvaluationScheduler(deps: {
  evaluation: Pick<EvaluationService, 'run'>;
  organizations: Pick<OrganizationService, 'list'>;
  logger?: FastifyBaseLogger;
  debounceMs?: number;
  intervalMs?: number;
}): EvaluationScheduler {
  const debounceMs = deps.debounceMs ?? 1500;
  const intervalMs = deps.intervalMs ?? 3_600_000;
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  let interval: NodeJS.Timeout | undefined;
  let stopped = false;

  function runNow(organizationId: string, trigger: RunTrigger): Promise<void> {
    const inFlight = running.get(organizationId);
    if (inFlight !== undefined) {
      again.add(organizationId);
      return inFlight;
    }
    const p = deps.evaluation
      .run(system, organizationId, trigger)
      .then((run) =>
        deps.logger?.info({ organizationId, runId: run.id, trigger, score: run.score }, 'evaluation finished'),
      )
      .catch((error: unknown) => deps.logger?.error({ err: error, organizationId }, 'evaluation failed'))
      .finally(() => {
        running.delete(organizationId);
        if (again.delete(organizationId) && !stopped) void runNow(organizationId, 'change');
      });
    running.set(organizationId, p);
    return p;
  }

  async function runAll(trigger: RunTrigger) {
    for (const org of await deps.organizations.list()) await runNow(org.id, trigger);
  }

  return {
    recordsChanged(organizationId) {
      if (stopped) return;
      const existing = timers.get(organizationId);
      if (existing !== undefined) clearTimeout(existing);
      const timer = setTimeout(() => {
        timers.delete(organizationId);
        void runNow(organizationId, 'change');
      }, debounceMs);
      timer.unref();
      timers.set(organizationId, timer);
    },
    start() {
      void runAll('start').catch((error: unknown) => deps.logger?.error({ err: error }, 'start-up evaluation failed'));
      interval = setInterval(() => void runAll('schedule').catch(() => undefined), intervalMs);
      interval.unref();
    },
    async stop() {
      stopped = true;
      if (interval !== undefined) clearInterval(interval);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await Promise.all(running.values());
    },
    async flush() {
      const pending = [...timers.keys()];
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await Promise.all(pending.map((id) => runNow(id, 'change')));
      await Promise.all(running.values());
    },
  };
}
