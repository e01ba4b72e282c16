import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/app-error.ts';
import { certificateDerOf, certificateFingerprint } from './certificate-input.ts';

const der = Buffer.from(Array.from({ length: 120 }, (_, i) => (i === 0 ? 0x30 : (i * 7) % 256)));
const b64 = der.toString('base64');
const pem = `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END CERTIFICATE-----\n`;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isAppError(error) ? error.code : 'not an AppError';
  }
  return undefined;
}

describe('certificate input (A36.5)', () => {
  it('reads PEM and base64 DER to the same bytes', () => {
    expect(Buffer.from(certificateDerOf(pem, 'APPROVED_CA_INVALID')).equals(der)).toBe(true);
    expect(Buffer.from(certificateDerOf(b64, 'APPROVED_CA_INVALID')).equals(der)).toBe(true);
    expect(Buffer.from(certificateDerOf(pem.replaceAll('\n', '\r\n'), 'APPROVED_CA_INVALID')).equals(der)).toBe(true);
  });

  it('refuses a private key block, text that is not base64, and bytes that are not DER', () => {
    expect(codeOf(() => certificateDerOf(pem.replaceAll('CERTIFICATE', 'PRIVATE KEY'), 'APPROVED_CA_INVALID'))).toBe(
      'APPROVED_CA_INVALID',
    );
    expect(codeOf(() => certificateDerOf('not a certificate at all!', 'VALIDATION_FAILED'))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => certificateDerOf(Buffer.alloc(64, 1).toString('base64'), 'APPROVED_CA_INVALID'))).toBe(
      'APPROVED_CA_INVALID',
    );
  });

  it('names a certificate by the SHA-256 of its DER, lowercase hex', () => {
    expect(certificateFingerprint(der)).toBe(createHash('sha256').update(der).digest('hex'));
  });
});
