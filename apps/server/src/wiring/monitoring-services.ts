import type { UnitOfWork } from '@ntg/core';
import {
  type AnalysisThresholds,
  type AuditTrail,
  type Clock,
  createMonitoringService,
  type MonitoringService,
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
