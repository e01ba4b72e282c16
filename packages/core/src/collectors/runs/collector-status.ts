import {
  type CollectorRun,
  type CollectorRunKind,
  type CollectorStatusEntry,
  type CollectorStatusResponse,
  collectorRunKinds,
} from '@ntg/contracts';
import type { JobState } from '../../shared/job-lease.ts';
import type { CollectorKindStats } from './collector-run-store.ts';

/**
 * How old a collector's newest good run may be before the console calls it stale: the TLS scan runs daily (two
 * days allow one missed run); MDM posture is read monthly (A17.4 asks for posture kept current); the network scan
 * quarterly (A23's inventory is reviewed yearly, and a quarter catches devices before the review); app packages are
 * inspected per release, and releases come at least yearly (A20.3's yearly test).
 */
export const staleAfterDays: Record<CollectorRunKind, number> = {
  'tls-scan': 2,
  'mdm-import': 31,
  'nmap-import': 92,
  'app-inspect': 366,
};

/** The name of the scheduled job that runs the daily TLS scans (scheduled_jobs.job). */
export const dailyTlsScanJob = 'tls-scans';

const dayMs = 86_400_000;

/** The next start of an Asia/Taipei day (16:00 UTC) after `now`. */
function nextTaipeiMidnight(now: Date): Date {
  const taipei = new Date(now.getTime() + 8 * 3_600_000);
  const next = Date.UTC(taipei.getUTCFullYear(), taipei.getUTCMonth(), taipei.getUTCDate() + 1);
  return new Date(next - 8 * 3_600_000);
}

/**
 * When the daily job next runs: tomorrow (Asia/Taipei) when today is done, at the retry time after a failure,
 * otherwise at the next check. Null when the schedule is off.
 */
export function nextDailyRun(state: JobState | null, now: Date, today: string, scheduled: boolean): string | null {
  if (!scheduled) return null;
  if (state?.donePeriod === today) return nextTaipeiMidnight(now).toISOString();
  if (state?.leaseUntil != null && state.leaseUntil > now.toISOString()) return state.leaseUntil;
  return now.toISOString();
}

/** One entry per collector kind, in a fixed order, from the run statistics and the newest run of each kind. */
export function collectorStatusOf(input: {
  organizationId: string;
  now: Date;
  stats: readonly CollectorKindStats[];
  latest: ReadonlyMap<CollectorRunKind, CollectorRun>;
  nextScheduledAt: Partial<Record<CollectorRunKind, string | null>>;
}): CollectorStatusResponse {
  const byKind = new Map(input.stats.map((s) => [s.kind, s]));
  const collectors = collectorRunKinds.map((kind): CollectorStatusEntry => {
    const stats = byKind.get(kind);
    const lastRun = input.latest.get(kind) ?? null;
    const limit = staleAfterDays[kind];
    let health: CollectorStatusEntry['health'];
    if (stats === undefined || lastRun === null) health = 'never';
    else if (lastRun.status === 'error') health = 'failing';
    else if (stats.lastOkAt === null || input.now.getTime() - Date.parse(stats.lastOkAt) > limit * dayMs)
      health = 'stale';
    else health = 'ok';
    return {
      kind,
      runs: stats?.runs ?? 0,
      lastRun,
      lastOkAt: stats?.lastOkAt ?? null,
      errorsSinceOk: stats?.errorsSinceOk ?? 0,
      health,
      staleAfterDays: limit,
      nextScheduledAt: input.nextScheduledAt[kind] ?? null,
    };
  });
  return { organizationId: input.organizationId, generatedAt: input.now.toISOString(), collectors };
}
