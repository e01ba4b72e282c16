import { AppError } from '../../shared/app-error.ts';
import type {
  ApprovedCaAnchor,
  CertificateSummary,
  RevocationChecker,
  RevocationStatus,
  UnknownRevocationPolicy,
  VerifiedOrderSignature,
  VerifyOrderSignature,
} from '../order-verification.ts';
import { certificateFacts, readCertificate, weakness } from './certificate-facts.ts';
import { validateCertificate } from './certificate-path.ts';
import { malformed, verifyCms } from './cms-signature.ts';
import { verifyJws } from './jws-signature.ts';

/**
 * Verifies an order signature (ADR 0014; A35.1-A35.5, A36.5): the signature over the canonical bytes, then the
 * certificate policy and revocation. Any failure is an AppError with an ORDER_* code; malformed input of any shape is
 * ORDER_MALFORMED, never an exception of another kind.
 */
export const verifyOrderSignature: VerifyOrderSignature = async (input) => {
  try {
    const checked =
      input.signature.format === 'cms'
        ? verifyCms(decodeBase64(input.signature.value), input.canonicalBytes)
        : verifyJws(input.signature.value, input.canonicalBytes);
    const validated = await validateCertificate({
      signer: checked.signer,
      candidates: checked.certificates,
      anchors: input.anchors,
      at: input.at,
      revocation: input.revocation,
      unknownRevocation: input.unknownRevocation,
    });
    return {
      signerCertificateDer: checked.signer.der,
      signerFingerprint: checked.signer.fingerprint,
      chain: validated.chain,
      anchorId: validated.path.anchor.id,
      algorithm: checked.algorithm,
      revocation: validated.revocation,
    } satisfies VerifiedOrderSignature;
  } catch (error) {
    if (error instanceof AppError) throw error;
    // A parser tripping over hostile bytes is still the client's malformed input, not a server fault.
    throw malformed('it could not be read');
  }
};

function decodeBase64(value: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) throw malformed('the CMS value is not base64');
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/**
 * Checks a client's signing certificate before it is bound to an account: the same policy as an order's signer,
 * without a signature (A36.5).
 */
export async function validateSigningCertificate(input: {
  certificateDer: Uint8Array;
  anchors: readonly ApprovedCaAnchor[];
  at: Date;
  revocation: RevocationChecker;
  unknownRevocation: UnknownRevocationPolicy;
}): Promise<{ certificate: CertificateSummary; anchorId: string; revocation: RevocationStatus }> {
  const signer = certificateFacts(input.certificateDer, 'ORDER_MALFORMED');
  if (signer.isCa) {
    throw new AppError(
      'ORDER_CERTIFICATE_UNTRUSTED',
      'A CA certificate cannot be bound to a client as a signing certificate.',
    );
  }
  const validated = await validateCertificate({ ...input, signer, candidates: [] });
  return { certificate: signer.summary, anchorId: validated.path.anchor.id, revocation: validated.revocation };
}

/**
 * Checks a certificate offered as an approved CA (`ntg ca add`, A36.5): a CA certificate, RSA 2048+ or EC P-256+,
 * not signed with SHA-1 or MD5. Expiry is reported by the summary, not refused here: an expired anchor simply
 * validates nothing.
 */
export function parseApprovedCaCertificate(der: Uint8Array): CertificateSummary {
  const facts = readCertificate(der, 'APPROVED_CA_INVALID');
  if (!facts.isCa) {
    throw new AppError(
      'APPROVED_CA_INVALID',
      `${facts.summary.subject} is not a CA certificate (basicConstraints cA).`,
    );
  }
  if (facts.keyUsage !== null && !facts.keyUsage.has('keyCertSign')) {
    throw new AppError('APPROVED_CA_INVALID', `${facts.summary.subject} may not sign certificates (keyUsage).`);
  }
  const weak = weakness(facts, 'CA certificate');
  if (weak !== null) throw new AppError('APPROVED_CA_INVALID', weak);
  return facts.summary;
}
