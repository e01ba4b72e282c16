import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import { taipeiDate } from '../evaluation/taipei-date.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import type { Finding, FindingEvent, FindingQuery, FindingStore } from './finding-store.ts';

interface Stores {
  findings: Pick<FindingStore, 'get' | 'update' | 'addEvents'>;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

export interface RiskAcceptance {
  approver: string;
  reason: string;
  /** YYYY-MM-DD; the finding reopens after this day if the rule still fails. */
  until: string;
}

export interface FindingService {
  page(organizationId: string, query: FindingQuery): Promise<{ findings: Finding[]; total: number }>;
  /** Counts by severity and owner over every finding in `statuses` (the dashboard's charts). */
  summary: FindingStore['summary'];
  get(organizationId: string, id: string): Promise<{ finding: Finding; events: FindingEvent[] }>;
  assign(
    ctx: ActorContext,
    organizationId: string,
    id: string,
    assignee: string | null,
    revision: number,
  ): Promise<Finding>;
  acceptRisk(
    ctx: ActorContext,
    organizationId: string,
    id: string,
    acceptance: RiskAcceptance,
    revision: number,
  ): Promise<Finding>;
  resolve(ctx: ActorContext, organizationId: string, id: string, note: string, revision: number): Promise<Finding>;
}

/** Maximum span of one risk acceptance: a year, after which someone must look again. */
export const maxAcceptanceDays = 366;

export function createFindingService(deps: {
  uow: UnitOfWork<Stores>;
  findings: Pick<FindingStore, 'page' | 'summary' | 'get' | 'events'>;
  audit: AuditTrail;
  clock: Clock;
}): FindingService {
  const { uow, audit, clock } = deps;

  async function change(
    ctx: ActorContext,
    organizationId: string,
    id: string,
    revision: number,
    action: string,
    apply: (f: Finding, today: string) => { next: Partial<Finding>; details: Record<string, unknown> },
  ): Promise<Finding> {
    return uow.run(async (s) => {
      const current = await s.findings.get(organizationId, id);
      if (current === null) throw new AppError('NOT_FOUND', `No finding "${id}".`);
      if (current.revision !== revision) {
        throw new AppError(
          'CONFLICT',
          `Finding ${id} changed since revision ${revision} (now ${current.revision}); reload it.`,
        );
      }
      const now = clock.now();
      const { next, details } = apply(current, taipeiDate(now));
      const updated: Finding = { ...current, ...next, revision: current.revision + 1, updatedAt: now.toISOString() };
      if (!(await s.findings.update(updated, revision)))
        throw new AppError('CONFLICT', `Finding ${id} changed meanwhile; reload it.`);
      await s.findings.addEvents([
        { organizationId, findingId: id, at: updated.updatedAt, actor: ctx.actor.id, event: action, details },
      ]);
      await audit.record(s.audit, ctx, {
        organizationId,
        action: `finding.${action}`,
        objectType: 'finding',
        objectId: id,
        details,
      });
      return updated;
    });
  }

  return {
    page: (organizationId, query) => deps.findings.page(organizationId, query),
    summary: (organizationId, statuses) => deps.findings.summary(organizationId, statuses),

    async get(organizationId, id) {
      const finding = await deps.findings.get(organizationId, id);
      if (finding === null) throw new AppError('NOT_FOUND', `No finding "${id}".`);
      return { finding, events: await deps.findings.events(organizationId, id) };
    },

    assign: (ctx, organizationId, id, assignee, revision) =>
      change(ctx, organizationId, id, revision, 'assigned', (f) => ({
        next: { assignee },
        details: { from: f.assignee, to: assignee },
      })),

    acceptRisk: (ctx, organizationId, id, acceptance, revision) =>
      change(ctx, organizationId, id, revision, 'risk-accepted', (f, today) => {
        if (f.status !== 'open')
          throw new AppError('CONFLICT', `Only an open finding can have its risk accepted; this one is ${f.status}.`);
        if (acceptance.until <= today) {
          throw new AppError('VALIDATION_FAILED', 'A risk acceptance must end after today.', {
            issues: [{ path: 'until', message: 'in the past' }],
          });
        }
        const days = Math.round((Date.parse(acceptance.until) - Date.parse(today)) / 86_400_000);
        if (days > maxAcceptanceDays) {
          throw new AppError(
            'VALIDATION_FAILED',
            `A risk acceptance lasts at most ${maxAcceptanceDays} days; review it again then.`,
            {
              issues: [{ path: 'until', message: 'too far ahead' }],
            },
          );
        }
        return {
          next: {
            status: 'accepted',
            acceptedBy: acceptance.approver,
            acceptedReason: acceptance.reason,
            acceptedUntil: acceptance.until,
          },
          details: { approver: acceptance.approver, reason: acceptance.reason, until: acceptance.until },
        };
      }),

    resolve: (ctx, organizationId, id, note, revision) =>
      change(ctx, organizationId, id, revision, 'resolved', (f) => {
        // Resolving a finding whose rule still fails would hide it: fix the record (the next evaluation marks the
        // finding fixed) or accept the risk with an approver.
        if (f.status !== 'fixed') {
          throw new AppError(
            'CONFLICT',
            f.status === 'resolved'
              ? 'This finding is already resolved.'
              : 'The rule still fails for this finding: fix the record first (the evaluation then marks it fixed), or accept the risk.',
          );
        }
        return {
          next: { status: 'resolved', resolvedAt: clock.now().toISOString(), resolvedBy: ctx.actor.id },
          details: { note },
        };
      }),
  };
}
