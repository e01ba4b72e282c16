import { AppError } from '../../shared/app-error.ts';
import type {
  ApprovedCaAnchor,
  CertificateSummary,
  RevocationChecker,
  RevocationStatus,
  UnknownRevocationPolicy,
} from '../order-verification.ts';
import { type CertificateFacts, certificateFacts, weakness } from './certificate-facts.ts';

/**
 * The certificate policy of ADR 0014 (A35.1-A35.5, A36.5): a signing certificate chains to a trust anchor of the
 * organization's approved CAs, through intermediates the message may carry (candidates only, never trusted for
 * themselves); every certificate on the path is within its validity, has an accepted key and is not signed with
 * SHA-1 or MD5; issuers are CAs; the signer may sign; and the signer is not revoked.
 */

const maxPathLength = 6;

export interface CertificatePath {
  signer: CertificateFacts;
  /** Signer first, the anchor last. */
  path: readonly CertificateFacts[];
  anchor: ApprovedCaAnchor;
  /** The signer's direct issuer (an anchor or an intermediate). */
  issuer: CertificateFacts;
}

function issued(child: CertificateFacts, parent: CertificateFacts): boolean {
  // Name match first (cheap), then the signature itself.
  return child.x509.checkIssued(parent.x509) && child.x509.verify(parent.publicKey);
}

interface AnchorFacts {
  anchor: ApprovedCaAnchor;
  facts: CertificateFacts;
}

const pathCache = new Map<string, { anchorFingerprint: string; path: string[] }>();
const pathCacheLimit = 10_000;

/** Finds the path from `signer` to one of `anchors`; UNTRUSTED when there is none. */
function buildPath(
  signer: CertificateFacts,
  candidates: readonly CertificateFacts[],
  anchors: readonly AnchorFacts[],
): { path: CertificateFacts[]; anchor: AnchorFacts } {
  const byFingerprint = new Map<string, CertificateFacts>();
  for (const c of candidates) byFingerprint.set(c.fingerprint, c);
  for (const a of anchors) byFingerprint.set(a.facts.fingerprint, a.facts);

  // A path found before for these bytes is re-checked cheaply: same anchor still approved, same links.
  const remembered = pathCache.get(signer.fingerprint);
  if (remembered !== undefined) {
    const anchor = anchors.find((a) => a.facts.fingerprint === remembered.anchorFingerprint);
    const path = remembered.path.map((f) => byFingerprint.get(f) ?? (f === signer.fingerprint ? signer : undefined));
    if (anchor !== undefined && path.every((p) => p !== undefined)) {
      return { path: path as CertificateFacts[], anchor };
    }
  }

  const path: CertificateFacts[] = [signer];
  let current = signer;
  for (let depth = 0; depth < maxPathLength; depth++) {
    // The signer itself may be an approved certificate only if it is a CA; a client certificate is never an anchor.
    const anchor = anchors.find((a) => a.facts.fingerprint !== current.fingerprint && issued(current, a.facts));
    if (anchor !== undefined) {
      path.push(anchor.facts);
      if (pathCache.size >= pathCacheLimit) {
        const oldest = pathCache.keys().next().value;
        if (oldest !== undefined) pathCache.delete(oldest);
      }
      pathCache.set(signer.fingerprint, {
        anchorFingerprint: anchor.facts.fingerprint,
        path: path.map((p) => p.fingerprint),
      });
      return { path, anchor };
    }
    const next = candidates.find(
      (c) => c.fingerprint !== current.fingerprint && !path.includes(c) && c.isCa && issued(current, c),
    );
    if (next === undefined) break;
    path.push(next);
    current = next;
  }
  throw new AppError(
    'ORDER_CERTIFICATE_UNTRUSTED',
    `The signing certificate (${signer.summary.subject}, issued by ${signer.summary.issuer}) does not chain to a certification authority this organization approved (A36.5).`,
  );
}

