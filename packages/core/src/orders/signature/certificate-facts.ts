import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../../shared/app-error.ts';
import type { CertificateSummary } from '../order-verification.ts';
import { children, readOnly, type Tlv, tags } from './der.ts';

/**
 * What the certificate policy (ADR 0014) needs to know about one X.509 certificate, read once from its DER and
 * remembered by fingerprint: certificates are content-addressed, so the same bytes always give the same facts.
 */
export interface CertificateFacts {
  der: Uint8Array;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
  x509: X509Certificate;
  publicKey: KeyObject;
  summary: CertificateSummary;
  notBefore: Date;
  notAfter: Date;
  /** `rsa` with its modulus size, or `ec` with its curve (OpenSSL names); anything else is `other`. */
  key: { type: 'rsa'; bits: number } | { type: 'ec'; curve: string } | { type: 'other'; name: string };
  /** The digest of the issuer's signature on this certificate: `sha256`, `sha1`, `md5`, … or `unknown`. */
  signatureDigest: string;
  signatureAlgorithmOid: string;
  /** basicConstraints cA. */
  isCa: boolean;
  /** keyUsage bits when the extension is present (digitalSignature, nonRepudiation, keyCertSign, cRLSign). */
  keyUsage: ReadonlySet<string> | null;
  /** The raw issuer and subject names (DER), for matching CMS issuerAndSerialNumber. */
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  /** Serial number as lowercase hex without leading zeros. */
  serialHex: string;
  subjectKeyId: string | null;
}

/** Signature algorithm OIDs of certificates and CRLs, by the digest they use. */
const certificateSignatureDigests: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha1', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha1', // dsa-with-sha1
};

const keyUsageNames = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

export function hex(bytes: ArrayBuffer | Uint8Array): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex');
}

export function serialHexOf(integer: asn1js.Integer): string {
  return hex(integer.valueBlock.valueHexView).replace(/^(00)+(?=.)/, '');
}

function keyUsageOf(cert: pkijs.Certificate): Set<string> | null {
  const ext = cert.extensions?.find((e) => e.extnID === '2.5.29.15');
  if (ext === undefined) return null;
  const bits =
    (ext.parsedValue as asn1js.BitString | undefined)?.valueBlock.valueHexView ?? ext.extnValue.valueBlock.valueHexView;
  const set = new Set<string>();
  keyUsageNames.forEach((name, i) => {
    const byte = bits[i >> 3] ?? 0;
    if (byte & (0x80 >> (i & 7))) set.add(name);
  });
  return set;
}

function isCaOf(cert: pkijs.Certificate): boolean {
  const ext = cert.extensions?.find((e) => e.extnID === '2.5.29.19');
  return (ext?.parsedValue as pkijs.BasicConstraints | undefined)?.cA === true;
}

function subjectKeyIdOf(cert: pkijs.Certificate): string | null {
  const ext = cert.extensions?.find((e) => e.extnID === '2.5.29.14');
  const value = ext?.parsedValue as asn1js.OctetString | undefined;
  return value === undefined ? null : hex(value.valueBlock.valueHexView);
}

function keyOf(publicKey: KeyObject): CertificateFacts['key'] {
  const details = publicKey.asymmetricKeyDetails ?? {};
  if (publicKey.asymmetricKeyType === 'rsa' || publicKey.asymmetricKeyType === 'rsa-pss') {
    return { type: 'rsa', bits: details.modulusLength ?? 0 };
  }
  if (publicKey.asymmetricKeyType === 'ec') return { type: 'ec', curve: details.namedCurve ?? 'unknown' };
  return { type: 'other', name: publicKey.asymmetricKeyType ?? 'unknown' };
}

