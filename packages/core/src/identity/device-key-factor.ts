import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { P256PublicJwk } from '@ntg/contracts';
import { AppError } from '../shared/app-error.ts';

/**
 * A device key pair made by the firm's app (A36.1.2: the device agreed between client and firm). The app keeps the
 * private key in the platform keystore; the server keeps the public key and checks an ES256 signature over a
 * single-use server challenge, so a signature cannot be replayed (A35.3, A35.4). ECDSA P-256 meets A35's
 * "ECC 256 bits".
 */
export function importDeviceKey(jwk: P256PublicJwk): KeyObject {
  try {
    // createPublicKey refuses a point that is not on the curve.
    return createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The device public key is not a valid P-256 key.', {
      issues: [{ path: 'publicKey', message: 'not a point on P-256' }],
    });
  }
}

/** Verifies a raw r||s (IEEE P1363, as WebCrypto and JOSE produce) ES256 signature over `input` as UTF-8. */
export function verifyDeviceSignature(key: KeyObject, input: string, signatureBase64url: string): boolean {
  const signature = Buffer.from(signatureBase64url, 'base64url');
  if (signature.length !== 64) return false;
  try {
    return verify('sha256', Buffer.from(input, 'utf8'), { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}
