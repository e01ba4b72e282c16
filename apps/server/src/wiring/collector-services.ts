import type { CollectorStatusResponse } from '@ntg/contracts';
import {
  type ActorContext,
  type AppPackageService,
  type AuditTrail,
  type Clock,
  type CloudScanOutcome,
  type CollectorRunLog,
  createAppPackageService,
  createCollectorRunLog,
  createMdmImportService,
  createNmapImportService,
  createTlsScanCollector,
  dailyTlsScanJob,
  type EvidenceService,
  type JobLeaseStore,
  type MdmImportService,
  type NmapImportService,
  nextDailyRun,
  type OrganizationService,
  type RecordChangeListener,
  type RegisterService,
  type ScanTlsOptions,
  scanTlsEndpoint,
  type TlsFacts,
  type TlsScanCollector,
  taipeiDate,
  type UnitOfWork,
} from '@ntg/core';
import type { Stores } from '@ntg/db';

export interface CollectorServices {
  collectorRuns: CollectorRunLog;
  nmapImport: NmapImportService;
  mdmImport: MdmImportService;
  appPackages: AppPackageService;
  tlsScans: TlsScanCollector;
}

/**
 * Wires the collectors over the same stores, evidence service, register service and change listener as the rest:
 * every collector run keeps its evidence, writes its run row and audit entry, changes registers through the
 * register service and asks for re-evaluation.
 */
export function createCollectorServices(deps: {
  uow: UnitOfWork<Stores>;
  stores: Pick<Stores, 'collectorRuns'>;
  evidence: EvidenceService;
  registers: RegisterService;
  audit: AuditTrail;
  clock: Clock;
  listener: RecordChangeListener;
  /** The TLS scanner; tests may pass one with a shorter timeout. */
  scanTls?: (options: ScanTlsOptions) => Promise<TlsFacts>;
}): CollectorServices {
  const { uow, stores, evidence, registers, audit, clock, listener } = deps;
  const collectorRuns = createCollectorRunLog({ uow, runs: stores.collectorRuns, evidence, audit, clock, listener });
  return {
    collectorRuns,
    nmapImport: createNmapImportService({ runs: collectorRuns, registers, clock }),
    mdmImport: createMdmImportService({ runs: collectorRuns, registers, clock }),
    appPackages: createAppPackageService({ runs: collectorRuns, registers, clock }),
    tlsScans: createTlsScanCollector({ runs: collectorRuns, registers, scan: deps.scanTls ?? scanTlsEndpoint, clock }),
  };
}

/**
 * The daily TLS scan (A5.3, A35.1): for every organization, the endpoint of every cloud service in use and every
 * registered TLS endpoint with its daily scan on, so an endpoint that starts accepting TLS 1.0 becomes a finding
 * without anyone asking (the run's change signal triggers the evaluation). The labelled demo organization is left
 * out: its endpoints are examples that no network holds. One organization's failure does not stop the others; it
 * is returned with its error.
 */
export async function scanAllScheduledEndpoints(deps: {
  organizations: Pick<OrganizationService, 'list'>;
  tlsScans: Pick<TlsScanCollector, 'scanScheduled'>;
  actor?: ActorContext;
}): Promise<{ organizationId: string; outcome?: CloudScanOutcome; error?: unknown }[]> {
  const actor = deps.actor ?? { actor: { type: 'system', id: 'tls-scheduler' }, source: null };
  const out: { organizationId: string; outcome?: CloudScanOutcome; error?: unknown }[] = [];
  for (const org of await deps.organizations.list()) {
    if (org.demo) continue;
    try {
      out.push({ organizationId: org.id, outcome: await deps.tlsScans.scanScheduled(actor, org.id) });
    } catch (error) {
      out.push({ organizationId: org.id, error });
    }
  }
  return out;
}

/**
 * The collector status of an organization, with the next daily TLS scan of this installation (none when
 * NTG_SCHEDULED_SCANS is off, or for the demo organization, which the daily scan leaves out).
 */
export function collectorStatusReader(deps: {
  collectorRuns: Pick<CollectorRunLog, 'status'>;
  jobs: Pick<JobLeaseStore, 'get'>;
  clock: Clock;
  scheduledScans: boolean;
}): (organization: { id: string; demo: boolean }) => Promise<CollectorStatusResponse> {
  return async (organization) => {
    const now = deps.clock.now();
    const next = nextDailyRun(
      await deps.jobs.get(dailyTlsScanJob),
      now,
      taipeiDate(now),
      deps.scheduledScans && !organization.demo,
    );
    return deps.collectorRuns.status(organization.id, { 'tls-scan': next });
  };
}