function toDer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Reads a certificate; `code` is the error for bytes that are not one (ORDER_MALFORMED, APPROVED_CA_INVALID). */
export function readCertificate(der: Uint8Array, code: 'ORDER_MALFORMED' | 'APPROVED_CA_INVALID'): CertificateFacts {
  let x509: X509Certificate;
  let parsed: pkijs.Certificate;
  try {
    x509 = new X509Certificate(der);
    parsed = pkijs.Certificate.fromBER(toDer(der));
  } catch {
    throw new AppError(code, 'The certificate is not a valid DER X.509 certificate.');
  }
  const fingerprint = createHash('sha256').update(der).digest('hex');
  // The names as they were encoded, for byte-exact matching with a CMS issuerAndSerialNumber.
  let names: { issuer: Uint8Array; subject: Uint8Array };
  try {
    const tbs = children(children(readOnly(der))[0] as Tlv);
    const base = tbs[0]?.tag === tags.context0 ? 1 : 0;
    names = { issuer: (tbs[base + 2] as Tlv).raw, subject: (tbs[base + 4] as Tlv).raw };
  } catch {
    throw new AppError(code, 'The certificate is not DER.');
  }
  const notBefore = parsed.notBefore.value;
  const notAfter = parsed.notAfter.value;
  const serialHex = serialHexOf(parsed.serialNumber);
  return {
    der,
    fingerprint,
    x509,
    publicKey: x509.publicKey,
    summary: {
      subject: x509.subject.replace(/\n/g, ', '),
      issuer: x509.issuer.replace(/\n/g, ', '),
      serialNumber: serialHex,
      fingerprint,
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
    },
    notBefore,
    notAfter,
    key: keyOf(x509.publicKey),
    signatureAlgorithmOid: parsed.signatureAlgorithm.algorithmId,
    signatureDigest: certificateSignatureDigests[parsed.signatureAlgorithm.algorithmId] ?? 'unknown',
    isCa: isCaOf(parsed),
    keyUsage: keyUsageOf(parsed),
    issuerDer: names.issuer,
    subjectDer: names.subject,
    serialHex,
    subjectKeyId: subjectKeyIdOf(parsed),
  };
}

const cache = new Map<string, CertificateFacts>();
const cacheLimit = 10_000;

/** `readCertificate`, remembered by the SHA-256 of the bytes (a bounded cache: the oldest entry leaves first). */
export function certificateFacts(der: Uint8Array, code: 'ORDER_MALFORMED' | 'APPROVED_CA_INVALID'): CertificateFacts {
  const key = createHash('sha256').update(der).digest('hex');
  const known = cache.get(key);
  if (known !== undefined) return known;
  const facts = readCertificate(der, code);
  if (cache.size >= cacheLimit) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, facts);
  return facts;
}

/** EC curves accepted for signing keys and CAs (A35: P-256 and stronger). */
export const acceptedCurves = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/**
 * The key and signature rules of ADR 0014 for one certificate (A35.1-A35.5): RSA at least 2048 bits or EC P-256,
 * P-384 or P-521; not signed with SHA-1 or MD5. Returns the refusal, or null.
 */
export function weakness(facts: CertificateFacts, role: string): string | null {
  const { key } = facts;
  if (key.type === 'rsa' && key.bits < 2048) {
    return `The ${role}'s RSA key has ${key.bits} bits; at least 2048 are required (A35).`;
  }
  if (key.type === 'ec' && !acceptedCurves.has(key.curve)) {
    return `The ${role}'s EC key is on ${key.curve}; P-256, P-384 or P-521 is required (A35).`;
  }
  if (key.type === 'other') return `The ${role}'s key is ${key.name}; RSA or EC keys are required (A35).`;
  if (facts.signatureDigest === 'sha1' || facts.signatureDigest === 'md5') {
    return `The ${role} is signed with ${facts.signatureDigest.toUpperCase()}, which no longer protects integrity (A35).`;
  }
  if (facts.signatureDigest === 'unknown' && facts.signatureAlgorithmOid !== '1.2.840.113549.1.1.10') {
    return `The ${role} is signed with an algorithm this gateway does not accept (${facts.signatureAlgorithmOid}).`;
  }
  return null;
}
