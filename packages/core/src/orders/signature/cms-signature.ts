import { constants, createHash, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../../shared/app-error.ts';
import { type CertificateFacts, certificateFacts, hex, serialHexOf } from './certificate-facts.ts';

/**
 * CMS/PKCS#7 SignedData over the canonical order bytes (ADR 0014): one SignerInfo, signed attributes required
 * (content-type id-data and message-digest), SHA-256/384/512 digests, RSA PKCS#1 v1.5, RSA-PSS or ECDSA signatures.
 * Parsing is pkijs; the signature itself is checked with node:crypto. Nothing in the message chooses a parameter
 * the allowlist does not name.
 */

const oids = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
} as const;

const digestByOid: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const refusedDigestOids: Record<string, string> = {
  '1.3.14.3.2.26': 'SHA-1',
  '1.2.840.113549.2.5': 'MD5',
  '2.16.840.1.101.3.4.2.4': 'SHA-224',
};

/** Signature algorithm OIDs and the digest each implies (null: the digest algorithm of the SignerInfo decides). */
const signatureAlgorithms: Record<string, { scheme: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa'; digest: string | null }> = {
  [oids.rsaEncryption]: { scheme: 'rsa-pkcs1', digest: null },
  '1.2.840.113549.1.1.11': { scheme: 'rsa-pkcs1', digest: 'sha256' },
  '1.2.840.113549.1.1.12': { scheme: 'rsa-pkcs1', digest: 'sha384' },
  '1.2.840.113549.1.1.13': { scheme: 'rsa-pkcs1', digest: 'sha512' },
  [oids.rsaPss]: { scheme: 'rsa-pss', digest: null },
  [oids.ecPublicKey]: { scheme: 'ecdsa', digest: null },
  '1.2.840.10045.4.3.2': { scheme: 'ecdsa', digest: 'sha256' },
  '1.2.840.10045.4.3.3': { scheme: 'ecdsa', digest: 'sha384' },
  '1.2.840.10045.4.3.4': { scheme: 'ecdsa', digest: 'sha512' },
};

export function malformed(what: string): AppError {
  return new AppError('ORDER_MALFORMED', `The order signature is malformed: ${what}.`);
}

function refused(what: string): AppError {
  return new AppError('ORDER_ALGORITHM_REFUSED', what);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

export interface CmsSignature {
  signer: CertificateFacts;
  /** Every certificate the message carries (path candidates only, never trusted for themselves). */
  certificates: CertificateFacts[];
  algorithm: string;
}

function parseSignedData(der: Uint8Array): pkijs.SignedData {
  const asn = asn1js.fromBER(toArrayBuffer(der));
  if (asn.offset === -1) throw malformed('the CMS bytes are not DER');
  if (asn.offset !== der.byteLength) throw malformed('there are bytes after the CMS structure');
  let info: pkijs.ContentInfo;
  try {
    info = new pkijs.ContentInfo({ schema: asn.result });
  } catch {
    throw malformed('not a CMS ContentInfo');
  }
  if (info.contentType !== oids.signedData) throw malformed(`content type ${info.contentType} is not SignedData`);
  try {
    return new pkijs.SignedData({ schema: info.content });
  } catch {
    throw malformed('the SignedData does not parse');
  }
}

function attributeValue(signerInfo: pkijs.SignerInfo, type: string): asn1js.AsnType[] {
  const attrs = signerInfo.signedAttrs?.attributes ?? [];
  const matching = attrs.filter((a) => a.type === type);
  if (matching.length !== 1) throw malformed(`the signed attribute ${type} must appear exactly once`);
  const values = matching[0]?.values ?? [];
  if (values.length !== 1) throw malformed(`the signed attribute ${type} must have one value`);
  return values;
}

function findSigner(signerInfo: pkijs.SignerInfo, certificates: CertificateFacts[]): CertificateFacts {
  const sid = signerInfo.sid;
  let found: CertificateFacts | undefined;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    const serial = serialHexOf(sid.serialNumber);
    const issuer = new Uint8Array(sid.issuer.toSchema().toBER(false));
    found = certificates.find((c) => c.serialHex === serial && equalBytes(c.issuerDer, issuer));
  } else if (sid instanceof asn1js.Constructed || sid instanceof asn1js.Primitive) {
    const keyId = hex((sid as asn1js.OctetString).valueBlock.valueHexView);
    found = certificates.find((c) => c.subjectKeyId === keyId);
  }
  if (found === undefined) throw malformed('the signer certificate is not among the certificates of the message');
  return found;
}

function pssOptions(signerInfo: pkijs.SignerInfo, digest: string): { saltLength: number } {
  let params: pkijs.RSASSAPSSParams;
  try {
    params = new pkijs.RSASSAPSSParams({ schema: signerInfo.signatureAlgorithm.algorithmParams });
  } catch {
    throw malformed('the RSA-PSS parameters do not parse');
  }
  const hashOid = params.hashAlgorithm.algorithmId;
  const mgf = params.maskGenAlgorithm;
  const mgfHash =
    mgf.algorithmId === oids.mgf1 ? new pkijs.AlgorithmIdentifier({ schema: mgf.algorithmParams }).algorithmId : null;
  // RFC 8017 defaults are SHA-1: a message that leaves them out is asking for SHA-1, which is refused.
  if (digestByOid[hashOid] !== digest || mgfHash === null || digestByOid[mgfHash] !== digest) {
    throw refused(`RSA-PSS must use ${digest.toUpperCase()} for its hash and MGF1, as the digest algorithm does.`);
  }
  const expectedSalt = { sha256: 32, sha384: 48, sha512: 64 }[digest] ?? 32;
  if (params.saltLength !== expectedSalt) {
    throw refused(`RSA-PSS salt must be ${expectedSalt} bytes for ${digest.toUpperCase()}.`);
  }
  return { saltLength: params.saltLength };
}

