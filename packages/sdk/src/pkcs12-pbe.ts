/**
 * Password-based protection inside PKCS#12 (RFC 7292): the integrity MAC, the legacy PKCS#12 PBE schemes (appendix
 * B key derivation with 3DES or RC2) and PBES2 (RFC 8018: PBKDF2 with AES-CBC). All through WebCrypto
 * (globalThis.crypto), so it runs in browsers and Node alike; 3DES and RC2, which WebCrypto lacks, come from
 * triple-des.ts and rc2.ts.
 */
import * as asn1js from 'asn1js';
import { rc2CbcDecrypt } from './rc2.ts';
import { tripleDesCbcDecrypt } from './triple-des.ts';

type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** More iterations than any real file uses: such a file is a way to make the app hang, not a key store. */
const MAX_ITERATIONS = 10_000_000;

/** Why a protected part could not be opened; pkcs12.ts turns it into a Pkcs12Error. */
export class PbeError extends Error {
  readonly reason: 'unsupported' | 'decrypt' | 'malformed';
  constructor(reason: PbeError['reason'], message: string) {
    super(message);
    this.name = 'PbeError';
    this.reason = reason;
  }
}

const subtle = (): SubtleCrypto => {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new PbeError('unsupported', 'WebCrypto (globalThis.crypto.subtle) is not available here');
  return s;
};
type SubtleCrypto = typeof globalThis.crypto.subtle;

const DIGEST_OIDS: Readonly<Record<string, HashName>> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};
const HMAC_OIDS: Readonly<Record<string, HashName>> = {
  '1.2.840.113549.2.7': 'SHA-1',
  '1.2.840.113549.2.9': 'SHA-256',
  '1.2.840.113549.2.10': 'SHA-384',
  '1.2.840.113549.2.11': 'SHA-512',
};
/** Output (u) and block (v) sizes in bytes, RFC 7292 appendix B.2. */
const HASH_SIZES: Readonly<Record<HashName, { u: number; v: number }>> = {
  'SHA-1': { u: 20, v: 64 },
  'SHA-256': { u: 32, v: 64 },
  'SHA-384': { u: 48, v: 128 },
  'SHA-512': { u: 64, v: 128 },
};

export function digestOfOid(oid: string): HashName | undefined {
  return DIGEST_OIDS[oid];
}

function view(buffer: ArrayBuffer | ArrayBufferView): Uint8Array {
  return buffer instanceof Uint8Array
    ? buffer
    : ArrayBuffer.isView(buffer)
      ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
      : new Uint8Array(buffer);
}

/** RFC 7292 appendix B.1: the password as a BMPString (UTF-16 big-endian) with two trailing zero bytes. */
export function bmpPassword(password: string): Uint8Array {
  const out = new Uint8Array(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) {
    const unit = password.charCodeAt(i);
    out[2 * i] = unit >> 8;
    out[2 * i + 1] = unit & 0xff;
  }
  return out;
}

