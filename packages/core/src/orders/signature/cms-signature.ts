import { constants, createHash, verify } from 'node:crypto';
import { AppError } from '../../shared/app-error.ts';
import { type CertificateFacts, certificateFacts } from './certificate-facts.ts';
import {
  algorithmOf,
  children,
  DerError,
  expectTag,
  integerHex,
  oidOf,
  readOnly,
  smallInteger,
  type Tlv,
  tags,
} from './der.ts';

/**
 * CMS/PKCS#7 SignedData over the canonical order bytes (ADR 0014): one SignerInfo, signed attributes required
 * (content-type id-data and message-digest), SHA-256/384/512 digests, RSA PKCS#1 v1.5, RSA-PSS or ECDSA signatures.
 * Parsing is a strict DER reader (der.ts); the signature itself is checked with node:crypto. Nothing in the message chooses a parameter
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

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

export interface CmsSignature {
  signer: CertificateFacts;
  /** Every certificate the message carries (path candidates only, never trusted for themselves). */
  certificates: CertificateFacts[];
  algorithm: string;
}

interface SignerInfo {
  sid: { issuer: Uint8Array; serialHex: string } | { keyId: string };
  digestOid: string;
  signedAttrs: Tlv;
  signatureAlgorithm: { oid: string; params: Tlv | undefined };
  signature: Uint8Array;
}

interface SignedData {
  eContentType: string;
  eContent: Uint8Array | null;
  certificates: Uint8Array[];
  signerInfos: SignerInfo[];
}

/** ContentInfo with SignedData (RFC 5652 sections 3, 5), read strictly as DER. */
function parseSignedData(der: Uint8Array): SignedData {
  const info = children(expectTag(readOnly(der), tags.sequence, 'a ContentInfo'));
  if (info.length !== 2) throw new DerError('a ContentInfo has two parts');
  const contentType = oidOf(info[0]);
  if (contentType !== oids.signedData) throw malformed(`content type ${contentType} is not SignedData`);
  const explicit = children(expectTag(info[1], tags.context0, 'the [0] content'));
  if (explicit.length !== 1) throw new DerError('one SignedData');
  const parts = children(expectTag(explicit[0], tags.sequence, 'a SignedData'));
  let i = 0;
  smallInteger(parts[i++]);
  expectTag(parts[i++], tags.set, 'the digest algorithms');
  const encap = children(expectTag(parts[i++], tags.sequence, 'the encapsulated content info'));
  const eContentType = oidOf(encap[0]);
  let eContent: Uint8Array | null = null;
  if (encap.length > 1) {
    const wrapped = children(expectTag(encap[1], tags.context0, 'the [0] content'));
    const content = wrapped[0];
    // Some signers write the content as a constructed OCTET STRING of chunks (a BER habit CMS allows here).
    eContent =
      content?.tag === 0x24
        ? Buffer.concat(children(content).map((c) => expectTag(c, tags.octetString, 'an OCTET STRING chunk').value))
        : expectTag(content, tags.octetString, 'the content as an OCTET STRING').value;
  }
  const certificates: Uint8Array[] = [];
  if (parts[i]?.tag === tags.context0) {
    for (const c of children(parts[i++] as Tlv)) if (c.tag === tags.sequence) certificates.push(c.raw);
  }
  if (parts[i]?.tag === tags.context1) i++; // CRLs travel here; revocation comes from the CA's own CRLs.
  const infos = children(expectTag(parts[i++], tags.set, 'the signer infos'));
  if (i !== parts.length) throw new DerError('unexpected elements after the signer infos');
  return { eContentType, eContent, certificates, signerInfos: infos.map(parseSignerInfo) };
}

