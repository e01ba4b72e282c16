import type {
  AttestationStore,
  AuditStore,
  CollectorRunStore,
  ConsoleStores,
  EvaluationStore,
  EvidenceStore,
  FindingStore,
  IdentityStores,
  JobLeaseStore,
  MonitoringStore,
  NotificationChannelStore,
  NotificationStore,
  OrderStores,
  OrganizationStore,
  RecordStore,
  UnitOfWork,
  WebauthnStores,
} from '@ntg/core';
import type { Kysely } from 'kysely';
import type { DatabaseHandle } from './connection.ts';
import type { DialectCapabilities } from './dialect.ts';
import type { Database } from './schema.ts';
import { createAttestationStore } from './stores/attestation-store.ts';
import { createAuditStore } from './stores/audit-store.ts';
import { createCollectorRunStore } from './stores/collector-run-store.ts';
import { createConsoleStores } from './stores/console-stores.ts';
import { createEvaluationStore } from './stores/evaluation-store.ts';
import { createEvidenceStore } from './stores/evidence-store.ts';
import { createFindingStore } from './stores/finding-store.ts';
import { createIdentityStores } from './stores/identity-stores.ts';
import { createJobLeaseStore } from './stores/job-lease-store.ts';
import { createMonitoringStore } from './stores/monitoring-store.ts';
import { createNotificationChannelStore, createNotificationStore } from './stores/notification-store.ts';
import { createOrderStores } from './stores/order-stores.ts';
import { createOrganizationStore } from './stores/organization-store.ts';
import { createRecordStore } from './stores/record-store.ts';
import { createWebauthnStores } from './stores/webauthn-stores.ts';

/** Every store, bound to one connection or transaction. */
export interface Stores {
  organizations: OrganizationStore;
  audit: AuditStore;
  records: RecordStore;
  evaluations: EvaluationStore;
  findings: FindingStore;
  attestations: AttestationStore;
  identity: IdentityStores;
  evidence: EvidenceStore;
  collectorRuns: CollectorRunStore;
  notifications: NotificationStore;
  notificationChannels: NotificationChannelStore;
  monitoring: MonitoringStore;
  jobs: JobLeaseStore;
  console: ConsoleStores;
  /** Signed orders (A35, A36.5): approved CAs, certificate bindings, the evidence log, session serials. */
  orders: OrderStores;
  webauthn: WebauthnStores;
}

export function createStores(db: Kysely<Database>, dialect: DialectCapabilities): Stores {
  return {
    organizations: createOrganizationStore(db),
    audit: createAuditStore(db, dialect),
    records: createRecordStore(db, dialect),
    evaluations: createEvaluationStore(db),
    findings: createFindingStore(db),
    attestations: createAttestationStore(db),
    identity: createIdentityStores(db, dialect),
    evidence: createEvidenceStore(db),
    collectorRuns: createCollectorRunStore(db),
    notifications: createNotificationStore(db),
    notificationChannels: createNotificationChannelStore(db),
    monitoring: createMonitoringStore(db),
    jobs: createJobLeaseStore(db),
    console: createConsoleStores(db),
    orders: createOrderStores(db, dialect),
    webauthn: createWebauthnStores(db),
  };
}

/** Units of work over the database: the stores handed to `work` share one write transaction. */
export function createUnitOfWork(handle: DatabaseHandle): UnitOfWork<Stores> {
  return {
    run: (work) => handle.dialect.withWriteTransaction(handle.db, (trx) => work(createStores(trx, handle.dialect))),
  };
}
