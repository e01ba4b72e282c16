import { type AddApprovedCa, type ApprovedCaView, addApprovedCaSchema } from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { parseInput } from '../shared/validation.ts';
import { certificateDerOf, certificateFingerprint } from './certificate-input.ts';
import type { ApprovedCa, ApprovedCaStore } from './order-store.ts';
import type { CertificateSummary } from './order-verification.ts';

/**
 * Reads a certificate offered as an approved CA (A36.5) and checks that it can be one: a CA certificate (basic
 * constraints cA, keyCertSign), an accepted key, not signed with SHA-1 or MD5. Throws AppError APPROVED_CA_INVALID
 * with the reason. Provided by the signature verification (`orders/signature/`).
 */
export type ParseApprovedCaCertificate = (der: Uint8Array) => CertificateSummary | Promise<CertificateSummary>;

interface Stores {
  orders: { approvedCas: Pick<ApprovedCaStore, 'insert' | 'find' | 'markRemoved'> };
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

export interface ApprovedCaService {
  add(ctx: ActorContext, organizationId: string, input: AddApprovedCa): Promise<ApprovedCaView>;
  list(organizationId: string, options?: { includeRemoved?: boolean }): Promise<ApprovedCaView[]>;
  /** Soft removal: orders accepted under the CA stay verifiable; new orders chaining only to it are refused. */
  remove(ctx: ActorContext, organizationId: string, id: string): Promise<ApprovedCaView>;
}

export function approvedCaView(ca: ApprovedCa): ApprovedCaView {
  return {
    id: ca.id,
    organizationId: ca.organizationId,
    name: ca.name,
    fingerprint: ca.fingerprint,
    subject: ca.subject,
    notAfter: ca.notAfter,
    certificateDer: Buffer.from(ca.certificateDer).toString('base64'),
    crlUrls: ca.crlUrls,
    ocspUrl: ca.ocspUrl,
    unknownRevocation: ca.unknownRevocation,
    addedBy: ca.addedBy,
    addedAt: ca.addedAt,
    removedAt: ca.removedAt,
  };
}

function notFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No approved CA "${id}" in this organization.`);
}

export function createApprovedCaService(deps: {
  uow: UnitOfWork<Stores>;
  reads: Pick<ApprovedCaStore, 'list'>;
  audit: AuditTrail;
  clock: Clock;
  parseCertificate: ParseApprovedCaCertificate;
}): ApprovedCaService {
  const { uow, reads, audit, clock, parseCertificate } = deps;
  return {
    async add(ctx, organizationId, raw) {
      const input = parseInput(addApprovedCaSchema, raw, 'approved CA');
      const der = certificateDerOf(input.certificate, 'APPROVED_CA_INVALID');
      const summary = await parseCertificate(der);
      const ca: ApprovedCa = {
        id: newId('aca'),
        organizationId,
        name: input.name,
        certificateDer: der,
        // Computed here from the bytes stored, whatever the parser reports.
        fingerprint: certificateFingerprint(der),
        subject: summary.subject,
        notAfter: summary.notAfter,
        crlUrls: input.crlUrls,
        ocspUrl: input.ocspUrl ?? null,
        unknownRevocation: input.unknownRevocation,
        addedBy: ctx.actor.id,
        addedAt: clock.now().toISOString(),
        removedBy: null,
        removedAt: null,
      };
      await uow.run(async (s) => {
        if (!(await s.orders.approvedCas.insert(ca))) {
          throw new AppError('CONFLICT', `This CA (SHA-256 ${ca.fingerprint}) is already approved here.`);
        }
        await audit.record(s.audit, ctx, {
          organizationId,
          action: 'orders.approved-ca.add',
          objectType: 'approved-ca',
          objectId: ca.id,
          details: {
            name: ca.name,
            fingerprint: ca.fingerprint,
            subject: ca.subject,
            notAfter: ca.notAfter,
            crlUrls: ca.crlUrls,
            ocspUrl: ca.ocspUrl,
            unknownRevocation: ca.unknownRevocation,
          },
        });
      });
      return approvedCaView(ca);
    },

    async list(organizationId, options) {
      return (await reads.list(organizationId, options)).map(approvedCaView);
    },

    async remove(ctx, organizationId, id) {
      const at = clock.now().toISOString();
      const removed = await uow.run(async (s) => {
        const ca = await s.orders.approvedCas.find(organizationId, id);
        if (ca === null || ca.removedAt !== null) throw notFound(id);
        if (!(await s.orders.approvedCas.markRemoved(organizationId, id, ctx.actor.id, at))) throw notFound(id);
        await audit.record(s.audit, ctx, {
          organizationId,
          action: 'orders.approved-ca.remove',
          objectType: 'approved-ca',
          objectId: id,
          details: { name: ca.name, fingerprint: ca.fingerprint, subject: ca.subject },
        });
        return { ...ca, removedBy: ctx.actor.id, removedAt: at };
      });
      return approvedCaView(removed);
    },
  };
}
