import { X509Certificate } from 'node:crypto';
import type { AppInspection } from '@ntg/contracts';

/**
 * Signing certificates of app packages: the PKCS#7 SignedData of an APK's v1 signature (META-INF/*.RSA|*.EC|*.DSA,
 * RFC 2315) and of an iOS embedded.mobileprovision, and the APK Signature Scheme v2/v3 block that sits before the
 * central directory (source.android.com/docs/security/features/apksigning/v2). Only certificates are read; the
 * signatures are not verified here (a store or MDM verifies them on install), so the result says who signed, not
 * that the signature is valid. Malformed structures yield no certificate rather than an error: a reviewer then
 * sees "no signing certificate found".
 */

export type AppSigner = AppInspection['signers'][number];

interface Tlv {
  tag: number;
  /** Offset of the tag byte, of the contents, and one past the end (after an end-of-contents for indefinite forms). */
  start: number;
  contentStart: number;
  end: number;
  /** Whether the contents end with 00 00 (BER indefinite length, as some CMS writers stream). */
  indefinite: boolean;
}

class DerError extends Error {}

/** Reads one TLV at `at`, within `limit`; indefinite lengths are resolved by walking the children. */
function readTlv(buf: Buffer, at: number, limit: number, depth = 0): Tlv {
  if (depth > 32) throw new DerError('nested too deep');
  if (at + 2 > limit) throw new DerError('truncated');
  const tag = buf.readUInt8(at);
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used here');
  let lengthByte = buf.readUInt8(at + 1);
  let contentStart = at + 2;
  if (lengthByte === 0x80) {
    if ((tag & 0x20) === 0) throw new DerError('indefinite length on a primitive');
    let pos = contentStart;
    for (;;) {
      if (pos + 2 > limit) throw new DerError('unterminated indefinite length');
      if (buf.readUInt8(pos) === 0 && buf.readUInt8(pos + 1) === 0) {
        return { tag, start: at, contentStart, end: pos + 2, indefinite: true };
      }
      pos = readTlv(buf, pos, limit, depth + 1).end;
    }
  }
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const n = lengthByte & 0x7f;
    if (n > 4 || contentStart + n > limit) throw new DerError('bad length');
    length = 0;
    for (let i = 0; i < n; i += 1) {
      lengthByte = buf.readUInt8(contentStart + i);
      length = length * 256 + lengthByte;
    }
    contentStart += n;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError('runs past its parent');
  return { tag, start: at, contentStart, end, indefinite: false };
}

function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  const stop = parent.indefinite ? parent.end - 2 : parent.end;
  for (let pos = parent.contentStart; pos < stop; ) {
    const child = readTlv(buf, pos, stop);
    out.push(child);
    pos = child.end;
  }
  return out;
}

const SIGNED_DATA_OID = Buffer.from('2a864886f70d010702', 'hex'); // 1.2.840.113549.1.7.2

/** The SignedData SEQUENCE of a ContentInfo, or null when it is not one. */
function signedData(buf: Buffer): { root: Tlv; parts: Tlv[] } | null {
  const info = readTlv(buf, 0, buf.length);
  const [oid, explicit] = children(buf, info);
  if (oid?.tag !== 0x06 || !buf.subarray(oid.contentStart, oid.end).equals(SIGNED_DATA_OID)) return null;
  if (explicit?.tag !== 0xa0) return null;
  const [sd] = children(buf, explicit);
  if (sd?.tag !== 0x30) return null;
  return { root: sd, parts: children(buf, sd) };
}

/** The X.509 certificates (DER) carried in a PKCS#7/CMS SignedData; empty when there are none or it is malformed. */
export function certificatesFromPkcs7(der: Uint8Array): Buffer[] {
  const buf = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  try {
    const sd = signedData(buf);
    // SignedData: version, digestAlgorithms, encapContentInfo, [0] IMPLICIT certificates OPTIONAL, …
    const certs = sd?.parts.find((p, i) => i >= 3 && p.tag === 0xa0);
    if (certs === undefined) return [];
    return children(buf, certs)
      .filter((c) => c.tag === 0x30 && !c.indefinite)
      .map((c) => Buffer.from(buf.subarray(c.start, c.end)));
  } catch (error) {
    if (error instanceof DerError || error instanceof RangeError) return [];
    throw error;
  }
}