function checkPath(path: readonly CertificateFacts[], at: Date): void {
  path.forEach((c, i) => {
    const role =
      i === 0
        ? 'signing certificate'
        : i === path.length - 1
          ? 'approved CA certificate'
          : 'intermediate CA certificate';
    if (at < c.notBefore || at > c.notAfter) {
      throw new AppError(
        'ORDER_CERTIFICATE_EXPIRED',
        `The ${role} (${c.summary.subject}) is valid from ${c.summary.notBefore} to ${c.summary.notAfter}, not at ${at.toISOString()}.`,
      );
    }
    const weak = weakness(c, role);
    if (weak !== null) {
      throw new AppError(
        c.signatureDigest === 'sha1' || c.signatureDigest === 'md5'
          ? 'ORDER_ALGORITHM_REFUSED'
          : 'ORDER_CERTIFICATE_WEAK',
        weak,
      );
    }
    if (i > 0 && !c.isCa) {
      throw new AppError('ORDER_CERTIFICATE_UNTRUSTED', `The ${role} (${c.summary.subject}) is not a CA certificate.`);
    }
    if (i > 0 && c.keyUsage !== null && !c.keyUsage.has('keyCertSign')) {
      throw new AppError(
        'ORDER_CERTIFICATE_UNTRUSTED',
        `The ${role} (${c.summary.subject}) may not sign certificates.`,
      );
    }
  });
  const signer = path[0];
  if (signer !== undefined && signer.keyUsage !== null) {
    if (!signer.keyUsage.has('digitalSignature') && !signer.keyUsage.has('nonRepudiation')) {
      throw new AppError(
        'ORDER_CERTIFICATE_WEAK',
        'The signing certificate may not make signatures: its key usage has neither digitalSignature nor nonRepudiation.',
      );
    }
  }
}

export interface ValidatedCertificate {
  path: CertificatePath;
  chain: CertificateSummary[];
  revocation: RevocationStatus;
}

/**
 * Validates a signing certificate against the approved CAs at `at`, including revocation; throws AppError with an
 * ORDER_CERTIFICATE_* or ORDER_REVOCATION_UNKNOWN code.
 */
export async function validateCertificate(input: {
  signer: CertificateFacts;
  candidates: readonly CertificateFacts[];
  anchors: readonly ApprovedCaAnchor[];
  at: Date;
  revocation: RevocationChecker;
  unknownRevocation: UnknownRevocationPolicy;
}): Promise<ValidatedCertificate> {
  const anchors: AnchorFacts[] = [];
  for (const anchor of input.anchors) {
    try {
      anchors.push({ anchor, facts: certificateFacts(anchor.certificateDer, 'APPROVED_CA_INVALID') });
    } catch {
      // An unreadable stored anchor trusts nothing; the others still count.
    }
  }
  const { path, anchor } = buildPath(input.signer, input.candidates, anchors);
  checkPath(path, input.at);
  const issuer = path[1] ?? anchor.facts;
  const issuerForRevocation = issuer === anchor.facts ? anchor.anchor : { certificateDer: issuer.der };
  const revocation = await input.revocation.check(input.signer.der, issuerForRevocation, input.at);
  if (revocation.status === 'revoked') {
    throw new AppError(
      'ORDER_CERTIFICATE_REVOKED',
      `The signing certificate (serial ${input.signer.serialHex}) is revoked according to its CA's ${revocation.source.toUpperCase()}${revocation.detail === undefined ? '' : ` (${revocation.detail})`}.`,
    );
  }
  if (revocation.status === 'unknown' && input.unknownRevocation === 'fail-closed') {
    throw new AppError(
      'ORDER_REVOCATION_UNKNOWN',
      `Whether the signing certificate is revoked cannot be established${revocation.detail === undefined ? '' : ` (${revocation.detail})`}, and the policy fails closed.`,
    );
  }
  return {
    path: { signer: input.signer, path, anchor: anchor.anchor, issuer },
    chain: path.map((p) => p.summary),
    revocation,
  };
}
