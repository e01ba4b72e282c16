import { diffCatalogs, listCatalogVersions, loadCatalog } from '@ntg/catalog';
import {
  type AttestationService,
  type AuditTrail,
  addDays,
  allAttestationSpecs,
  allRules,
  type CatalogService,
  type Clock,
  collectorChecks,
  createAttestationService,
  createAuditTrail,
  createCatalogService,
  createEvaluationService,
  createEvidenceService,
  createFindingService,
  createOrganizationService,
  createRegisterService,
  type EvaluationService,
  type EvidenceService,
  type FindingService,
  type GatewayControlFacts,
  type GatewayFacts,
  gatewayReportWindowDays,
  type MonitoringService,
  type OrganizationService,
  type RecordChangeListener,
  type RegisterService,
  taipeiDate,
} from '@ntg/core';
import {
  createDatabaseBlobStore,
  createFileBlobStore,
  createStores,
  createUnitOfWork,
  type DatabaseHandle,
  type Stores,
} from '@ntg/db';
import type { Secrets } from '../config/config.ts';
import { type CollectorServices, createCollectorServices } from './collector-services.ts';
import { createImportExportServices, type ImportExportServices } from './import-export-services.ts';
import { createMonitoringServices } from './monitoring-services.ts';

/** Fans a "records changed" signal out to whoever subscribed (the evaluation scheduler in the server). */
export interface ChangeNotifier extends RecordChangeListener {
  subscribe(listener: RecordChangeListener): void;
}

export function createChangeNotifier(): ChangeNotifier {
  const listeners: RecordChangeListener[] = [];
  return {
    subscribe: (l) => {
      listeners.push(l);
    },
    recordsChanged: (organizationId) => {
      for (const l of listeners) l.recordsChanged(organizationId);
    },
  };
}

export interface EvidenceOptions {
  /** Folder for evidence files (embedded SQLite). Without one, bytes go to evidence_blobs (PostgreSQL, tests). */
  dir?: string | undefined;
  maxBytes?: number | undefined;
  /** The identity gateway's effective configuration, when this installation runs it (A36, A37 evidence). */
  gatewayControls?: GatewayControlFacts | null;
}

export interface Services extends ImportExportServices, CollectorServices {
  monitoring: MonitoringService;
  catalog: CatalogService;
  organizations: OrganizationService;
  registers: RegisterService;
  evaluation: EvaluationService;
  findings: FindingService;
  attestations: AttestationService;
  evidence: EvidenceService;
  audit: AuditTrail;
  changes: ChangeNotifier;
  /** Stores outside any transaction, for reads. */
  stores: Stores;
}

/** A37.7: the gateway's first login for the organization and which recent days have their daily report. */
async function gatewayFacts(
  monitoring: Stores['monitoring'],
  organizationId: string,
  clock: Clock,
  controls: GatewayControlFacts | null,
): Promise<GatewayFacts> {
  const first = await monitoring.firstAttemptAt(organizationId);
  if (first === null) return { controls, firstAttemptDate: null, reportDates: [] };
  const today = taipeiDate(clock.now());
  const from = addDays(today, -(gatewayReportWindowDays + 1));
  return {
    controls,
    firstAttemptDate: taipeiDate(new Date(first)),
    reportDates: await monitoring.reportDates(organizationId, from, today),
  };
}

/** Wires the domains over one database. One small function; each domain's own wiring stays in its factory. */
export function createServices(
  handle: DatabaseHandle,
  secrets: Pick<Secrets, 'auditKey'>,
  clock: Clock,
  evidenceOptions: EvidenceOptions = {},
): Services {
  const stores = createStores(handle.db, handle.dialect);
  const uow = createUnitOfWork(handle);
  const audit = createAuditTrail({ clock, auditKey: secrets.auditKey });
  const changes = createChangeNotifier();
  const catalog = createCatalogService({ load: loadCatalog, versions: listCatalogVersions, diff: diffCatalogs });
  const currentCatalog = () => catalog.catalog();
  const evidence = createEvidenceService({
    uow,
    evidence: stores.evidence,
    // Embedded: files in the data folder beside ntg.db; PostgreSQL instances share no disk, so the database holds them.
    blobs:
      evidenceOptions.dir === undefined ? createDatabaseBlobStore(handle.db) : createFileBlobStore(evidenceOptions.dir),
    audit,
    clock,
    ...(evidenceOptions.maxBytes === undefined ? {} : { maxBytes: evidenceOptions.maxBytes }),
  });
  const organizations = createOrganizationService({ uow, organizations: stores.organizations, audit, clock });
  const registers = createRegisterService({ uow, records: stores.records, audit, clock, listener: changes });
  const collectors = createCollectorServices({ uow, stores, evidence, registers, audit, clock, listener: changes });
  return {
    catalog,
    organizations,
    registers,
    evaluation: createEvaluationService({
      uow,
      reads: {
        organizations: stores.organizations,
        records: stores.records,
        attestations: stores.attestations,
        evaluations: stores.evaluations,
        evidenceIndex: (organizationId, today) => evidence.evidenceIndex(organizationId, today),
        collectorFacts: async (organizationId) => ({
          ...(await collectors.collectorRuns.facts(organizationId)),
          gateway: await gatewayFacts(
            stores.monitoring,
            organizationId,
            clock,
            evidenceOptions.gatewayControls ?? null,
          ),
        }),
      },
      catalog: currentCatalog,
      rules: allRules,
      collectorChecks,
      attestationSpecs: allAttestationSpecs,
      audit,
      clock,
    }),
    findings: createFindingService({ uow, findings: stores.findings, audit, clock }),
    attestations: createAttestationService({
      uow,
      attestations: stores.attestations,
      specs: allAttestationSpecs,
      catalog: currentCatalog,
      audit,
      clock,
      listener: changes,
    }),
    evidence,
    audit,
    changes,
    stores,
    ...collectors,
    ...createMonitoringServices({ uow, stores, audit, clock }),
    ...createImportExportServices({
      uow,
      stores,
      organizations,
      audit,
      clock,
      listener: changes,
      attestationSpecs: allAttestationSpecs,
    }),
  };
}
