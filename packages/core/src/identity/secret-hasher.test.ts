import { describe, expect, it } from 'vitest';
import { IdentityPolicyError } from './identity-errors.ts';
import { createArgon2SecretHasher, minimumArgon2 } from './secret-hasher.ts';

const pepper = Buffer.alloc(32, 1);

describe('Argon2id secret hasher (A36.2, A37.3)', () => {
  const hasher = createArgon2SecretHasher({ pepper, parameters: minimumArgon2 });

  it('stores a PHC string with explicit parameters and a salt per credential', async () => {
    const a = await hasher.hash('Tr4ding-Pin!');
    const b = await hasher.hash('Tr4ding-Pin!');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(await hasher.verify(a, 'Tr4ding-Pin!')).toBe(true);
    expect(await hasher.verify(a, 'tr4ding-pin!')).toBe(false);
  });

  it('peppers the secret: the same PIN under another pepper does not verify', async () => {
    const phc = await hasher.hash('Tr4ding-Pin!');
    const other = createArgon2SecretHasher({ pepper: Buffer.alloc(32, 2), parameters: minimumArgon2 });
    expect(await other.verify(phc, 'Tr4ding-Pin!')).toBe(false);
  });

  it('treats full-width and half-width spellings of a PIN as one (NFKC)', async () => {
    const phc = await hasher.hash('Pin12345678');
    expect(await hasher.verify(phc, 'Ｐｉｎ１２３４５６７８')).toBe(true);
  });

  it('asks for a rehash when the parameters rose, and answers false for a damaged hash', async () => {
    const phc = await hasher.hash('Tr4ding-Pin!');
    expect(hasher.needsRehash(phc)).toBe(false);
    const stronger = createArgon2SecretHasher({ pepper, parameters: { memoryKib: 19456, iterations: 3 } });
    expect(stronger.needsRehash(phc)).toBe(true);
    expect(await hasher.verify('not-a-hash', 'x')).toBe(false);
    expect(hasher.needsRehash('not-a-hash')).toBe(true);
  });

  it('refuses parameters below the floor and a short pepper', () => {
    expect(() => createArgon2SecretHasher({ pepper, parameters: { memoryKib: 8192, iterations: 2 } })).toThrow(
      IdentityPolicyError,
    );
    expect(() => createArgon2SecretHasher({ pepper, parameters: { memoryKib: 19456, iterations: 1 } })).toThrow();
    expect(() => createArgon2SecretHasher({ pepper: Buffer.alloc(16), parameters: minimumArgon2 })).toThrow();
  });
});
