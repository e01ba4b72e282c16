import {
  type ActorContext,
  type AnalysisThresholds,
  type AuditTrail,
  addDays,
  type Clock,
  createMonitoringService,
  gatewayReportWindowDays,
  laterDate,
  type MonitoringService,
  type OrganizationService,
  taipeiDate,
  type UnitOfWork,
} from '@ntg/core';
import type { Stores } from '@ntg/db';

/** A37.7: the daily failed-login analysis over the shared stores, audited through the shared trail. */
export function createMonitoringServices(deps: {
  uow: UnitOfWork<Stores>;
  stores: Pick<Stores, 'monitoring'>;
  audit: AuditTrail;
  clock: Clock;
  thresholds?: Partial<AnalysisThresholds>;
}): { monitoring: MonitoringService } {
  return {
    monitoring: createMonitoringService({
      uow: deps.uow,
      reads: deps.stores.monitoring,
      audit: deps.audit,
      clock: deps.clock,
      ...(deps.thresholds !== undefined && { thresholds: deps.thresholds }),
    }),
  };
}

/**
 * The daily job of A37.7, run once a day across instances: for every organization the gateway has served, each
 * day of the last two weeks up to yesterday (Asia/Taipei) that has no report gets one. A day missed while every
 * instance was down is caught up from the stored attempts, so only a job that does not run at all leaves a gap,
 * which the A37.7 check then reports.
 */
export async function analyseDueDays(deps: {
  organizations: Pick<OrganizationService, 'list'>;
  monitoring: MonitoringService;
  stores: Pick<Stores, 'monitoring'>;
  clock: Clock;
}): Promise<{ organizationId: string; generated: string[] }[]> {
  const actor: ActorContext = { actor: { type: 'system', id: 'monitoring-daily' }, source: null };
  const yesterday = addDays(taipeiDate(deps.clock.now()), -1);
  const out: { organizationId: string; generated: string[] }[] = [];
  for (const org of await deps.organizations.list()) {
    const first = await deps.stores.monitoring.firstAttemptAt(org.id);
    if (first === null) continue;
    const windowStart = addDays(yesterday, -(gatewayReportWindowDays - 1));
    const firstDate = taipeiDate(new Date(first));
    const from = laterDate(firstDate, windowStart);
    const have = new Set(await deps.stores.monitoring.reportDates(org.id, from, yesterday));
    const generated: string[] = [];
    for (let day = from; day <= yesterday; day = addDays(day, 1)) {
      if (have.has(day)) continue;
      await deps.monitoring.generateDaily(actor, org.id, day);
      generated.push(day);
    }
    out.push({ organizationId: org.id, generated });
  }
  return out;
}
