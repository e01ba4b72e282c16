import { type ClientCertificateView, type EnrolClientCertificate, enrolClientCertificateSchema } from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import type { ClientAccountStore } from '../identity/identity-store.ts';
import { recordPersonalDataUse } from '../identity/personal-data-use.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { parseInput } from '../shared/validation.ts';
import { certificateDerOf, certificateFingerprint } from './certificate-input.ts';
import { anchorsOf, enforceUnknownRevocation, verifierRevocationPolicy } from './order-anchors.ts';
import type { ApprovedCaStore, ClientCertificate, ClientCertificateStore } from './order-store.ts';
import type {
  ApprovedCaAnchor,
  CertificateSummary,
  RevocationChecker,
  RevocationStatus,
  UnknownRevocationPolicy,
} from './order-verification.ts';

/**
 * Checks a client's signing certificate without a signature: it chains to one of `anchors`, is valid at `at`, has
 * an accepted key and key usage, is not revoked. Throws AppError with an ORDER_CERTIFICATE_* code. Provided by the
 * signature verification (`orders/signature/`), which applies the same certificate policy to orders (ADR 0014).
 */
export type ValidateSigningCertificate = (input: {
  certificateDer: Uint8Array;
  anchors: readonly ApprovedCaAnchor[];
  at: Date;
  revocation: RevocationChecker;
  unknownRevocation: UnknownRevocationPolicy;
}) => Promise<{ certificate: CertificateSummary; anchorId: string; revocation: RevocationStatus }>;

interface Stores {
  identity: { accounts: Pick<ClientAccountStore, 'findById'> };
  orders: { clientCertificates: Pick<ClientCertificateStore, 'insert' | 'find' | 'markRevoked'> };
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

export interface ClientCertificateService {
  /** Binds a signing certificate to the account (audited); it must chain to an approved CA of the organization. */
  enrol(ctx: ActorContext, accountId: string, input: EnrolClientCertificate): Promise<ClientCertificateView>;
  /** The account's certificates, revoked ones included; their subjects name the client, so the view is an A38.1 use. */
  list(ctx: ActorContext, accountId: string): Promise<ClientCertificateView[]>;
  /** Ends the binding (audited): orders signed with the certificate are refused from now on. */
  revoke(ctx: ActorContext, accountId: string, certificateId: string): Promise<ClientCertificateView>;
}

function view(c: ClientCertificate): ClientCertificateView {
  return {
    id: c.id,
    accountId: c.accountId,
    label: c.label,
    fingerprint: c.fingerprint,
    subject: c.subject,
    issuer: c.issuer,
    serialNumber: c.serialNumber,
    notAfter: c.notAfter,
    approvedCaId: c.approvedCaId,
    enrolledAt: c.enrolledAt,
    revokedAt: c.revokedAt,
  };
}

function accountNotFound(accountId: string): AppError {
  return new AppError('CLIENT_ACCOUNT_NOT_FOUND', `No client account "${accountId}".`);
}

export function createClientCertificateService(deps: {
  uow: UnitOfWork<Stores>;
  reads: {
    accounts: Pick<ClientAccountStore, 'findById'>;
    approvedCas: Pick<ApprovedCaStore, 'list'>;
    clientCertificates: Pick<ClientCertificateStore, 'listForAccount'>;
  };
  validate: ValidateSigningCertificate;
  revocation: RevocationChecker;
  audit: AuditTrail;
  clock: Clock;
}): ClientCertificateService {
  const { uow, reads, validate, revocation, audit, clock } = deps;
  return {
    async enrol(ctx, accountId, raw) {
      const input = parseInput(enrolClientCertificateSchema, raw, 'client certificate');
      const account = await reads.accounts.findById(accountId);
      if (account === null) throw accountNotFound(accountId);
      const der = certificateDerOf(input.certificate, 'VALIDATION_FAILED');
      const cas = await reads.approvedCas.list(account.organizationId);
      if (cas.length === 0) {
        throw new AppError(
          'ORDER_CERTIFICATE_UNTRUSTED',
          'The organization has no approved CA yet; add one (ntg ca add) before binding certificates (A36.5).',
        );
      }
      const now = clock.now();
      const checked = await validate({
        certificateDer: der,
        anchors: anchorsOf(cas),
        at: now,
        revocation,
        unknownRevocation: verifierRevocationPolicy(cas),
      });
      enforceUnknownRevocation(cas, checked.anchorId, checked.revocation);
      const certificate: ClientCertificate = {
        id: newId('ccr'),
        organizationId: account.organizationId,
        accountId,
        label: input.label,
        certificateDer: der,
        fingerprint: certificateFingerprint(der),
        subject: checked.certificate.subject,
        issuer: checked.certificate.issuer,
        serialNumber: checked.certificate.serialNumber,
        notAfter: checked.certificate.notAfter,
        approvedCaId: checked.anchorId,
        enrolledBy: ctx.actor.id,
        enrolledAt: now.toISOString(),
        revokedBy: null,
        revokedAt: null,
      };
      await uow.run(async (s) => {
        if ((await s.identity.accounts.findById(accountId)) === null) throw accountNotFound(accountId);
        if (!(await s.orders.clientCertificates.insert(certificate))) {
          throw new AppError('CONFLICT', 'This certificate is already bound to a client account of the organization.');
        }
        await audit.record(s.audit, ctx, {
          organizationId: account.organizationId,
          action: 'orders.client-certificate.enrol',
          objectType: 'client-account',
          objectId: accountId,
          details: {
            certificateId: certificate.id,
            fingerprint: certificate.fingerprint,
            subject: certificate.subject,
            issuer: certificate.issuer,
            serialNumber: certificate.serialNumber,
            approvedCaId: certificate.approvedCaId,
          },
        });
      });
      return view(certificate);
    },

    async list(ctx, accountId) {
      const account = await reads.accounts.findById(accountId);
      if (account === null) throw accountNotFound(accountId);
      const certificates = (await reads.clientCertificates.listForAccount(accountId)).map(view);
      await uow.run((s) =>
        recordPersonalDataUse(audit, s.audit, ctx, {
          organizationId: account.organizationId,
          clientAccountId: accountId,
          function: 'admin.client-certificates.view',
          query: { accountId },
          result: `${certificates.length} signing ${certificates.length === 1 ? 'certificate' : 'certificates'} shown`,
        }),
      );
      return certificates;
    },

    async revoke(ctx, accountId, certificateId) {
      const at = clock.now().toISOString();
      const revoked = await uow.run(async (s) => {
        const c = await s.orders.clientCertificates.find(certificateId);
        if (c === null || c.accountId !== accountId || c.revokedAt !== null) {
          throw new AppError('NOT_FOUND', `No bound certificate "${certificateId}" on this account.`);
        }
        if (!(await s.orders.clientCertificates.markRevoked(certificateId, ctx.actor.id, at))) {
          throw new AppError('NOT_FOUND', `No bound certificate "${certificateId}" on this account.`);
        }
        await audit.record(s.audit, ctx, {
          organizationId: c.organizationId,
          action: 'orders.client-certificate.revoke',
          objectType: 'client-account',
          objectId: accountId,
          details: { certificateId, fingerprint: c.fingerprint, subject: c.subject },
        });
        return { ...c, revokedBy: ctx.actor.id, revokedAt: at };
      });
      return view(revoked);
    },
  };
}
