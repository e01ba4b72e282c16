export { createRevocationChecker, type RevocationCheckerOptions, readCrl } from './revocation.ts';
export {
  parseApprovedCaCertificate,
  validateSigningCertificate,
  verifyOrderSignature,
} from './verify-order-signature.ts';
