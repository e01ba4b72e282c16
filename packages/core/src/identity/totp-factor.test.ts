import { describe, expect, it } from 'vitest';
import {
  createTotpSeedCipher,
  matchTotpStep,
  newTotpSeed,
  totpCode,
  totpCodeForSecret,
  totpSecretBase32,
  totpUri,
} from './totp-factor.ts';

describe('TOTP factor (RFC 6238, A36.1.2)', () => {
  const cipher = createTotpSeedCipher(Buffer.alloc(32, 4));

  it('matches the RFC 6238 SHA-1 test vector', () => {
    const seed = Buffer.from('12345678901234567890', 'ascii');
    // RFC 6238 appendix B: T = 59 s gives 94287082 for 8 digits; six digits are its last six.
    expect(totpCode(seed, new Date(59_000))).toBe('287082');
    expect(matchTotpStep(seed, '287082', new Date(59_000))).toBe(1);
  });

  it('accepts one step of drift either way and names the step the code belongs to', () => {
    const seed = newTotpSeed();
    const now = new Date('2026-01-15T01:00:10.000Z');
    const step = Math.floor(now.getTime() / 30_000);
    expect(matchTotpStep(seed, totpCode(seed, now), now)).toBe(step);
    expect(matchTotpStep(seed, totpCode(seed, new Date(now.getTime() - 30_000)), now)).toBe(step - 1);
    expect(matchTotpStep(seed, totpCode(seed, new Date(now.getTime() + 30_000)), now)).toBe(step + 1);
    expect(matchTotpStep(seed, totpCode(seed, new Date(now.getTime() - 90_000)), now)).toBeNull();
    expect(totpCodeForSecret(totpSecretBase32(seed), now)).toBe(totpCode(seed, now));
    expect(totpUri(seed, 'Alpha Securities', 'a123456789')).toMatch(/^otpauth:\/\/totp\//);
  });

  it('seals seeds with AES-256-GCM bound to their device (A37.3)', () => {
    const seed = newTotpSeed();
    const sealed = cipher.encrypt(seed, 'tot_a');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(seed.toString('base64url'));
    expect(cipher.decrypt(sealed, 'tot_a').equals(seed)).toBe(true);
    expect(() => cipher.decrypt(sealed, 'tot_b')).toThrow();
    expect(() => createTotpSeedCipher(Buffer.alloc(32, 5)).decrypt(sealed, 'tot_a')).toThrow();
    expect(cipher.encrypt(seed, 'tot_a')).not.toBe(sealed);
  });
});
