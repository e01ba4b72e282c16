import { diffCatalogs, listCatalogVersions, loadCatalog } from '@ntg/catalog';
import {
  type AuditTrail,
  type CatalogService,
  type Clock,
  createAuditTrail,
  createCatalogService,
  createOrganizationService,
  createRegisterService,
  type OrganizationService,
  type RecordChangeListener,
  type RegisterService,
} from '@ntg/core';
import { createStores, createUnitOfWork, type DatabaseHandle, type Stores } from '@ntg/db';
import type { Secrets } from '../config/config.ts';

export interface Services {
  catalog: CatalogService;
  organizations: OrganizationService;
  registers: RegisterService;
  audit: AuditTrail;
  /** Stores outside any transaction, for reads. */
  stores: Stores;
}

/** Wires the domains over one database. One small function; each domain's own wiring stays in its factory. */
export function createServices(
  handle: DatabaseHandle,
  secrets: Pick<Secrets, 'auditKey'>,
  clock: Clock,
  listener?: RecordChangeListener,
): Services {
  const stores = createStores(handle.db, handle.dialect);
  const uow = createUnitOfWork(handle);
  const audit = createAuditTrail({ clock, auditKey: secrets.auditKey });
  return {
    catalog: createCatalogService({ load: loadCatalog, versions: listCatalogVersions, diff: diffCatalogs }),
    organizations: createOrganizationService({ uow, organizations: stores.organizations, audit, clock }),
    registers: createRegisterService({ uow, records: stores.records, audit, clock, ...(listener ? { listener } : {}) }),
    audit,
    stores,
  };
}
