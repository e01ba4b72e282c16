import type { Obligation, RuleResult } from '@ntg/contracts';
import { addDays } from '../evaluation/taipei-date.ts';
import { newId } from '../shared/ids.ts';
import type { Finding, FindingEvent, Severity } from './finding-store.ts';

/** Severity follows the obligation: a `shall` duty that fails is high. */
export const severityOf: Record<Obligation, Severity> = { shall: 'high', should: 'medium', advised: 'low' };

/** Days to fix a new finding, by severity, unless the failing duty already carries a later due date. */
export const remediationDays: Record<Severity, number> = { high: 30, medium: 60, low: 90 };

export function findingKey(requirementId: string, recordType: string | null, recordId: string | null): string {
  return `${requirementId}|${recordType ?? ''}|${recordId ?? ''}`;
}

export interface SyncInput {
  organizationId: string;
  existing: readonly Finding[];
  results: readonly RuleResult[];
  obligationOf(requirementId: string): Obligation | null;
  ownerOf(result: RuleResult): string;
  now: Date;
  today: string;
}

export interface SyncOutcome {
  inserts: Finding[];
  updates: Finding[];
  events: FindingEvent[];
  opened: number;
  reopened: number;
  fixed: number;
}

/**
 * Brings findings in line with an evaluation: each failing result opens a finding; a fixed or resolved finding
 * reopens when its rule fails again; an accepted risk reopens when its acceptance has expired; an open finding
 * whose rule no longer fails becomes `fixed`, waiting for a person to confirm and resolve it.
 */
export function syncFindings(input: SyncInput): SyncOutcome {
  const at = input.now.toISOString();
  const failing = new Map<string, RuleResult>();
  for (const r of input.results)
    if (r.status === 'fail') failing.set(findingKey(r.requirementId, r.recordType, r.recordId), r);

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
  for (const f of input.existing) {
    const key = findingKey(f.requirementId, f.recordType, f.recordId);
    seen.add(key);
    const result = failing.get(key);
    if (result !== undefined) {
      const reopens = f.status === 'fixed' || f.status === 'resolved';
      const expired = f.status === 'accepted' && f.acceptedUntil !== null && f.acceptedUntil < input.today;
      // Unchanged findings are not rewritten, nor copied: a run over 100,000 records touches only what changed.
      if (!reopens && !expired && f.reason === result.reason && f.resultStatus === 'fail') continue;
      const base = {
        ...f,
        reason: result.reason,
        resultStatus: 'fail',
        lastSeenAt: at,
        recordName: result.recordName ?? f.recordName,
      };
      if (reopens) {
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
      } else if (expired) {
        const reopened = { ...base, status: 'open' as const, revision: f.revision + 1, updatedAt: at };
        out.updates.push(reopened);
        event(reopened, 'risk-acceptance-expired', { acceptedUntil: f.acceptedUntil, acceptedBy: f.acceptedBy });
        out.reopened += 1;
      } else {
        out.updates.push({ ...base, revision: f.revision + 1, updatedAt: at });
      }
    } else if (f.status === 'open' || f.status === 'accepted') {
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
