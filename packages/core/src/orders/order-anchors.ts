import { AppError } from '../shared/app-error.ts';
import type { ApprovedCa } from './order-store.ts';
import type { ApprovedCaAnchor, RevocationStatus, UnknownRevocationPolicy } from './order-verification.ts';

/** The trust anchors the verifier is given: the organization's approved CAs (A36.5). */
export function anchorsOf(cas: readonly ApprovedCa[]): ApprovedCaAnchor[] {
  return cas.map((ca) => ({
    id: ca.id,
    name: ca.name,
    certificateDer: ca.certificateDer,
    crlUrls: ca.crlUrls,
    ocspUrl: ca.ocspUrl ?? undefined,
  }));
}

/**
 * The policy handed to the verifier for a set of anchors whose policies may differ. Which anchor a certificate
 * chains to is known only after verification, so the verifier is asked to fail open when any anchor allows it, and
 * `enforceUnknownRevocation` then applies the policy of the anchor actually used.
 */
export function verifierRevocationPolicy(cas: readonly ApprovedCa[]): UnknownRevocationPolicy {
  return cas.some((ca) => ca.unknownRevocation === 'fail-open') ? 'fail-open' : 'fail-closed';
}

/** Refuses an unknown revocation status under an anchor that fails closed (the default, ADR 0014). */
export function enforceUnknownRevocation(
  cas: readonly ApprovedCa[],
  anchorId: string,
  revocation: RevocationStatus,
): void {
  if (revocation.status !== 'unknown') return;
  const anchor = cas.find((ca) => ca.id === anchorId);
  if (anchor === undefined || anchor.unknownRevocation === 'fail-closed') {
    throw new AppError(
      'ORDER_REVOCATION_UNKNOWN',
      'Whether the signing certificate is revoked cannot be established, and this CA fails closed.',
    );
  }
}