function parseSignerInfo(tlv: Tlv): SignerInfo {
  const parts = children(expectTag(tlv, tags.sequence, 'a SignerInfo'));
  let i = 0;
  smallInteger(parts[i++]);
  const sidTlv = parts[i++];
  let sid: SignerInfo['sid'];
  if (sidTlv?.tag === tags.sequence) {
    const [issuer, serial] = children(sidTlv);
    sid = { issuer: expectTag(issuer, tags.sequence, 'the issuer name').raw, serialHex: integerHex(serial) };
  } else if (sidTlv?.tag === tags.implicit0) {
    sid = { keyId: Buffer.from(sidTlv.value).toString('hex') };
  } else {
    throw new DerError('the signer identifier');
  }
  const digestOid = algorithmOf(parts[i++]).oid;
  const signedAttrs = parts[i]?.tag === tags.context0 ? (parts[i++] as Tlv) : undefined;
  if (signedAttrs === undefined) throw malformed('signed attributes are required');
  const signatureAlgorithm = algorithmOf(parts[i++]);
  const signature = expectTag(parts[i++], tags.octetString, 'the signature').value;
  return { sid, digestOid, signedAttrs, signatureAlgorithm, signature };
}

function attributeValue(signedAttrs: Tlv, type: string): Tlv {
  const matching = children(signedAttrs)
    .map((a) => children(expectTag(a, tags.sequence, 'an attribute')))
    .filter((a) => oidOf(a[0]) === type);
  if (matching.length !== 1) throw malformed(`the signed attribute ${type} must appear exactly once`);
  const values = children(expectTag(matching[0]?.[1], tags.set, 'attribute values'));
  if (values.length !== 1) throw malformed(`the signed attribute ${type} must have one value`);
  return values[0] as Tlv;
}

function findSigner(sid: SignerInfo['sid'], certificates: CertificateFacts[]): CertificateFacts {
  const found =
    'keyId' in sid
      ? certificates.find((c) => c.subjectKeyId === sid.keyId)
      : certificates.find((c) => c.serialHex === sid.serialHex && equalBytes(c.issuerDer, sid.issuer));
  if (found === undefined) throw malformed('the signer certificate is not among the certificates of the message');
  return found;
}

/** RSASSA-PSS-params (RFC 4055): the hash, MGF1 with the same hash, and a salt as long as the hash. */
function pssOptions(params: Tlv | undefined, digest: string): { saltLength: number } {
  let hashOid = '1.3.14.3.2.26';
  let mgfHash = '1.3.14.3.2.26';
  let saltLength = 20;
  for (const field of children(expectTag(params, tags.sequence, 'RSA-PSS parameters'))) {
    const [inner] = children(field);
    if (field.tag === tags.context0) hashOid = algorithmOf(inner).oid;
    else if (field.tag === tags.context1) {
      const mgf = algorithmOf(inner);
      if (mgf.oid !== oids.mgf1) throw refused('RSA-PSS must use MGF1.');
      mgfHash = algorithmOf(mgf.params).oid;
    } else if (field.tag === tags.context2) saltLength = smallInteger(inner);
  }
  // RFC 8017 defaults are SHA-1: a message that leaves them out is asking for SHA-1, which is refused.
  if (digestByOid[hashOid] !== digest || digestByOid[mgfHash] !== digest) {
    throw refused(`RSA-PSS must use ${digest.toUpperCase()} for its hash and MGF1, as the digest algorithm does.`);
  }
  const expectedSalt = { sha256: 32, sha384: 48, sha512: 64 }[digest] ?? 32;
  if (saltLength !== expectedSalt)
    throw refused(`RSA-PSS salt must be ${expectedSalt} bytes for ${digest.toUpperCase()}.`);
  return { saltLength };
}

/**
 * Verifies a CMS SignedData over `canonical`; returns the signer certificate and the certificates carried. Throws
 * ORDER_MALFORMED, ORDER_ALGORITHM_REFUSED or ORDER_SIGNATURE_INVALID.
 */
export function verifyCms(der: Uint8Array, canonical: Uint8Array): CmsSignature {
  try {
    return checkCms(der, canonical);
  } catch (error) {
    if (error instanceof DerError) throw malformed(error.message);
    throw error;
  }
}

