/**
 * Certificate facts from DER: key type and size, signature algorithm, validity, fingerprint. node:crypto's
 * X509Certificate gives most of it; the signature algorithm and exact validity times are read from the DER itself
 * (RFC 5280 §4.1) because Node 20 does not expose the former and prints the latter only as text.
 * Directions A35.1: RSA ≥ 2048, ECC ≥ 256, SHA-256 signatures.
 */
import { type KeyObject, X509Certificate } from 'node:crypto';
import type { CertificateFacts, PublicKeyType, SignatureHash } from './tls-facts.ts';

interface DerNode {
  tag: number;
  contentStart: number;
  end: number;
}

function readNode(der: Buffer, offset: number): DerNode {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined) throw new Error(`DER truncated at ${offset}`);
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const octets = first & 0x7f;
    if (octets === 0 || octets > 4) throw new Error(`unsupported DER length at ${offset}`);
    length = 0;
    for (let index = 0; index < octets; index += 1) {
      const octet = der[offset + 2 + index];
      if (octet === undefined) throw new Error(`DER truncated at ${offset}`);
      length = length * 256 + octet;
    }
    contentStart += octets;
  }
  const end = contentStart + length;
  if (end > der.length) throw new Error(`DER element at ${offset} runs past the end`);
  return { tag, contentStart, end };
}

function childrenOf(der: Buffer, node: DerNode): DerNode[] {
  const children: DerNode[] = [];
  let offset = node.contentStart;
  while (offset < node.end) {
    const child = readNode(der, offset);
    children.push(child);
    offset = child.end;
  }
  return children;
}

function decodeOid(bytes: Buffer): string {
  const first = bytes[0] ?? 0;
  const parts = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

const SIGNATURE_ALGORITHMS: Record<string, { name: string; hash: SignatureHash }> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', hash: 'MD2' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'MD5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'SHA-1' },
  '1.3.14.3.2.29': { name: 'sha1WithRSAEncryption', hash: 'SHA-1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'SHA-224' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'SHA-512' },
  '1.2.840.113549.1.1.10': { name: 'rsassaPss', hash: 'unknown' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'SHA-1' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'SHA-224' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'SHA-512' },
  '1.2.840.10040.4.3': { name: 'dsa-with-sha1', hash: 'SHA-1' },
  '2.16.840.1.101.3.4.3.1': { name: 'dsa-with-sha224', hash: 'SHA-224' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa-with-sha256', hash: 'SHA-256' },
  '1.3.101.112': { name: 'ED25519', hash: 'intrinsic' },
  '1.3.101.113': { name: 'ED448', hash: 'intrinsic' },
};

const HASH_OIDS: Record<string, SignatureHash> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.4': 'SHA-224',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

const OID_TAG = 0x06;

/** RSASSA-PSS parameters (RFC 4055 §3.1): the hash sits in [0]; when absent it defaults to SHA-1. */
function pssHash(der: Buffer, algorithm: DerNode): SignatureHash {
  const params = childrenOf(der, algorithm)[1];
  if (params?.tag !== 0x30) return 'SHA-1';
  const hashField = childrenOf(der, params).find((child) => child.tag === 0xa0);
  if (!hashField) return 'SHA-1';
  const hashAlgorithm = childrenOf(der, hashField)[0];
  const oid = hashAlgorithm ? childrenOf(der, hashAlgorithm)[0] : undefined;
  if (!oid || oid.tag !== OID_TAG) return 'unknown';
  return HASH_OIDS[decodeOid(der.subarray(oid.contentStart, oid.end))] ?? 'unknown';
}

function parseTime(der: Buffer, node: DerNode): string {
  const text = der.subarray(node.contentStart, node.end).toString('latin1');
  const utc = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  const generalized = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  let parts: string[];
  if (node.tag === 0x17 && utc) {
    const twoDigitYear = Number(utc[1]);
    // RFC 5280 §4.1.2.5.1: UTCTime years 50-99 are 19xx, 00-49 are 20xx.
    parts = [String(twoDigitYear >= 50 ? 1900 + twoDigitYear : 2000 + twoDigitYear), ...utc.slice(2)];
  } else if (node.tag === 0x18 && generalized) {
    parts = generalized.slice(1);
  } else {
    throw new Error(`unsupported certificate time "${text}"`);
  }
  const [year, month, day, hour, minute, second] = parts.map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0)).toISOString();
}

