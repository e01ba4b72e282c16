import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

const period = 30;
const digits = 6;
const seedInfo = 'ntg/totp-seed/v1';

/**
 * TOTP seeds at rest (A37.3: identity data stored hashed or encrypted). AES-256-GCM under a key derived by HKDF
 * from the session key with its own label, so the seed key is never the session key itself; the device id is the
 * additional data, so a ciphertext copied onto another device row does not decrypt.
 */
export interface TotpSeedCipher {
  encrypt(seed: Buffer, deviceId: string): string;
  decrypt(sealed: string, deviceId: string): Buffer;
}

export function createTotpSeedCipher(sessionKey: Buffer): TotpSeedCipher {
  const key = Buffer.from(hkdfSync('sha256', sessionKey, Buffer.alloc(0), seedInfo, 32));
  return {
    encrypt(seed, deviceId) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(deviceId, 'utf8'));
      const body = Buffer.concat([cipher.update(seed), cipher.final()]);
      return [
        'v1',
        iv.toString('base64url'),
        body.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    decrypt(sealed, deviceId) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || body === undefined || tag === undefined) {
        throw new Error('unreadable TOTP seed');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(deviceId, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    },
  };
}

/** 160 random bits, RFC 4226's recommended seed length. */
export function newTotpSeed(): Buffer {
  return randomBytes(20);
}

export function totpSecretBase32(seed: Buffer): string {
  return new Secret({ buffer: new Uint8Array(seed).buffer }).base32;
}

export function totpUri(seed: Buffer, issuer: string, label: string): string {
  return new TOTP({
    issuer,
    label,
    secret: new Secret({ buffer: new Uint8Array(seed).buffer }),
    digits,
    period,
  }).toString();
}

/** The code of a seed at a time, for tests and the firm's own tooling; the gateway itself only checks codes. */
export function totpCode(seed: Buffer, at: Date): string {
  return TOTP.generate({
    secret: new Secret({ buffer: new Uint8Array(seed).buffer }),
    digits,
    period,
    timestamp: at.getTime(),
  });
}

/** The same, from the base32 secret an authenticator app is given at enrolment. */
export function totpCodeForSecret(base32: string, at: Date): string {
  return TOTP.generate({ secret: Secret.fromBase32(base32), digits, period, timestamp: at.getTime() });
}

/**
 * The RFC 6238 time step a code belongs to, one step of clock drift either way, or null. The caller must then claim
 * the step atomically (later than the last one used on the device), so each code is accepted once (A35.4).
 */
export function matchTotpStep(seed: Buffer, code: string, now: Date): number | null {
  const timestamp = now.getTime();
  const delta = TOTP.validate({
    token: code,
    secret: new Secret({ buffer: new Uint8Array(seed).buffer }),
    digits,
    period,
    timestamp,
    window: 1,
  });
  return delta === null ? null : TOTP.counter({ period, timestamp }) + delta;
}
