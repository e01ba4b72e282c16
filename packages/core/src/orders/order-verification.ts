import type { OrderSignature } from '@ntg/contracts';

/**
 * The seam between the order service and signature verification (ADR 0014). `signature/` implements it; the order
 * service depends on this interface only, so tests of either side need nothing of the other.
 */

/** One certification authority the organization approved (A36.5), as the verifier needs it. */
export interface ApprovedCaAnchor {
  id: string;
  name: string;
  /** DER of the CA certificate (a trust anchor, or an intermediate chaining to one). */
  certificateDer: Uint8Array;
  /** CRL locations: `file:` paths or `http(s):` URLs. */
  crlUrls: readonly string[];
  /** OCSP responder, when configured. */
  ocspUrl?: string | undefined;
}

/** What to do when neither CRL nor OCSP can say whether a certificate is revoked. The default fails closed. */
export type UnknownRevocationPolicy = 'fail-closed' | 'fail-open';

export interface RevocationStatus {
  status: 'good' | 'revoked' | 'unknown';
  source: 'crl' | 'ocsp' | 'none';
  /** When the answer was produced (CRL thisUpdate or OCSP producedAt), ISO-8601. */
  producedAt?: string | undefined;
  detail?: string | undefined;
}

/** Answers whether `certificateDer`, issued by `issuer`, is revoked at `at`. Caches and refreshes CRLs itself. */
export interface RevocationChecker {
  check(
    certificateDer: Uint8Array,
    issuer: ApprovedCaAnchor | { certificateDer: Uint8Array },
    at: Date,
  ): Promise<RevocationStatus>;
}

export interface VerifyOrderSignatureInput {
  /** `canonicalOrderBytes(payload)`: what the client must have signed. */
  canonicalBytes: Uint8Array;
  signature: OrderSignature;
  anchors: readonly ApprovedCaAnchor[];
  at: Date;
  revocation: RevocationChecker;
  unknownRevocation: UnknownRevocationPolicy;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
  notBefore: string;
  notAfter: string;
}

export interface VerifiedOrderSignature {
  signerCertificateDer: Uint8Array;
  /** SHA-256 of the signer certificate's DER, lowercase hex: what a client account is bound to. */
  signerFingerprint: string;
  /** Signer first, then each issuer up to the anchor. */
  chain: readonly CertificateSummary[];
  anchorId: string;
  /** e.g. `cms:rsa-pkcs1:sha256`, `cms:ecdsa:sha384`, `jws:ES256`. */
  algorithm: string;
  revocation: RevocationStatus;
}

/**
 * Verifies an order signature against the approved CAs. Throws AppError with one of the ORDER_* codes of
 * packages/contracts/src/errors.ts (malformed, signature invalid, algorithm refused, untrusted, expired, weak,
 * revoked, revocation unknown); never returns a partial verdict.
 */
export type VerifyOrderSignature = (input: VerifyOrderSignatureInput) => Promise<VerifiedOrderSignature>;
