import {
  type Clock,
  createRevocationChecker,
  type ParseApprovedCaCertificate,
  parseApprovedCaCertificate,
  type RevocationChecker,
  type ValidateSigningCertificate,
  type VerifyOrderSignature,
  validateSigningCertificate,
  verifyOrderSignature,
} from '@ntg/core';

/**
 * What the order domain needs from signature verification (packages/core/src/orders/signature/, ADR 0014): the
 * order signature verifier, the check of a CA certificate offered for approval (A36.5), the check of a client
 * certificate offered for binding, and the revocation checker (CRLs of the approved CAs, loaded and refreshed).
 */
export interface OrderVerificationDeps {
  verify: VerifyOrderSignature;
  parseApprovedCaCertificate: ParseApprovedCaCertificate;
  validateSigningCertificate: ValidateSigningCertificate;
  revocation: RevocationChecker;
}

/** The product's verifier; one per process, so the CRLs it loads are shared by the console and the gateway. */
export function orderVerification(clock: Clock, options: { crlRefreshSeconds?: number } = {}): OrderVerificationDeps {
  return {
    verify: verifyOrderSignature,
    parseApprovedCaCertificate,
    validateSigningCertificate,
    revocation: createRevocationChecker({
      clock,
      ...(options.crlRefreshSeconds === undefined ? {} : { refreshSeconds: options.crlRefreshSeconds }),
    }),
  };
}
