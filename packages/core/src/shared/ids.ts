import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Opaque, unguessable identifiers with a type prefix (`org_…`): 128 bits of randomness in base-36, so an id
 * leaks neither a count nor a creation order.
 */
export function newId(prefix: string): string {
  const bytes = randomBytes(16);
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = alphabet[Number(n % 36n)] + out;
    n /= 36n;
  }
  return `${prefix}_${out.padStart(25, '0')}`;
}