function checkCms(der: Uint8Array, canonical: Uint8Array): CmsSignature {
  const signed = parseSignedData(der);
  if (signed.signerInfos.length !== 1) {
    throw malformed(`it has ${signed.signerInfos.length} SignerInfos; exactly one is accepted`);
  }
  const signerInfo = signed.signerInfos[0] as SignerInfo;
  if (signed.eContentType !== oids.data) {
    throw malformed(`the encapsulated content type ${signed.eContentType} is not id-data`);
  }
  // Attached content (legacy signers): it must be the canonical bytes exactly, nothing more, nothing less.
  if (signed.eContent !== null && !equalBytes(signed.eContent, canonical)) {
    throw new AppError(
      'ORDER_SIGNATURE_INVALID',
      'The signed content differs from the canonical bytes of the order payload (ADR 0014).',
    );
  }
  if (signed.certificates.length > 8) throw malformed('too many certificates');
  const certificates = signed.certificates.map((c) => certificateFacts(c, 'ORDER_MALFORMED'));
  const signer = findSigner(signerInfo.sid, certificates);

  const refusedDigest = refusedDigestOids[signerInfo.digestOid];
  if (refusedDigest !== undefined)
    throw refused(`${refusedDigest} digests are refused; use SHA-256 or stronger (A35).`);
  const digest = digestByOid[signerInfo.digestOid];
  if (digest === undefined) throw refused(`the digest algorithm ${signerInfo.digestOid} is not accepted.`);

  const sigOid = signerInfo.signatureAlgorithm.oid;
  const algorithm = signatureAlgorithms[sigOid];
  if (algorithm === undefined) throw refused(`the signature algorithm ${sigOid} is not accepted.`);
  if (algorithm.digest !== null && algorithm.digest !== digest) {
    throw refused(`the signature algorithm uses ${algorithm.digest} but the digest algorithm is ${digest}.`);
  }
  const keyType = signer.key.type;
  if ((algorithm.scheme === 'ecdsa') !== (keyType === 'ec') || (algorithm.scheme !== 'ecdsa' && keyType !== 'rsa')) {
    throw refused(`a ${algorithm.scheme} signature does not match the signer's ${keyType.toUpperCase()} key.`);
  }

  const contentType = attributeValue(signerInfo.signedAttrs, oids.contentType);
  if (oidOf(contentType) !== oids.data) throw malformed('the content-type attribute is not id-data');
  const messageDigest = expectTag(
    attributeValue(signerInfo.signedAttrs, oids.messageDigest),
    tags.octetString,
    'the message-digest attribute as an OCTET STRING',
  );
  const expected = createHash(digest).update(canonical).digest();
  if (!equalBytes(messageDigest.value, expected)) {
    throw new AppError(
      'ORDER_SIGNATURE_INVALID',
      'The signature covers other content: its message digest does not match the canonical bytes of the order.',
    );
  }

  // What was signed is the DER of the signed attributes as a SET (RFC 5652 section 5.4), as received.
  const signedBytes = Buffer.from(signerInfo.signedAttrs.raw);
  signedBytes[0] = tags.set;
  const key =
    algorithm.scheme === 'rsa-pss'
      ? {
          key: signer.publicKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          ...pssOptions(signerInfo.signatureAlgorithm.params, digest),
        }
      : algorithm.scheme === 'rsa-pkcs1'
        ? { key: signer.publicKey, padding: constants.RSA_PKCS1_PADDING }
        : { key: signer.publicKey, dsaEncoding: 'der' as const };
  let ok = false;
  try {
    ok = verify(digest, signedBytes, key, signerInfo.signature);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new AppError('ORDER_SIGNATURE_INVALID', 'The CMS signature does not verify with the signer certificate.');
  return { signer, certificates, algorithm: `cms:${algorithm.scheme}:${digest}` };
}
