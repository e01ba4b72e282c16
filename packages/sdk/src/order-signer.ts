/**
 * Signs orders for the gateway (Directions A35.5, A36.5; docs/adr/0014) with a certificate from an approved CA and
 * its WebCrypto private key (from a .pfx through loadPkcs12, or generated in the browser): CMS SignedData as brokers
 * use today, or a detached JWS. Browser and Node: WebCrypto through globalThis.crypto, CMS through pkijs.
 */
import { canonicalOrderBytes, type OrderPayload, type OrderSignature } from '@ntg/contracts';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toBase64url } from './base64url.ts';

type Key = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

export interface OrderSigningInput {
  payload: OrderPayload;
  /** DER of the signing certificate, bound to the client account at enrolment. */
  certificateDer: Uint8Array;
  /** The certificate's private key: RSASSA-PKCS1-v1_5 or ECDSA (P-256, P-384, P-521). */
  privateKey: Key;
  /** Intermediate CA certificates (DER) to carry with the signature; never the root. */
  chainDer?: readonly Uint8Array[];
}

export class OrderSigningError extends Error {
  override name = 'OrderSigningError';
}

const oids = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
};

function buffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The digest a key signs with: the RSA key's own hash, or the one that matches an EC curve's strength. */
function hashOf(key: Key): 'SHA-256' | 'SHA-384' | 'SHA-512' {
  const algorithm = key.algorithm as { name: string; hash?: { name: string }; namedCurve?: string };
  if (algorithm.name === 'RSASSA-PKCS1-v1_5') {
    const hash = algorithm.hash?.name;
    if (hash === 'SHA-256' || hash === 'SHA-384' || hash === 'SHA-512') return hash;
    throw new OrderSigningError(`an RSA key bound to ${hash ?? 'no hash'} cannot sign orders; use SHA-256 or stronger`);
  }
  if (algorithm.name === 'ECDSA') {
    if (algorithm.namedCurve === 'P-256') return 'SHA-256';
    if (algorithm.namedCurve === 'P-384') return 'SHA-384';
    if (algorithm.namedCurve === 'P-521') return 'SHA-512';
    throw new OrderSigningError(`the EC curve ${algorithm.namedCurve ?? 'unknown'} cannot sign orders`);
  }
  throw new OrderSigningError(`a ${algorithm.name} key cannot sign orders; use RSA or ECDSA`);
}

function readCertificate(der: Uint8Array, what: string): pkijs.Certificate {
  try {
    return pkijs.Certificate.fromBER(buffer(der));
  } catch {
    throw new OrderSigningError(`the ${what} is not a DER X.509 certificate`);
  }
}

/**
 * CMS SignedData over the canonical bytes of `payload`, detached (the gateway rebuilds the bytes from the payload),
 * with content-type, signing-time and message-digest attributes and the signer certificate (and chain) included.
 */
export async function signOrderCms(input: OrderSigningInput & { detached?: boolean }): Promise<OrderSignature> {
  const subtle = globalThis.crypto.subtle;
  const canonical = canonicalOrderBytes(input.payload);
  const hash = hashOf(input.privateKey);
  const certificate = readCertificate(input.certificateDer, 'signing certificate');
  const chain = (input.chainDer ?? []).map((der) => readCertificate(der, 'chain certificate'));
  const digest = await subtle.digest(hash, buffer(canonical));

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({
      type: 0,
      attributes: [
        new pkijs.Attribute({ type: oids.contentType, values: [new asn1js.ObjectIdentifier({ value: oids.data })] }),
        new pkijs.Attribute({ type: oids.signingTime, values: [new asn1js.UTCTime({ valueDate: new Date() })] }),
        new pkijs.Attribute({ type: oids.messageDigest, values: [new asn1js.OctetString({ valueHex: digest })] }),
      ],
    }),
  });
  const detached = input.detached ?? true;
  const signed = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: oids.data,
      ...(detached ? {} : { eContent: new asn1js.OctetString({ valueHex: buffer(canonical) }) }),
    }),
    signerInfos: [signerInfo],
    certificates: [certificate, ...chain],
  });
  await signed.sign(input.privateKey, 0, hash);
  const info = new pkijs.ContentInfo({ contentType: oids.signedData, content: signed.toSchema(true) });
  return { format: 'cms', value: base64(new Uint8Array(info.toSchema().toBER(false))) };
}

/** A detached JWS (`header..signature`) over the canonical bytes, with the certificate (and chain) in `x5c`. */
export async function signOrderJws(input: OrderSigningInput): Promise<OrderSignature> {
  const subtle = globalThis.crypto.subtle;
  const hash = hashOf(input.privateKey);
  const algorithm = input.privateKey.algorithm as { name: string };
  const bits = hash.slice(4);
  const alg = algorithm.name === 'ECDSA' ? `ES${bits}` : `RS${bits}`;
  readCertificate(input.certificateDer, 'signing certificate');
  const header = {
    alg,
    x5c: [input.certificateDer, ...(input.chainDer ?? [])].map((der) => base64(der)),
  };
  const encodedHeader = toBase64url(new TextEncoder().encode(JSON.stringify(header)));
  const signingInput = new TextEncoder().encode(`${encodedHeader}.${toBase64url(canonicalOrderBytes(input.payload))}`);
  const params = algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash } : { name: 'RSASSA-PKCS1-v1_5' };
  // WebCrypto's ECDSA signature is r || s, which is what JWS uses (RFC 7518 section 3.4).
  const signature = new Uint8Array(await subtle.sign(params, input.privateKey, buffer(signingInput)));
  return { format: 'jws', value: `${encodedHeader}..${toBase64url(signature)}` };
}