/** The signed content of a SignedData (the plist inside an embedded.mobileprovision), or null. */
export function pkcs7Content(der: Uint8Array): Buffer | null {
  const buf = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  try {
    const encap = signedData(buf)?.parts[2];
    if (encap?.tag !== 0x30) return null;
    const explicit = children(buf, encap).find((c) => c.tag === 0xa0);
    if (explicit === undefined) return null;
    const [octets] = children(buf, explicit);
    if (octets === undefined) return null;
    if (octets.tag === 0x04) return Buffer.from(buf.subarray(octets.contentStart, octets.end));
    // A constructed OCTET STRING (BER): the content is its primitive chunks in order.
    if (octets.tag === 0x24) {
      return Buffer.concat(children(buf, octets).map((c) => buf.subarray(c.contentStart, c.end)));
    }
    return null;
  } catch (error) {
    if (error instanceof DerError || error instanceof RangeError) return null;
    throw error;
  }
}

const APK_SIG_BLOCK_MAGIC = Buffer.from('APK Sig Block 42', 'latin1');
const SCHEMES: Record<number, 'v2' | 'v3'> = { 1896449818: 'v2', 4031998144: 'v3', 462663009: 'v3' };

/** Length-prefixed (uint32 LE) items of a sequence, as the APK signing block nests them. */
function lengthPrefixed(buf: Buffer, start: number, end: number): Buffer[] {
  const out: Buffer[] = [];
  let pos = start;
  while (pos < end) {
    if (pos + 4 > end) throw new DerError('truncated length prefix');
    const length = buf.readUInt32LE(pos);
    if (pos + 4 + length > end) throw new DerError('item runs past its sequence');
    out.push(buf.subarray(pos + 4, pos + 4 + length));
    pos += 4 + length;
    if (out.length > 10_000) throw new DerError('too many items');
  }
  return out;
}

/** The first `n` length-prefixed items at the start of a structure, whatever follows them. */
function leadingItems(buf: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  for (let i = 0; i < n; i += 1) {
    if (pos + 4 > buf.length) throw new DerError('truncated length prefix');
    const length = buf.readUInt32LE(pos);
    if (pos + 4 + length > buf.length) throw new DerError('item runs past its structure');
    out.push(buf.subarray(pos + 4, pos + 4 + length));
    pos += 4 + length;
  }
  return out;
}

/** Certificates of the APK Signature Scheme v2/v3 block, found just before the central directory. */
export function certificatesFromApkSigningBlock(
  apk: Uint8Array,
  centralDirectoryOffset: number,
): { scheme: 'v2' | 'v3'; der: Buffer }[] {
  const buf = Buffer.from(apk.buffer, apk.byteOffset, apk.byteLength);
  const cd = centralDirectoryOffset;
  try {
    if (cd < 32 || !buf.subarray(cd - 16, cd).equals(APK_SIG_BLOCK_MAGIC)) return [];
    const size = Number(buf.readBigUInt64LE(cd - 24));
    const start = cd - size - 8;
    if (!Number.isSafeInteger(size) || start < 0 || Number(buf.readBigUInt64LE(start)) !== size) return [];
    const out: { scheme: 'v2' | 'v3'; der: Buffer }[] = [];
    // ID-value pairs: uint64 length, then a uint32 id and the value.
    for (let pos = start + 8; pos < cd - 24; ) {
      const length = Number(buf.readBigUInt64LE(pos));
      if (!Number.isSafeInteger(length) || length < 4 || pos + 8 + length > cd - 24) return out;
      const id = buf.readUInt32LE(pos + 8);
      const scheme = SCHEMES[id];
      if (scheme !== undefined) {
        const value = buf.subarray(pos + 12, pos + 8 + length);
        for (const signers of lengthPrefixed(value, 0, value.length)) {
          for (const signer of lengthPrefixed(signers, 0, signers.length)) {
            // signer: signed data first (v3 then has plain uint32 SDK bounds, so only the leading items are read);
            // signed data: digests, then certificates.
            const [signed] = leadingItems(signer, 1);
            const [, certificates] = signed === undefined ? [] : leadingItems(signed, 2);
            if (certificates === undefined) continue;
            for (const der of lengthPrefixed(certificates, 0, certificates.length)) {
              out.push({ scheme, der: Buffer.from(der) });
            }
          }
        }
      }
      pos += 8 + length;
    }
    return out;
  } catch (error) {
    if (error instanceof DerError || error instanceof RangeError) return [];
    throw error;
  }
}

/** Who a certificate names and its SHA-256 fingerprint; null when the bytes are no certificate. */
export function describeCertificate(der: Buffer, source: AppSigner['source']): AppSigner | null {
  try {
    const x = new X509Certificate(der);
    return {
      source,
      subject: x.subject.split('\n').join(', '),
      issuer: x.issuer.split('\n').join(', '),
      serialNumber: x.serialNumber,
      sha256: x.fingerprint256,
      validFrom: new Date(x.validFrom).toISOString(),
      validTo: new Date(x.validTo).toISOString(),
    };
  } catch {
    return null;
  }
}
