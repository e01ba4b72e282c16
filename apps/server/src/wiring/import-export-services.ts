import {
  type AttestationSpec,
  type AuditTrail,
  type BundleService,
  type Clock,
  createBundleService,
  createRegisterCsvService,
  type OrganizationService,
  type RecordChangeListener,
  type RegisterCsvService,
  type UnitOfWork,
} from '@ntg/core';
import type { Stores } from '@ntg/db';

export interface ImportExportServices {
  bundles: BundleService;
  registerCsv: RegisterCsvService;
}

/** Wires the bundle and CSV import/export over the same stores, audit trail and change listener as the registers. */
export function createImportExportServices(deps: {
  uow: UnitOfWork<Stores>;
  stores: Stores;
  organizations: OrganizationService;
  audit: AuditTrail;
  clock: Clock;
  listener: RecordChangeListener;
  attestationSpecs: readonly AttestationSpec[];
}): ImportExportServices {
  const { uow, stores, organizations, audit, clock, listener } = deps;
  return {
    bundles: createBundleService({
      uow,
      reads: { organizations, records: stores.records, attestations: stores.attestations },
      audit,
      clock,
      listener,
      attestationNodeIds: new Set(deps.attestationSpecs.map((s) => s.nodeId)),
    }),
    registerCsv: createRegisterCsvService({
      uow,
      reads: { organizations, records: stores.records },
      audit,
      clock,
      listener,
    }),
  };
}
