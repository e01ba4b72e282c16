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
  type EvidenceService,
  type MdmImportService,
  type NmapImportService,
  type OrganizationService,
  type RecordChangeListener,
  type RegisterService,
  type ScanTlsOptions,
  scanTlsEndpoint,
  type TlsFacts,
  type TlsScanCollector,
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
 * Scans the endpoint of every cloud service in use, organization by organization: the scheduler's daily job, so an
 * endpoint that starts accepting TLS 1.0 becomes an A5.3 finding without anyone asking (the run's change signal
 * triggers the evaluation). One organization's failure does not stop the others; it is returned with its error.
 */
export async function scanAllCloudEndpoints(deps: {
  organizations: Pick<OrganizationService, 'list'>;
  tlsScans: Pick<TlsScanCollector, 'scanCloudServices'>;
  actor?: ActorContext;
}): Promise<{ organizationId: string; outcome?: CloudScanOutcome; error?: unknown }[]> {
  const actor = deps.actor ?? { actor: { type: 'system', id: 'tls-scheduler' }, source: null };
  const out: { organizationId: string; outcome?: CloudScanOutcome; error?: unknown }[] = [];
  for (const org of await deps.organizations.list()) {
    try {
      out.push({ organizationId: org.id, outcome: await deps.tlsScans.scanCloudServices(actor, org.id) });
    } catch (error) {
      out.push({ organizationId: org.id, error });
    }
  }
  return out;
}
