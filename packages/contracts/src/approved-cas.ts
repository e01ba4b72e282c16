import { z } from 'zod';

/**
 * Certification authorities an organization approved for order signatures (Directions A36.5; docs/adr/0014), and
 * the client signing certificates bound to client accounts. Shared by the server, the console and the CLI.
 */

export const approvedCaIdSchema = z.string().regex(/^aca_[0-9a-z]{10,40}$/, 'an approved CA id looks like aca_…');
export const clientCertificateIdSchema = z
  .string()
  .regex(/^ccr_[0-9a-z]{10,40}$/, 'a client certificate id looks like ccr_…');

/** What to do when neither CRL nor OCSP can say whether a certificate is revoked. The default fails closed. */
export const unknownRevocationPolicySchema = z.enum(['fail-closed', 'fail-open']);

const revocationUrl = z
  .string()
  .max(2000)
  .regex(/^(https?:\/\/|file:)\S+$/, 'a CRL location is an http(s): URL or a file: path');

/**
 * A certificate as a person pastes it: PEM (`-----BEGIN CERTIFICATE-----`) or base64 of the DER. At most 64 KiB of
 * text, which is far above any CA certificate in use.
 */
export const certificateTextSchema = z.string().min(64).max(65_536);

export const addApprovedCaSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    certificate: certificateTextSchema,
    crlUrls: z.array(revocationUrl).max(10).default([]),
    ocspUrl: z
      .string()
      .max(2000)
      .regex(/^https?:\/\/\S+$/, 'an OCSP responder is an http(s): URL')
      .optional(),
    unknownRevocation: unknownRevocationPolicySchema.default('fail-closed'),
  })
  .strict();
export type AddApprovedCa = z.input<typeof addApprovedCaSchema>;

/** An approved CA as shown: the certificate's DER is given as base64 so an inspector can take it away. */
export const approvedCaSchema = z.object({
  id: approvedCaIdSchema,
  organizationId: z.string(),
  name: z.string(),
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: z.string(),
  subject: z.string(),
  notAfter: z.string(),
  certificateDer: z.string(),
  crlUrls: z.array(z.string()),
  ocspUrl: z.string().nullable(),
  unknownRevocation: unknownRevocationPolicySchema,
  addedBy: z.string(),
  addedAt: z.string(),
  removedAt: z.string().nullable(),
});
export type ApprovedCaView = z.infer<typeof approvedCaSchema>;

export const approvedCaListSchema = z.object({ approvedCas: z.array(approvedCaSchema) });

export const enrolClientCertificateSchema = z
  .object({
    label: z.string().trim().min(1).max(100).default('signing certificate'),
    certificate: certificateTextSchema,
  })
  .strict();
export type EnrolClientCertificate = z.input<typeof enrolClientCertificateSchema>;

/** A client's signing certificate bound to the account (A35, A36.5): an order signed with any other is refused. */
export const clientCertificateSchema = z.object({
  id: clientCertificateIdSchema,
  accountId: z.string(),
  label: z.string(),
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: z.string(),
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  notAfter: z.string(),
  approvedCaId: z.string(),
  enrolledAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type ClientCertificateView = z.infer<typeof clientCertificateSchema>;

export const clientCertificateListSchema = z.object({ certificates: z.array(clientCertificateSchema) });