/** RFC 7292 appendix B.2: `length` bytes of key material for purpose id (1 key, 2 IV, 3 MAC key). */
export async function pkcs12Kdf(
  hash: HashName,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  id: 1 | 2 | 3,
  length: number,
): Promise<Uint8Array> {
  const { u, v } = HASH_SIZES[hash];
  const repeatTo = (source: Uint8Array, size: number): Uint8Array => {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) out[i] = source[i % source.length] ?? 0;
    return out;
  };
  const s = salt.length === 0 ? new Uint8Array(0) : repeatTo(salt, v * Math.ceil(salt.length / v));
  const p = password.length === 0 ? new Uint8Array(0) : repeatTo(password, v * Math.ceil(password.length / v));
  const i = new Uint8Array(s.length + p.length);
  i.set(s);
  i.set(p, s.length);
  const d = new Uint8Array(v).fill(id);
  const out = new Uint8Array(length);
  const rounds = Math.ceil(length / u);
  for (let round = 0; round < rounds; round++) {
    const input = new Uint8Array(v + i.length);
    input.set(d);
    input.set(i, v);
    let a = view(await subtle().digest(hash, input));
    for (let n = 1; n < iterations; n++) a = view(await subtle().digest(hash, a));
    out.set(a.subarray(0, Math.min(u, length - round * u)), round * u);
    if (round === rounds - 1) break;
    // I_j = (I_j + B + 1) mod 2^(8v), B being A repeated to v bytes.
    const b = repeatTo(a, v);
    for (let offset = 0; offset < i.length; offset += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = (i[offset + k] ?? 0) + (b[k] ?? 0) + carry;
        i[offset + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return out;
}

/** RFC 7292 section 5.1 step 3: HMAC under the KDF's MAC key, compared by WebCrypto's verify. */
export async function verifyPkcs12Mac(
  digestOid: string,
  password: string,
  salt: Uint8Array,
  iterations: number,
  expected: Uint8Array,
  content: Uint8Array,
): Promise<boolean> {
  const hash = digestOfOid(digestOid);
  if (hash === undefined) throw new PbeError('unsupported', `the MAC digest ${digestOid} is not supported`);
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new PbeError('malformed', 'the MAC iteration count is out of range');
  }
  const keyBytes = await pkcs12Kdf(hash, bmpPassword(password), salt, iterations, 3, HASH_SIZES[hash].u);
  const key = await subtle().importKey('raw', keyBytes, { name: 'HMAC', hash }, false, ['verify']);
  return subtle().verify('HMAC', key, expected, content);
}

/** PKCS#7 padding as block ciphers in CBC mode leave it; a wrong key shows up here (or in what follows). */
function unpad(data: Uint8Array, blockSize: number): Uint8Array {
  const pad = data[data.length - 1] ?? 0;
  if (pad < 1 || pad > blockSize || pad > data.length) throw new PbeError('decrypt', 'bad padding');
  for (let i = data.length - pad; i < data.length; i++) {
    if (data[i] !== pad) throw new PbeError('decrypt', 'bad padding');
  }
  return data.subarray(0, data.length - pad);
}

const LEGACY_PBE: Readonly<
  Record<string, { name: string; keyLength: number; cipher: '3des' | 'rc2'; rc2Bits?: number }>
> = {
  '1.2.840.113549.1.12.1.3': { name: 'pbeWithSHAAnd3-KeyTripleDES-CBC', keyLength: 24, cipher: '3des' },
  '1.2.840.113549.1.12.1.4': { name: 'pbeWithSHAAnd2-KeyTripleDES-CBC', keyLength: 16, cipher: '3des' },
  '1.2.840.113549.1.12.1.5': { name: 'pbeWithSHAAnd128BitRC2-CBC', keyLength: 16, cipher: 'rc2', rc2Bits: 128 },
  '1.2.840.113549.1.12.1.6': { name: 'pbewithSHAAnd40BitRC2-CBC', keyLength: 5, cipher: 'rc2', rc2Bits: 40 },
};

const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const AES_CBC: Readonly<Record<string, number>> = {
  '2.16.840.1.101.3.4.1.2': 16,
  '2.16.840.1.101.3.4.1.22': 24,
  '2.16.840.1.101.3.4.1.42': 32,
};
const DES_EDE3_CBC = '1.2.840.113549.3.7';

/** An AlgorithmIdentifier as asn1js parsed it: the OID and its parameters. */
export interface AlgorithmParameters {
  oid: string;
  params: asn1js.AsnType | undefined;
}

function sequenceItems(value: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  if (!(value instanceof asn1js.Sequence)) throw new PbeError('malformed', `${what} is not a SEQUENCE`);
  return value.valueBlock.value;
}

function octets(value: asn1js.AsnType | undefined, what: string): Uint8Array {
  if (!(value instanceof asn1js.OctetString)) throw new PbeError('malformed', `${what} is not an OCTET STRING`);
  return view(value.getValue());
}

function integer(value: asn1js.AsnType | undefined, what: string): number {
  if (!(value instanceof asn1js.Integer)) throw new PbeError('malformed', `${what} is not an INTEGER`);
  const n = value.valueBlock.valueDec;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_ITERATIONS)
    throw new PbeError('malformed', `${what} is out of range`);
  return n;
}

function algorithm(value: asn1js.AsnType | undefined, what: string): AlgorithmParameters {
  const [oid, params] = sequenceItems(value, what);
  if (!(oid instanceof asn1js.ObjectIdentifier)) throw new PbeError('malformed', `${what} has no algorithm OID`);
  return { oid: oid.valueBlock.toString(), params };
}

