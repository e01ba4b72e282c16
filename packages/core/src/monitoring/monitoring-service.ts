import { createHash } from 'node:crypto';
import type { MonitoringReport } from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import { addDays, taipeiDate } from '../evaluation/taipei-date.ts';
import { AppError } from '../shared/app-error.ts';
import { canonicalJson } from '../shared/canonical-json.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { type AnalysisThresholds, analyseDay, taipeiDayWindow } from './failed-login-analysis.ts';
import type { MonitoringStore } from './monitoring-store.ts';

export interface MonitoringService {
  /** Analyses one Taipei day (default: yesterday) and keeps the report, audited in the same transaction. */
  generateDaily(ctx: ActorContext, organizationId: string, date?: string): Promise<MonitoringReport>;
  /** The newest report for a day (default: yesterday); NOT_FOUND before one is generated. */
  getDaily(organizationId: string, date?: string): Promise<MonitoringReport>;
  /** Yesterday in Asia/Taipei: the last whole day. */
  defaultDate(): string;
}

export function createMonitoringService(deps: {
  uow: UnitOfWork<{
    monitoring: Pick<MonitoringStore, 'insertReport'>;
    audit: Pick<AuditStore, 'lockHead' | 'append'>;
  }>;
  reads: Pick<MonitoringStore, 'attemptsBetween' | 'locksBetween' | 'latestReport'>;
  audit: AuditTrail;
  clock: Clock;
  thresholds?: Partial<AnalysisThresholds>;
}): MonitoringService {
  const { uow, reads, audit, clock } = deps;
  const defaultDate = () => addDays(taipeiDate(clock.now()), -1);

  function checkedDate(date: string | undefined): string {
    const d = date ?? defaultDate();
    try {
      taipeiDayWindow(d);
    } catch {
      throw new AppError('BAD_REQUEST', `Not a date: ${d}; use YYYY-MM-DD.`);
    }
    return d;
  }

  return {
    defaultDate,

    async generateDaily(ctx, organizationId, date) {
      const day = checkedDate(date);
      const { from, to } = taipeiDayWindow(day);
      const [attempts, locks] = await Promise.all([
        reads.attemptsBetween(organizationId, from, to),
        reads.locksBetween(organizationId, from, to),
      ]);
      const summary = analyseDay({
        attempts,
        date: day,
        locks,
        ...(deps.thresholds && { thresholds: deps.thresholds }),
      });
      const report: MonitoringReport = {
        id: newId('mrep'),
        organizationId,
        date: day,
        generatedAt: clock.now().toISOString(),
        summary,
        sha256: createHash('sha256').update(canonicalJson(summary)).digest('hex'),
      };
      await uow.run(async (s) => {
        await s.monitoring.insertReport(report);
        await audit.record(s.audit, ctx, {
          organizationId,
          action: 'monitoring.daily-report',
          objectType: 'monitoring-report',
          objectId: report.id,
          details: {
            date: day,
            sha256: report.sha256,
            failures: summary.counts.failures,
            unknownIdentifier: summary.counts.unknownIdentifier,
            patterns: summary.patterns.map((p) => p.type),
          },
        });
      });
      return report;
    },

    async getDaily(organizationId, date) {
      const day = checkedDate(date);
      const report = await reads.latestReport(organizationId, day);
      if (report === null) throw new AppError('NOT_FOUND', `No daily monitoring report for ${day} yet.`);
      return report;
    },
  };
}
