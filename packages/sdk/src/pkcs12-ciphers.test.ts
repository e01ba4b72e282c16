/**
 * Known answers for the two ciphers WebCrypto lacks, which legacy PKCS#12 files need: triple DES against OpenSSL
 * (through node:crypto) and RC2 against the RFC 2268 vectors and `openssl enc -rc2-40-cbc`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bmpPassword, pkcs12Kdf } from './pkcs12-pbe.ts';
import { RC2_PITABLE, rc2CbcDecrypt, rc2DecryptBlock, rc2ExpandKey } from './rc2.ts';
import { DES_SBOXES, tripleDesCbcDecrypt } from './triple-des.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const rc2Legacy =
  spawnSync('openssl', ['enc', '-rc2-40-cbc', '-provider', 'legacy', '-provider', 'default', '-K', '00', '-iv', '00'], {
    input: 'x',
  }).status === 0;

describe('triple DES (DES-EDE3-CBC)', () => {
  it('has S-boxes whose every row is a permutation of 0..15 (FIPS 46-3)', () => {
    for (const box of DES_SBOXES) {
      for (let row = 0; row < 4; row++) expect(new Set(box.slice(row * 16, row * 16 + 16)).size).toBe(16);
    }
  });

  it('decrypts what OpenSSL encrypts, with three keys and with two (K1 K2 K1)', () => {
    for (let n = 0; n < 8; n++) {
      const twoKey = n % 2 === 1;
      const key = randomBytes(twoKey ? 16 : 24);
      const iv = randomBytes(8);
      const plain = randomBytes(8 + n * 13);
      const cipher = createCipheriv(twoKey ? 'des-ede-cbc' : 'des-ede3-cbc', key, iv);
      const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
      const decrypted = tripleDesCbcDecrypt(key, iv, encrypted);
      expect(hex(decrypted.subarray(0, plain.length))).toBe(hex(plain));
    }
  });

  it('refuses a wrong key size or a partial block', () => {
    expect(() => tripleDesCbcDecrypt(new Uint8Array(8), new Uint8Array(8), new Uint8Array(8))).toThrow(/16 or 24/);
    expect(() => tripleDesCbcDecrypt(new Uint8Array(24), new Uint8Array(8), new Uint8Array(7))).toThrow(/8-byte/);
  });
});

describe('RC2 (RFC 2268)', () => {
  it('has a PITABLE that is a permutation of 0..255', () => {
    expect(new Set(RC2_PITABLE).size).toBe(256);
  });

  it('decrypts the RFC 2268 section 5 test vectors', () => {
    const vectors: [key: string, bits: number, plain: string, cipher: string][] = [
      ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
      ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
      ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
      ['88', 64, '0000000000000000', '61a8a244adacccf0'],
    ];
    for (const [key, bits, plain, cipher] of vectors) {
      const k = rc2ExpandKey(Buffer.from(key, 'hex'), bits);
      expect(hex(rc2DecryptBlock(k, Buffer.from(cipher, 'hex')))).toBe(plain);
    }
  });

  it.skipIf(!rc2Legacy)('decrypts what `openssl enc -rc2-40-cbc` encrypts (the PKCS#12 certificate cipher)', () => {
    const key = randomBytes(5);
    const iv = randomBytes(8);
    const plain = randomBytes(61);
    const encrypted = execFileSync(
      'openssl',
      ['enc', '-rc2-40-cbc', '-provider', 'legacy', '-provider', 'default', '-K', hex(key), '-iv', hex(iv)],
      { input: plain },
    );
    expect(hex(rc2CbcDecrypt(key, 40, iv, encrypted).subarray(0, plain.length))).toBe(hex(plain));
  });
});

describe('PKCS#12 key derivation (RFC 7292 appendix B)', () => {
  it('encodes the password as a BMPString with a terminating zero', () => {
    expect(hex(bmpPassword('Ab'))).toBe('004100620000');
    expect(hex(bmpPassword(''))).toBe('0000');
  });

  it('derives more than one hash output of key material (3DES needs 24 bytes from SHA-1)', async () => {
    const salt = Buffer.from('0102030405060708', 'hex');
    const key = await pkcs12Kdf('SHA-1', bmpPassword('pw'), salt, 3, 1, 24);
    const shorter = await pkcs12Kdf('SHA-1', bmpPassword('pw'), salt, 3, 1, 20);
    expect(key.length).toBe(24);
    expect(hex(key.subarray(0, 20))).toBe(hex(shorter));
    expect(hex(await pkcs12Kdf('SHA-1', bmpPassword('pw'), salt, 3, 2, 8))).not.toBe(hex(key.subarray(0, 8)));
  });
});
