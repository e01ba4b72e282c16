import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const keyInfo = 'ntg/order-mac-key/v1';

/**
 * The per-session order MAC key at rest (A35.2, A35.3; docs/adr/0014). The client gets the key once, in the login
 * response; the session row keeps it AES-256-GCM sealed under a key derived by HKDF from the session secret with its
 * own label (never the secret itself), with the session id as additional data, so a sealed key copied onto another
 * session row does not open.
 */
export interface SessionMacKeyCipher {
  seal(key: Buffer, sessionId: string): string;
  open(sealed: string, sessionId: string): Buffer;
}

export function createSessionMacKeyCipher(sessionSecret: Buffer): SessionMacKeyCipher {
  const key = Buffer.from(hkdfSync('sha256', sessionSecret, Buffer.alloc(0), keyInfo, 32));
  return {
    seal(macKey, sessionId) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(sessionId, 'utf8'));
      const body = Buffer.concat([cipher.update(macKey), cipher.final()]);
      return [
        'v1',
        iv.toString('base64url'),
        body.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    open(sealed, sessionId) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || body === undefined || tag === undefined) {
        throw new Error('unreadable order MAC key');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(sessionId, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    },
  };
}

/** 256 random bits: the HMAC-SHA256 key of one session's orders. */
export function newSessionMacKey(): Buffer {
  return randomBytes(32);
}
