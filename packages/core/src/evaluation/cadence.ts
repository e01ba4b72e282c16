import type { CatalogNode } from '@ntg/contracts';
import { addDays, addMonths } from './taipei-date.ts';

/**
 * How long a duty stays done, read from the catalog node's cadence and parameters, never from constants in rules:
 * A12.1 "at least once a year", A23 "at least once a year", A37.6 "more than three months", A20.3 "yearly".
 * `periodic` and `continuous` have no period in the text; the organization's review period applies (12 months by
 * default) so that "regular" reviews still fall due.
 */
export interface CadencePolicy {
  /** Months for `periodic` duties where the directions give no number. */
  periodicMonths: number;
}

export const defaultCadencePolicy: CadencePolicy = { periodicMonths: 12 };

export type Period = { months: number } | { days: number };

const periodCache = new WeakMap<CatalogNode, Map<number, Period | null>>();

/** The node's period under a policy; cached, since rules ask once per record (100,000 devices). */
export function periodOf(node: CatalogNode, policy: CadencePolicy = defaultCadencePolicy): Period | null {
  let byPolicy = periodCache.get(node);
  if (byPolicy === undefined) {
    byPolicy = new Map();
    periodCache.set(node, byPolicy);
  }
  const cached = byPolicy.get(policy.periodicMonths);
  if (cached !== undefined) return cached;
  const period = computePeriod(node, policy);
  byPolicy.set(policy.periodicMonths, period);
  return period;
}

function computePeriod(node: CatalogNode, policy: CadencePolicy): Period | null {
  const monthsParam = node.parameters.find((p) => /months?$/i.test(p.name) && typeof p.value === 'number');
  switch (node.cadence) {
    case 'daily':
      return { days: 1 };
    case 'three-months':
      return { months: typeof monthsParam?.value === 'number' ? monthsParam.value : 3 };
    case 'yearly':
      return { months: 12 };
    case 'periodic':
    case 'continuous':
      return { months: policy.periodicMonths };
    default:
      return null;
  }
}

const dueCache = new Map<string, string>();

/** The date by which a duty last done on `last` must be done again. Memoized: the same dates recur across records. */
export function nextDue(last: string, period: Period): string {
  const key = 'days' in period ? `${last}+${period.days}d` : `${last}+${period.months}m`;
  let due = dueCache.get(key);
  if (due === undefined) {
    due = 'days' in period ? addDays(last, period.days) : addMonths(last, period.months);
    if (dueCache.size > 100_000) dueCache.clear();
    dueCache.set(key, due);
  }
  return due;
}
