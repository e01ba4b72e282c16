import {
  type AcceptedOrderService,
  type ApprovedCaService,
  type ClientCertificateService,
  type Clock,
  createAcceptedOrderService,
  createApprovedCaService,
  createAuditTrail,
  createClientCertificateService,
  createOrderAcceptanceWriter,
  createOrderEvidenceVerifier,
  createOrderService,
  createSessionMacKeyCipher,
  type NotificationOutbox,
  type OrderEvidenceVerifier,
  type OrderService,
} from '@ntg/core';
import { createGroupCommitUnitOfWork, createStores, createUnitOfWork, type DatabaseHandle } from '@ntg/db';
import type { Secrets } from '../config/config.ts';
import type { OrderVerificationDeps } from './order-verification-wiring.ts';

/** The console side of signed orders: the approved-CA store (A36.5) and the offline evidence check (A35.5). */
export interface OrderConsoleServices {
  approvedCas: ApprovedCaService;
  evidence: OrderEvidenceVerifier;
}

export function createOrderConsoleServices(
  handle: DatabaseHandle,
  secrets: Pick<Secrets, 'auditKey'>,
  clock: Clock,
  verification: Pick<OrderVerificationDeps, 'verify' | 'parseApprovedCaCertificate'>,
): OrderConsoleServices {
  const stores = createStores(handle.db, handle.dialect);
  const audit = createAuditTrail({ clock, auditKey: secrets.auditKey });
  return {
    approvedCas: createApprovedCaService({
      uow: createUnitOfWork(handle),
      reads: stores.orders.approvedCas,
      audit,
      clock,
      parseCertificate: verification.parseApprovedCaCertificate,
    }),
    evidence: createOrderEvidenceVerifier({
      evidence: stores.orders.evidence,
      approvedCas: stores.orders.approvedCas,
      verify: verification.verify,
    }),
  };
}

/** The gateway side: order submission, certificate bindings, and reads of accepted orders for operators. */
export interface OrderGatewayServices {
  orders: OrderService;
  certificates: ClientCertificateService;
  accepted: AcceptedOrderService;
}

export function createOrderGatewayServices(
  handle: DatabaseHandle,
  secrets: Pick<Secrets, 'auditKey' | 'sessionKey'>,
  clock: Clock,
  options: {
    verification: OrderVerificationDeps;
    /** The notifications outbox (A38.2): the trade notification commits with the order. */
    outbox: NotificationOutbox;
    skewSeconds?: number;
  },
): OrderGatewayServices {
  const stores = createStores(handle.db, handle.dialect);
  const audit = createAuditTrail({ clock, auditKey: secrets.auditKey });
  // Orders arrive from many clients at once: the writer records the verified orders that arrive together in one
  // transaction, one commit (one fsync on SQLite, ADR 0004 synchronous = FULL; one round of statements on
  // PostgreSQL), and answers none before that commit. It runs through the group-commit unit of work so that on SQLite
  // its transaction also shares a commit with the gateway's other writes.
  const groupCommit = createGroupCommitUnitOfWork(handle);
  const writer = createOrderAcceptanceWriter({
    uow: {
      run: (work) =>
        groupCommit.run((s) =>
          work({ orders: s.orders, notifications: s.notifications, channels: s.notificationChannels, audit: s.audit }),
        ),
    },
    outbox: options.outbox,
    audit,
  });
  const { verification } = options;
  return {
    orders: createOrderService({
      writer,
      reads: {
        approvedCas: stores.orders.approvedCas,
        clientCertificates: stores.orders.clientCertificates,
        sessions: stores.orders.sessions,
      },
      macKeys: createSessionMacKeyCipher(secrets.sessionKey),
      verify: verification.verify,
      revocation: verification.revocation,
      clock,
      ...(options.skewSeconds === undefined ? {} : { skewSeconds: options.skewSeconds }),
    }),
    certificates: createClientCertificateService({
      uow: createUnitOfWork(handle),
      reads: {
        accounts: stores.identity.accounts,
        approvedCas: stores.orders.approvedCas,
        clientCertificates: stores.orders.clientCertificates,
      },
      validate: verification.validateSigningCertificate,
      revocation: verification.revocation,
      audit,
      clock,
    }),
    accepted: createAcceptedOrderService({ uow: createUnitOfWork(handle), evidence: stores.orders.evidence, audit }),
  };
}