/** The name of a protection scheme, for messages. */
export function schemeName(oid: string): string {
  return LEGACY_PBE[oid]?.name ?? (oid === PBES2 ? 'PBES2' : oid);
}

async function decryptPbes2(params: asn1js.AsnType | undefined, password: string, data: Uint8Array) {
  const [kdf, scheme] = sequenceItems(params, 'PBES2 parameters');
  const kdfAlgorithm = algorithm(kdf, 'PBES2 key derivation');
  if (kdfAlgorithm.oid !== PBKDF2) {
    throw new PbeError('unsupported', `the key derivation ${kdfAlgorithm.oid} is not supported (PBKDF2 is)`);
  }
  const kdfItems = sequenceItems(kdfAlgorithm.params, 'PBKDF2 parameters');
  const salt = octets(kdfItems[0], 'PBKDF2 salt');
  const iterations = integer(kdfItems[1], 'PBKDF2 iteration count');
  // keyLength (INTEGER) is optional and comes before the optional PRF.
  const prfItem = kdfItems.slice(2).find((item) => item instanceof asn1js.Sequence);
  let hash: HashName = 'SHA-1';
  if (prfItem !== undefined) {
    const prf = algorithm(prfItem, 'PBKDF2 PRF');
    const named = HMAC_OIDS[prf.oid];
    if (named === undefined) throw new PbeError('unsupported', `the PBKDF2 PRF ${prf.oid} is not supported`);
    hash = named;
  }
  const cipher = algorithm(scheme, 'PBES2 encryption scheme');
  const iv = octets(cipher.params, 'PBES2 IV');
  const aesBytes = AES_CBC[cipher.oid];
  const keyLength = aesBytes ?? (cipher.oid === DES_EDE3_CBC ? 24 : undefined);
  if (keyLength === undefined) {
    throw new PbeError('unsupported', `the PBES2 cipher ${cipher.oid} is not supported (AES-CBC and 3DES are)`);
  }
  const passwordKey = await subtle().importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const keyBytes = view(
    await subtle().deriveBits({ name: 'PBKDF2', hash, salt, iterations }, passwordKey, keyLength * 8),
  );
  if (aesBytes === undefined) return unpad(tripleDesCbcDecrypt(keyBytes, iv, data), 8);
  const key = await subtle().importKey('raw', keyBytes, { name: 'AES-CBC' }, false, ['decrypt']);
  try {
    // WebCrypto checks and strips the PKCS#7 padding itself, and throws when it is wrong.
    return view(await subtle().decrypt({ name: 'AES-CBC', iv }, key, data));
  } catch {
    throw new PbeError('decrypt', 'AES-CBC decryption failed');
  }
}

async function decryptLegacy(oid: string, params: asn1js.AsnType | undefined, password: string, data: Uint8Array) {
  const scheme = LEGACY_PBE[oid];
  if (scheme === undefined) throw new PbeError('unsupported', `the encryption ${oid} is not supported`);
  const [saltItem, iterationsItem] = sequenceItems(params, `${scheme.name} parameters`);
  const salt = octets(saltItem, `${scheme.name} salt`);
  const iterations = integer(iterationsItem, `${scheme.name} iterations`);
  const bmp = bmpPassword(password);
  const key = await pkcs12Kdf('SHA-1', bmp, salt, iterations, 1, scheme.keyLength);
  const iv = await pkcs12Kdf('SHA-1', bmp, salt, iterations, 2, 8);
  if (data.length === 0 || data.length % 8 !== 0) throw new PbeError('malformed', 'encrypted data is not whole blocks');
  const plain =
    scheme.cipher === '3des' ? tripleDesCbcDecrypt(key, iv, data) : rc2CbcDecrypt(key, scheme.rc2Bits ?? 40, iv, data);
  return unpad(plain, 8);
}

/** Decrypts one password-protected part (a shrouded key bag or an encrypted SafeContents). */
export async function pbeDecrypt(scheme: AlgorithmParameters, password: string, data: Uint8Array): Promise<Uint8Array> {
  if (scheme.oid === PBES2) return decryptPbes2(scheme.params, password, data);
  return decryptLegacy(scheme.oid, scheme.params, password, data);
}

/** An AlgorithmIdentifier from its DER-parsed form. */
export function algorithmOf(value: asn1js.AsnType | undefined, what: string): AlgorithmParameters {
  return algorithm(value, what);
}