/**
 * Verifies a CMS SignedData over `canonical`; returns the signer certificate and the certificates carried. Throws
 * ORDER_MALFORMED, ORDER_ALGORITHM_REFUSED or ORDER_SIGNATURE_INVALID.
 */
export function verifyCms(der: Uint8Array, canonical: Uint8Array): CmsSignature {
  const signed = parseSignedData(der);
  if (signed.signerInfos.length !== 1) {
    throw malformed(`it has ${signed.signerInfos.length} SignerInfos; exactly one is accepted`);
  }
  const signerInfo = signed.signerInfos[0] as pkijs.SignerInfo;
  if (signed.encapContentInfo.eContentType !== oids.data) {
    throw malformed(`the encapsulated content type ${signed.encapContentInfo.eContentType} is not id-data`);
  }
  const attached = signed.encapContentInfo.eContent;
  if (attached !== undefined) {
    // Attached content (legacy signers): it must be the canonical bytes exactly, nothing more, nothing less.
    const content = new Uint8Array(attached.getValue());
    if (!equalBytes(content, canonical)) {
      throw new AppError(
        'ORDER_SIGNATURE_INVALID',
        'The signed content differs from the canonical bytes of the order payload (ADR 0014).',
      );
    }
  }

  const certificates: CertificateFacts[] = [];
  for (const c of signed.certificates ?? []) {
    if (!(c instanceof pkijs.Certificate)) continue;
    certificates.push(certificateFacts(new Uint8Array(c.toSchema().toBER(false)), 'ORDER_MALFORMED'));
  }
  const signer = findSigner(signerInfo, certificates);

  const digestOid = signerInfo.digestAlgorithm.algorithmId;
  const refusedDigest = refusedDigestOids[digestOid];
  if (refusedDigest !== undefined)
    throw refused(`${refusedDigest} digests are refused; use SHA-256 or stronger (A35).`);
  const digest = digestByOid[digestOid];
  if (digest === undefined) throw refused(`the digest algorithm ${digestOid} is not accepted.`);

  const sigOid = signerInfo.signatureAlgorithm.algorithmId;
  const algorithm = signatureAlgorithms[sigOid];
  if (algorithm === undefined) throw refused(`the signature algorithm ${sigOid} is not accepted.`);
  if (algorithm.digest !== null && algorithm.digest !== digest) {
    throw refused(`the signature algorithm uses ${algorithm.digest} but the digest algorithm is ${digest}.`);
  }
  const keyType = signer.key.type;
  if ((algorithm.scheme === 'ecdsa') !== (keyType === 'ec') || (algorithm.scheme !== 'ecdsa' && keyType !== 'rsa')) {
    throw refused(`a ${algorithm.scheme} signature does not match the signer's ${keyType.toUpperCase()} key.`);
  }

  if (signerInfo.signedAttrs === undefined) throw malformed('signed attributes are required');
  const contentType = attributeValue(signerInfo, oids.contentType)[0];
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== oids.data) {
    throw malformed('the content-type attribute is not id-data');
  }
  const messageDigest = attributeValue(signerInfo, oids.messageDigest)[0];
  if (!(messageDigest instanceof asn1js.OctetString))
    throw malformed('the message-digest attribute is not an OCTET STRING');
  const expected = createHash(digest).update(canonical).digest();
  if (!equalBytes(new Uint8Array(messageDigest.valueBlock.valueHexView), expected)) {
    throw new AppError(
      'ORDER_SIGNATURE_INVALID',
      'The signature covers other content: its message digest does not match the canonical bytes of the order.',
    );
  }

  // What was signed is the DER of the signed attributes as a SET (RFC 5652 section 5.4), as received.
  const encoded = signerInfo.signedAttrs.encodedValue;
  if (encoded === undefined || encoded.byteLength === 0) throw malformed('the signed attributes were not received');
  const signedBytes = new Uint8Array(encoded.slice(0));
  signedBytes[0] = 0x31;
  const signature = new Uint8Array(signerInfo.signature.valueBlock.valueHexView);
  const key =
    algorithm.scheme === 'rsa-pss'
      ? { key: signer.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, ...pssOptions(signerInfo, digest) }
      : algorithm.scheme === 'rsa-pkcs1'
        ? { key: signer.publicKey, padding: constants.RSA_PKCS1_PADDING }
        : { key: signer.publicKey, dsaEncoding: 'der' as const };
  let ok = false;
  try {
    ok = verify(digest, signedBytes, key, signature);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new AppError('ORDER_SIGNATURE_INVALID', 'The CMS signature does not verify with the signer certificate.');
  return { signer, certificates, algorithm: `cms:${algorithm.scheme}:${digest}` };
}
