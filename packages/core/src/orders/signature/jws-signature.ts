import { constants, verify } from 'node:crypto';
import { AppError } from '../../shared/app-error.ts';
import { type CertificateFacts, certificateFacts } from './certificate-facts.ts';
import { malformed } from './cms-signature.ts';

/**
 * JWS compact serialization with a detached payload (RFC 7515 appendix F) over the canonical order bytes (ADR 0014).
 * The algorithm comes from an explicit allowlist and must match the key of the certificate in `x5c`; no header may
 * name a key or a place to fetch one (`jwk`, `jku`, `x5u`), and no extension may be critical: the message never
 * chooses how it is checked.
 */

type JwsAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

const algorithms: Record<JwsAlgorithm, { digest: string; scheme: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa'; curve?: string }> =
  {
    RS256: { digest: 'sha256', scheme: 'rsa-pkcs1' },
    RS384: { digest: 'sha384', scheme: 'rsa-pkcs1' },
    RS512: { digest: 'sha512', scheme: 'rsa-pkcs1' },
    PS256: { digest: 'sha256', scheme: 'rsa-pss' },
    PS384: { digest: 'sha384', scheme: 'rsa-pss' },
    PS512: { digest: 'sha512', scheme: 'rsa-pss' },
    ES256: { digest: 'sha256', scheme: 'ecdsa', curve: 'prime256v1' },
    ES384: { digest: 'sha384', scheme: 'ecdsa', curve: 'secp384r1' },
    ES512: { digest: 'sha512', scheme: 'ecdsa', curve: 'secp521r1' },
  };

/** Header members a detached order JWS may carry; any other is refused rather than ignored. */
const allowedHeader = new Set(['alg', 'x5c', 'typ', 'kid', 'x5t#S256']);
const ecdsaSizes: Record<string, number> = { ES256: 64, ES384: 96, ES512: 132 };

export interface JwsSignature {
  signer: CertificateFacts;
  certificates: CertificateFacts[];
  algorithm: string;
}

function decodeHeader(encoded: string): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw malformed('the JWS protected header is not base64url JSON');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw malformed('the JWS protected header is not a JSON object');
  }
  return header as Record<string, unknown>;
}

/** Verifies a detached JWS over `canonical`. Throws ORDER_MALFORMED, ORDER_ALGORITHM_REFUSED or ORDER_SIGNATURE_INVALID. */
export function verifyJws(compact: string, canonical: Uint8Array): JwsSignature {
  const parts = compact.split('.');
  if (parts.length !== 3 || parts[1] !== '') throw malformed('a detached JWS is header..signature');
  const [encodedHeader = '', , encodedSignature = ''] = parts;
  const header = decodeHeader(encodedHeader);
  for (const name of Object.keys(header)) {
    if (!allowedHeader.has(name)) {
      throw new AppError(
        'ORDER_ALGORITHM_REFUSED',
        `The JWS header "${name}" is not accepted: keys and processing rules never come from the message.`,
      );
    }
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || !Object.hasOwn(algorithms, alg)) {
    throw new AppError(
      'ORDER_ALGORITHM_REFUSED',
      `The JWS algorithm ${JSON.stringify(alg)} is not accepted; use one of ${Object.keys(algorithms).join(', ')}.`,
    );
  }
  const spec = algorithms[alg as JwsAlgorithm];
  const x5c = header.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > 6 || !x5c.every((c) => typeof c === 'string')) {
    throw malformed('x5c must list the signer certificate first (base64 DER)');
  }
  const certificates = (x5c as string[]).map((c) => {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(c)) throw malformed('an x5c entry is not base64');
    return certificateFacts(new Uint8Array(Buffer.from(c, 'base64')), 'ORDER_MALFORMED');
  });
  const signer = certificates[0] as CertificateFacts;

  // Algorithm confusion: the header may only name an algorithm of the certificate's own key type and curve.
  const key = signer.key;
  const matches = spec.scheme === 'ecdsa' ? key.type === 'ec' && key.curve === spec.curve : key.type === 'rsa';
  if (!matches) {
    const what = key.type === 'ec' ? `an EC ${key.curve} key` : key.type === 'rsa' ? 'an RSA key' : `a ${key.name} key`;
    throw new AppError('ORDER_ALGORITHM_REFUSED', `The JWS algorithm ${alg} does not match the signer's ${what}.`);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(encodedSignature)) throw malformed('the JWS signature is not base64url');
  const signature = Buffer.from(encodedSignature, 'base64url');
  const expectedSize = ecdsaSizes[alg];
  if (expectedSize !== undefined && signature.length !== expectedSize) {
    throw new AppError('ORDER_SIGNATURE_INVALID', `An ${alg} signature has ${expectedSize} bytes.`);
  }
  const input = Buffer.from(`${encodedHeader}.${Buffer.from(canonical).toString('base64url')}`, 'ascii');
  const options =
    spec.scheme === 'rsa-pss'
      ? {
          key: signer.publicKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        }
      : spec.scheme === 'rsa-pkcs1'
        ? { key: signer.publicKey, padding: constants.RSA_PKCS1_PADDING }
        : { key: signer.publicKey, dsaEncoding: 'ieee-p1363' as const };
  let ok = false;
  try {
    ok = verify(spec.digest, input, options, signature);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new AppError('ORDER_SIGNATURE_INVALID', 'The JWS signature does not verify with the signer certificate.');
  return { signer, certificates: certificates.slice(1), algorithm: `jws:${alg}` };
}
