import { generateKeyPairSync, sign } from 'node:crypto';
import { deviceKeySigningInput } from '@ntg/contracts';
import { describe, expect, it } from 'vitest';
import { importDeviceKey, verifyDeviceSignature } from './device-key-factor.ts';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  return { privateKey, jwk: { kty: 'EC' as const, crv: 'P-256' as const, x: String(jwk.x), y: String(jwk.y) } };
}

describe('device key factor (ES256, A35.3)', () => {
  const input = deviceKeySigningInput('login', 'chl_0000000000000000000000001', 'nonce');

  it('verifies a raw r||s ES256 signature over the challenge and nothing else', () => {
    const { privateKey, jwk } = keyPair();
    const key = importDeviceKey(jwk);
    const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect(verifyDeviceSignature(key, input, signature.toString('base64url'))).toBe(true);
    expect(verifyDeviceSignature(key, `${input}x`, signature.toString('base64url'))).toBe(false);
    const der = sign('sha256', Buffer.from(input), privateKey);
    expect(verifyDeviceSignature(key, input, der.toString('base64url'))).toBe(false);
    expect(verifyDeviceSignature(importDeviceKey(keyPair().jwk), input, signature.toString('base64url'))).toBe(false);
  });

  it('binds the purpose into the signed input', () => {
    expect(deviceKeySigningInput('login', 'c', 'n')).not.toBe(deviceKeySigningInput('step-up', 'c', 'n'));
  });

  it('refuses a public key that is not a point on P-256', () => {
    const { jwk } = keyPair();
    expect(() => importDeviceKey({ ...jwk, y: jwk.x })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
