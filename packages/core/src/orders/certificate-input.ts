import { createHash } from 'node:crypto';
import { AppError } from '../shared/app-error.ts';

const pemBlock = /^-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END CERTIFICATE-----\s*$/;

/**
 * The DER of a certificate given as PEM (one `CERTIFICATE` block) or as base64 of the DER. Only the armour is
 * removed here; whether the bytes are a certificate, and an acceptable one, is for the certificate parser. A DER
 * certificate starts with a SEQUENCE tag (0x30): anything else is refused early with a message a person can act on.
 */
export function certificateDerOf(text: string, code: 'APPROVED_CA_INVALID' | 'VALIDATION_FAILED'): Uint8Array {
  const trimmed = text.trim();
  const pem = pemBlock.exec(trimmed);
  const base64 = (pem?.[1] ?? trimmed).replace(/\s+/g, '');
  if (trimmed.startsWith('-----') && pem === null) {
    throw new AppError(code, 'The certificate is PEM but not one "-----BEGIN CERTIFICATE-----" block.');
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    throw new AppError(code, 'The certificate is neither PEM nor base64 of its DER.');
  }
  const der = Buffer.from(base64, 'base64');
  if (der.length < 32 || der[0] !== 0x30) {
    throw new AppError(code, 'The certificate bytes are not DER (they do not start with a SEQUENCE).');
  }
  return new Uint8Array(der);
}

/** SHA-256 of the DER, lowercase hex: how a certificate is named in the approved-CA store and in bindings. */
export function certificateFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}
