import { createHash, randomBytes } from 'node:crypto';

/**
 * Session tokens: 256 random bits, shown to the client once. The database holds only their SHA-256 (A37.3), so a
 * stolen database yields no usable token; a lookup by hash also makes the comparison timing useless to an attacker.
 */
export function newSessionToken(): string {
  return `ntgs_${randomBytes(32).toString('base64url')}`;
}

export function sessionTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A random, single-use challenge nonce (A35.4 non-duplication). */
export function newNonce(): string {
  return randomBytes(32).toString('base64url');
}
