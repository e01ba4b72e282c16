import {
  AppError,
  type ParseApprovedCaCertificate,
  type RevocationChecker,
  type ValidateSigningCertificate,
  type VerifyOrderSignature,
} from '@ntg/core';

/**
 * What the order domain needs from signature verification (packages/core/src/orders/signature/, ADR 0014): the
 * order signature verifier, the check of a CA certificate offered for approval (A36.5), the check of a client
 * certificate offered for binding, and the revocation checker (CRL, OCSP).
 */
export interface OrderVerificationDeps {
  verify: VerifyOrderSignature;
  parseApprovedCaCertificate: ParseApprovedCaCertificate;
  validateSigningCertificate: ValidateSigningCertificate;
  revocation: RevocationChecker;
}

function notConnected(): AppError {
  return new AppError(
    'NOT_READY',
    'Order signature verification is not connected in this build; orders and certificates are refused.',
  );
}

/**
 * IMPORT POINT: connect the real verifier here, e.g.
 *   import { verifyOrderSignature, parseApprovedCaCertificate, validateSigningCertificate, createRevocationChecker }
 *     from '@ntg/core';
 * and return them. Until then every call fails closed with NOT_READY (503): nothing is accepted unverified, and no
 * stand-in parser or verifier exists in production code.
 */
export function orderVerification(): OrderVerificationDeps {
  return {
    verify: async () => {
      throw notConnected();
    },
    parseApprovedCaCertificate: () => {
      throw notConnected();
    },
    validateSigningCertificate: async () => {
      throw notConnected();
    },
    revocation: {
      check: async () => {
        throw notConnected();
      },
    },
  };
}