export interface DerCertificateFields {
  signatureOid: string;
  signatureName: string;
  signatureHash: SignatureHash;
  notBefore: string;
  notAfter: string;
}

/** The fields read straight from DER: outer signatureAlgorithm and tbsCertificate.validity. */
export function readDerCertificateFields(der: Buffer): DerCertificateFields {
  const certificate = readNode(der, 0);
  const [tbs, algorithm] = childrenOf(der, certificate);
  if (!tbs || !algorithm) throw new Error('not an X.509 certificate');
  const oidNode = childrenOf(der, algorithm)[0];
  if (!oidNode || oidNode.tag !== OID_TAG) throw new Error('certificate has no signature algorithm');
  const signatureOid = decodeOid(der.subarray(oidNode.contentStart, oidNode.end));
  const known = SIGNATURE_ALGORITHMS[signatureOid];
  const signatureHash = signatureOid === '1.2.840.113549.1.1.10' ? pssHash(der, algorithm) : (known?.hash ?? 'unknown');
  const fields = childrenOf(der, tbs);
  // tbsCertificate: [0] version (optional), serial, signature, issuer, validity, ...
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const validity = fields[offset + 3];
  if (!validity) throw new Error('certificate has no validity');
  const [notBefore, notAfter] = childrenOf(der, validity);
  if (!notBefore || !notAfter) throw new Error('certificate validity is incomplete');
  return {
    signatureOid,
    signatureName: known?.name ?? signatureOid,
    signatureHash,
    notBefore: parseTime(der, notBefore),
    notAfter: parseTime(der, notAfter),
  };
}

const CURVE_BITS: Record<string, number> = {
  prime192v1: 192,
  secp192k1: 192,
  secp224r1: 224,
  secp224k1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

function curveBits(curve: string): number {
  const known = CURVE_BITS[curve];
  if (known !== undefined) return known;
  const digits = /(\d{3})/.exec(curve);
  return digits?.[1] ? Number(digits[1]) : 0;
}

function keyFacts(certificate: X509Certificate): { keyType: PublicKeyType; keyBits: number; curve?: string } {
  let key: KeyObject;
  try {
    key = certificate.publicKey;
  } catch {
    return { keyType: 'unknown', keyBits: 0 };
  }
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { keyType: 'RSA', keyBits: details.modulusLength ?? 0 };
    case 'rsa-pss':
      return { keyType: 'RSA-PSS', keyBits: details.modulusLength ?? 0 };
    case 'dsa':
      return { keyType: 'DSA', keyBits: details.modulusLength ?? 0 };
    case 'ec': {
      const curve = details.namedCurve ?? 'unknown';
      return { keyType: 'EC', keyBits: curveBits(curve), curve };
    }
    // Ed25519 gives the P-256 security level; Ed448 the P-448 one.
    case 'ed25519':
      return { keyType: 'Ed25519', keyBits: 256, curve: 'Ed25519' };
    case 'ed448':
      return { keyType: 'Ed448', keyBits: 448, curve: 'Ed448' };
    default:
      return { keyType: 'unknown', keyBits: 0 };
  }
}

function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

export function certificateFacts(der: Buffer): CertificateFacts {
  const certificate = new X509Certificate(der);
  const fields = readDerCertificateFields(der);
  const key = keyFacts(certificate);
  const facts: CertificateFacts = {
    subject: oneLine(certificate.subject),
    issuer: oneLine(certificate.issuer),
    serialNumber: certificate.serialNumber,
    keyType: key.keyType,
    keyBits: key.keyBits,
    signatureAlgorithm: { oid: fields.signatureOid, name: fields.signatureName, hash: fields.signatureHash },
    notBefore: fields.notBefore,
    notAfter: fields.notAfter,
    sha256Fingerprint: certificate.fingerprint256,
    selfIssued: certificate.subject === certificate.issuer,
    isCa: certificate.ca,
    subjectAltNames: certificate.subjectAltName ? certificate.subjectAltName.split(', ') : [],
  };
  if (key.curve !== undefined) facts.curve = key.curve;
  return facts;
}

/** Splits a PEM bundle into DER certificates (CA bundles hold many). */
export function pemCertificatesToDer(pem: string): Buffer[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) =>
    Buffer.from(block.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64'),
  );
}
