/**
 * A strict DER reader for the few structures the order verifier walks (CMS SignedData, ADR 0014). Definite lengths
 * only, minimal length encodings, no bytes past the end: what does not read as DER is refused, never guessed at.
 * Hand-written because a general ASN.1 library spent milliseconds per order matching schemas.
 */

export class DerError extends Error {
  override name = 'DerError';
}

export interface Tlv {
  /** The identifier octet (class, constructed bit, tag number below 31). */
  tag: number;
  /** The whole element, header included. */
  raw: Uint8Array;
  /** The contents. */
  value: Uint8Array;
}

export const tags = {
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  sequence: 0x30,
  set: 0x31,
  context0: 0xa0,
  context1: 0xa1,
  context2: 0xa2,
  context3: 0xa3,
  implicit0: 0x80,
} as const;

/** Reads one element at `offset`; returns it and where the next begins. */
export function readTlv(bytes: Uint8Array, offset = 0): { tlv: Tlv; next: number } {
  if (offset + 2 > bytes.length) throw new DerError('truncated element');
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used here');
  let length = bytes[offset + 1] as number;
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new DerError('indefinite lengths are not DER');
    if (count > 4) throw new DerError('element too long');
    if (offset + 2 + count > bytes.length) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[offset + 2 + i] as number);
    if (length < 0x80 || (count > 1 && (bytes[offset + 2] as number) === 0)) throw new DerError('length not minimal');
    header += count;
  }
  const end = offset + header + length;
  if (end > bytes.length) throw new DerError('truncated contents');
  return {
    tlv: { tag, raw: bytes.subarray(offset, end), value: bytes.subarray(offset + header, end) },
    next: end,
  };
}

/** The one element `bytes` holds, with nothing after it. */
export function readOnly(bytes: Uint8Array): Tlv {
  const { tlv, next } = readTlv(bytes, 0);
  if (next !== bytes.length) throw new DerError('bytes after the element');
  return tlv;
}

/** The elements inside a constructed element. */
export function children(tlv: Tlv): Tlv[] {
  if ((tlv.tag & 0x20) === 0) throw new DerError('expected a constructed element');
  const out: Tlv[] = [];
  let offset = 0;
  while (offset < tlv.value.length) {
    const { tlv: child, next } = readTlv(tlv.value, offset);
    out.push(child);
    offset = next;
  }
  return out;
}

export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (tlv === undefined || tlv.tag !== tag) throw new DerError(`expected ${what}`);
  return tlv;
}

/** Dotted notation of an OBJECT IDENTIFIER. */
export function oidOf(tlv: Tlv | undefined): string {
  const t = expectTag(tlv, tags.oid, 'an object identifier');
  const v = t.value;
  if (v.length === 0 || v.length > 64) throw new DerError('bad object identifier');
  const parts: number[] = [];
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const b = v[i] as number;
    if (n === 0 && b === 0x80) throw new DerError('object identifier not minimal');
    n = n * 128 + (b & 0x7f);
    if (n > Number.MAX_SAFE_INTEGER / 128) throw new DerError('object identifier arc too large');
    if ((b & 0x80) === 0) {
      parts.push(n);
      n = 0;
    } else if (i === v.length - 1) {
      throw new DerError('truncated object identifier');
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

/** Small INTEGER as a number (versions, salt lengths). */
export function smallInteger(tlv: Tlv | undefined): number {
  const t = expectTag(tlv, tags.integer, 'an integer');
  if (t.value.length === 0 || t.value.length > 4) throw new DerError('integer out of range');
  let n = 0;
  for (const b of t.value) n = n * 256 + b;
  return n;
}

/** An INTEGER's magnitude as lowercase hex without leading zero bytes (serial numbers). */
export function integerHex(tlv: Tlv | undefined): string {
  const t = expectTag(tlv, tags.integer, 'an integer');
  return Buffer.from(t.value)
    .toString('hex')
    .replace(/^(00)+(?=.)/, '');
}

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }. */
export function algorithmOf(tlv: Tlv | undefined): { oid: string; params: Tlv | undefined } {
  const parts = children(expectTag(tlv, tags.sequence, 'an algorithm identifier'));
  if (parts.length < 1 || parts.length > 2) throw new DerError('bad algorithm identifier');
  return { oid: oidOf(parts[0]), params: parts[1] };
}
