import { diffCatalogs, listCatalogVersions, loadCatalog } from '@ntg/catalog';
import {
  type AttestationService,
  type AuditTrail,
  allAttestationSpecs,
  allRules,
  type CatalogService,
  type Clock,
  createAttestationService,
  createAuditTrail,
  createCatalogService,
  createEvaluationService,
  createFindingService,
  createOrganizationService,
  createRegisterService,
  type EvaluationService,
  emptyEvidenceIndex,
  type FindingService,
  type OrganizationService,
  type RecordChangeListener,
  type RegisterService,
} from '@ntg/core';
import { createStores, createUnitOfWork, type DatabaseHandle, type Stores } from '@ntg/db';
import type { Secrets } from '../config/config.ts';

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

export interface Services {
  catalog: CatalogService;
  organizations: OrganizationService;
  registers: RegisterService;
  evaluation: EvaluationService;
  findings: FindingService;
  attestations: AttestationService;
  audit: AuditTrail;
  changes: ChangeNotifier;
  /** Stores outside any transaction, for reads. */
  stores: Stores;
}

/** Wires the domains over one database. One small function; each domain's own wiring stays in its factory. */
export function createServices(handle: DatabaseHandle, secrets: Pick<Secrets, 'auditKey'>, clock: Clock): Services {
  const stores = createStores(handle.db, handle.dialect);
  const uow = createUnitOfWork(handle);
  const audit = createAuditTrail({ clock, auditKey: secrets.auditKey });
  const changes = createChangeNotifier();
  const catalog = createCatalogService({ load: loadCatalog, versions: listCatalogVersions, diff: diffCatalogs });
  const currentCatalog = () => catalog.catalog();
  return {
    catalog,
    organizations: createOrganizationService({ uow, organizations: stores.organizations, audit, clock }),
    registers: createRegisterService({ uow, records: stores.records, audit, clock, listener: changes }),
    evaluation: createEvaluationService({
      uow,
      reads: {
        organizations: stores.organizations,
        records: stores.records,
        attestations: stores.attestations,
        evaluations: stores.evaluations,
        evidenceIndex: async () => emptyEvidenceIndex,
      },
      catalog: currentCatalog,
      rules: allRules,
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
    audit,
    changes,
    stores,
  };
}
