/**
 * Triple DES (FIPS 46-3, NIST SP 800-67) decryption in CBC mode, for the PKCS#12 files certification authorities
 * and Windows still export: their private keys are encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC, and WebCrypto
 * has no DES. Used to read such files only, never to protect anything new. Bit-level and unhurried: a key bag is
 * a few hundred bytes, a certificate bag a few kilobytes.
 */

// Tables of FIPS 46-3, 1-based bit positions counted from the most significant bit of the input.
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55,
  47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30,
  40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24,
  16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31,
  23, 15, 7,
];
/** The final permutation is the inverse of IP. */
const FP = (() => {
  const inverse = new Array<number>(64).fill(0);
  IP.forEach((from, to) => {
    inverse[from - 1] = to + 1;
  });
  return inverse;
})();
/** The expansion E: each 4-bit group of R with its two neighbours, wrapping around. */
const E = Array.from({ length: 48 }, (_, i) => {
  const group = Math.floor(i / 6);
  return ((group * 4 + (i % 6) - 1 + 32) % 32) + 1;
});
const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
];
/** S1…S8, each four rows of sixteen. */
export const DES_SBOXES: readonly (readonly number[])[] = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4, 1,
    14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0, 14,
    7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13, 6,
    4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10, 6,
    9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4, 2, 1,
    11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9, 14,
    15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1, 4,
    11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7, 11,
    4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

type Bits = number[];

function toBits(bytes: Uint8Array, offset: number): Bits {
  const bits: Bits = [];
  for (let i = 0; i < 8; i++) {
    const byte = bytes[offset + i] ?? 0;
    for (let b = 7; b >= 0; b--) bits.push((byte >> b) & 1);
  }
  return bits;
}

function writeBits(bits: Bits, out: Uint8Array, offset: number): void {
  for (let i = 0; i < 8; i++) {
    let byte = 0;
    for (let b = 0; b < 8; b++) byte = (byte << 1) | (bits[i * 8 + b] ?? 0);
    out[offset + i] = byte;
  }
}

function permute(input: Bits, table: readonly number[]): Bits {
  return table.map((position) => input[position - 1] ?? 0);
}

function rotateLeft(half: Bits, by: number): Bits {
  return [...half.slice(by), ...half.slice(0, by)];
}

/** The sixteen 48-bit round keys of one DES key (its parity bits are ignored, as FIPS 46-3 says). */
function roundKeys(key: Uint8Array, offset: number): Bits[] {
  const permuted = permute(toBits(key, offset), PC1);
  let c = permuted.slice(0, 28);
  let d = permuted.slice(28);
  return SHIFTS.map((shift) => {
    c = rotateLeft(c, shift);
    d = rotateLeft(d, shift);
    return permute([...c, ...d], PC2);
  });
}

function feistel(right: Bits, roundKey: Bits): Bits {
  const mixed = permute(right, E).map((bit, i) => bit ^ (roundKey[i] ?? 0));
  const out: Bits = [];
  for (let s = 0; s < 8; s++) {
    const b = mixed.slice(s * 6, s * 6 + 6);
    const row = ((b[0] ?? 0) << 1) | (b[5] ?? 0);
    const column = ((b[1] ?? 0) << 3) | ((b[2] ?? 0) << 2) | ((b[3] ?? 0) << 1) | (b[4] ?? 0);
    const value = DES_SBOXES[s]?.[row * 16 + column] ?? 0;
    out.push((value >> 3) & 1, (value >> 2) & 1, (value >> 1) & 1, value & 1);
  }
  return permute(out, P);
}

function desBlock(block: Bits, keys: readonly Bits[]): Bits {
  const permuted = permute(block, IP);
  let left = permuted.slice(0, 32);
  let right = permuted.slice(32);
  for (const key of keys) {
    const f = feistel(right, key);
    const next = left.map((bit, i) => bit ^ (f[i] ?? 0));
    left = right;
    right = next;
  }
  return permute([...right, ...left], FP);
}

/**
 * DES-EDE3-CBC decryption (keying option 1: three independent 8-byte keys, K1||K2||K3; a 16-byte key means
 * K1||K2||K1). Returns the plaintext with its padding still on: the caller checks and strips it.
 */
export function tripleDesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 24 && key.length !== 16) throw new RangeError('a triple DES key is 16 or 24 bytes');
  if (iv.length !== 8) throw new RangeError('a DES IV is 8 bytes');
  if (data.length === 0 || data.length % 8 !== 0)
    throw new RangeError('DES-CBC data is a whole number of 8-byte blocks');
  const k1 = roundKeys(key, 0);
  const k2 = roundKeys(key, 8);
  const k3 = key.length === 24 ? roundKeys(key, 16) : k1;
  const k1Reverse = [...k1].reverse();
  const k3Reverse = [...k3].reverse();
  const out = new Uint8Array(data.length);
  let previous = toBits(iv, 0);
  for (let offset = 0; offset < data.length; offset += 8) {
    const cipher = toBits(data, offset);
    // EDE: encryption was E_K3(D_K2(E_K1(x))), so decryption is D_K1(E_K2(D_K3(c))).
    const plain = desBlock(desBlock(desBlock(cipher, k3Reverse), k2), k1Reverse).map(
      (bit, i) => bit ^ (previous[i] ?? 0),
    );
    writeBits(plain, out, offset);
    previous = cipher;
  }
  return out;
}
