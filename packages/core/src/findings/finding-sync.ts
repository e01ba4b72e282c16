import type { Obligation, RuleResult } from '@ntg/contracts';
import { addDays } from '../evaluation/taipei-date.ts';
import { newId } from '../shared/ids.ts';
import type { Finding, FindingEvent, FindingSyncRow, Severity } from './finding-store.ts';

/** Severity follows the obligation: a `shall` duty that fails is high. */
export const severityOf: Record<Obligation, Severity> = { shall: 'high', should: 'medium', advised: 'low' };

/** Days to fix a new finding, by severity, unless the failing duty already carries a later due date. */
export const remediationDays: Record<Severity, number> = { high: 30, medium: 60, low: 90 };

export function findingKey(requirementId: string, recordType: string | null, recordId: string | null): string {
  return `${requirementId}|${recordType ?? ''}|${recordId ?? ''}`;
}

export interface SyncInput<F extends FindingSyncRow = Finding> {
  organizationId: string;
  existing: readonly F[];
  results: readonly RuleResult[];
  obligationOf(requirementId: string): Obligation | null;
  ownerOf(result: RuleResult): string;
  now: Date;
  today: string;
  /** The failing results by finding key (`failingByKey(results)`), when the caller already has them. */
  failing?: ReadonlyMap<string, RuleResult>;
}

export interface SyncOutcome {
  inserts: Finding[];
  updates: Finding[];
  events: FindingEvent[];
  opened: number;
  reopened: number;
  fixed: number;
}

/** The failing results of a run by finding key: the last one of a key wins. */
export function failingByKey(results: readonly RuleResult[]): Map<string, RuleResult> {
  const failing = new Map<string, RuleResult>();
  for (const r of results)
    if (r.status === 'fail') failing.set(findingKey(r.requirementId, r.recordType, r.recordId), r);
  return failing;
}

type Change = 'reopen' | 'expire' | 'refresh' | 'fix' | null;

/** What a run does to a stored finding, given the failing result of its key (if any): null leaves it as it is. */
function changeOf(f: FindingSyncRow, result: RuleResult | undefined, today: string): Change {
  if (result !== undefined) {
    if (f.status === 'fixed' || f.status === 'resolved') return 'reopen';
    if (f.status === 'accepted' && f.acceptedUntil !== null && f.acceptedUntil < today) return 'expire';
    // Unchanged findings are not rewritten, nor copied: a run over 100,000 records touches only what changed.
    return f.reason === result.reason && f.resultStatus === 'fail' ? null : 'refresh';
  }
  return f.status === 'open' || f.status === 'accepted' ? 'fix' : null;
}

/**
 * The ids of the stored findings `syncFindings` will update: only these need their full rows, the rest are read
 * by the columns `FindingSyncRow` names.
 */
export function findingsToChange(
  existing: readonly FindingSyncRow[],
  failing: ReadonlyMap<string, RuleResult>,
  today: string,
): string[] {
  const ids: string[] = [];
  for (const f of existing)
    if (changeOf(f, failing.get(findingKey(f.requirementId, f.recordType, f.recordId)), today) !== null) ids.push(f.id);
  return ids;
}

/**
 * Brings findings in line with an evaluation: each failing result opens a finding; a fixed or resolved finding
 * reopens when its rule fails again; an accepted risk reopens when its acceptance has expired; an open finding
 * whose rule no longer fails becomes `fixed`, waiting for a person to confirm and resolve it.
 */
export function syncFindings(input: SyncInput): SyncOutcome {
  return syncWith(input, (f) => f);
}

/**
 * `syncFindings` over stored findings read by their sync columns, with the full rows of those it changes
 * (`findingsToChange`) in `full`.
 */
export function syncFindingRows(
  input: SyncInput<FindingSyncRow> & { full: ReadonlyMap<string, Finding> },
): SyncOutcome {
  return syncWith(input, (f) => {
    const found = input.full.get(f.id);
    if (found === undefined) throw new Error(`Finding ${f.id} changes but its full row was not read.`);
    return found;
  });
}

function syncWith<F extends FindingSyncRow>(input: SyncInput<F>, fullOf: (f: F) => Finding): SyncOutcome {
  const at = input.now.toISOString();
  const failing = input.failing ?? failingByKey(input.results);

  const out: SyncOutcome = { inserts: [], updates: [], events: [], opened: 0, reopened: 0, fixed: 0 };
  const event = (f: Finding, name: string, details: Record<string, unknown>) =>
    out.events.push({
      organizationId: input.organizationId,
      findingId: f.id,
      at,
      actor: 'system:evaluation',
      event: name,
      details,
    });

  const seen = new Set<string>();
  for (const row of input.existing) {
    const key = findingKey(row.requirementId, row.recordType, row.recordId);
    seen.add(key);
    const result = failing.get(key);
    const change = changeOf(row, result, input.today);
    if (change === null) continue;
    const f = fullOf(row);
    if (result !== undefined) {
      const base = {
        ...f,
        reason: result.reason,
        resultStatus: 'fail',
        lastSeenAt: at,
        recordName: result.recordName ?? f.recordName,
      };
      if (change === 'reopen') {
        const reopened = {
          ...base,
          status: 'open' as const,
          resolvedAt: null,
          resolvedBy: null,
          revision: f.revision + 1,
          updatedAt: at,
        };
        out.updates.push(reopened);
        event(reopened, 'reopened', { reason: result.reason, previousStatus: f.status });
        out.reopened += 1;
      } else if (change === 'expire') {
        const reopened = { ...base, status: 'open' as const, revision: f.revision + 1, updatedAt: at };
        out.updates.push(reopened);
        event(reopened, 'risk-acceptance-expired', { acceptedUntil: f.acceptedUntil, acceptedBy: f.acceptedBy });
        out.reopened += 1;
      } else {
        out.updates.push({ ...base, revision: f.revision + 1, updatedAt: at });
      }
    } else {
      const fixed = { ...f, status: 'fixed' as const, resultStatus: 'pass', revision: f.revision + 1, updatedAt: at };
      out.updates.push(fixed);
      event(fixed, 'fixed', { note: 'the rule no longer fails' });
      out.fixed += 1;
    }
  }

  for (const [key, r] of failing) {
    if (seen.has(key)) continue;
    const severity = severityOf[input.obligationOf(r.requirementId) ?? 'shall'];
    const byPolicy = addDays(input.today, remediationDays[severity]);
    const finding: Finding = {
      organizationId: input.organizationId,
      id: newId('fnd'),
      requirementId: r.requirementId,
      recordType: r.recordType,
      recordId: r.recordId,
      recordName: r.recordName,
      status: 'open',
      severity,
      reason: r.reason,
      resultStatus: 'fail',
      owner: input.ownerOf(r),
      assignee: null,
      dueDate: r.dueDate !== null && r.dueDate > byPolicy ? r.dueDate : byPolicy,
      acceptedBy: null,
      acceptedReason: null,
      acceptedUntil: null,
      resolvedAt: null,
      resolvedBy: null,
      firstSeenAt: at,
      lastSeenAt: at,
      revision: 1,
      updatedAt: at,
    };
    out.inserts.push(finding);
    event(finding, 'opened', { reason: r.reason });
    out.opened += 1;
  }
  return out;
}
