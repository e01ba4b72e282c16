/**
 * Reads a PKCS#12 (.pfx, .p12) file, as certification authorities such as TWCA issue signing certificates to
 * securities clients, into what order signing needs (docs/adr/0014): the signer certificate, the rest of the chain
 * and the private key as a WebCrypto CryptoKey that can sign but, by default, never be exported again.
 *
 * Modern files (OpenSSL 3 default: PBES2 with PBKDF2-HMAC-SHA-256 and AES-256-CBC, HMAC-SHA-256 MAC) and legacy
 * ones (Windows and older tools: 3DES for the key, 40-bit RC2 for the certificates, HMAC-SHA-1 MAC) both open.
 * Runs in browsers and Node: pkijs for the ASN.1, WebCrypto through globalThis.crypto, no Node APIs.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { type AlgorithmParameters, PbeError, pbeDecrypt, schemeName, verifyPkcs12Mac } from './pkcs12-pbe.ts';

type Subtle = typeof globalThis.crypto.subtle;
/** A WebCrypto private key (CryptoKey). */
export type Pkcs12PrivateKey = Parameters<Subtle['sign']>[1];

export interface Pkcs12Contents {
  /** DER of the certificate whose public key matches the private key. */
  certificateDer: Uint8Array;
  /** DER of the other certificates in the file, issuer of the signer first when the file holds it. */
  chainDer: Uint8Array[];
  privateKey: Pkcs12PrivateKey;
  /** The bag's friendlyName attribute, when the file names the key (Windows shows it). */
  friendlyName?: string;
}

export interface LoadPkcs12Options {
  /** Hash bound to an RSA key for RSASSA-PKCS1-v1_5 signing (WebCrypto binds it at import); default SHA-256. */
  rsaHash?: 'SHA-256' | 'SHA-384' | 'SHA-512';
  /** Import the key as extractable; default false, so the key cannot leave the WebCrypto key store. */
  extractable?: boolean;
}

export type Pkcs12ErrorCode =
  | 'PKCS12_MALFORMED'
  | 'PKCS12_BAD_PASSWORD'
  | 'PKCS12_UNSUPPORTED'
  | 'PKCS12_NO_KEY'
  | 'PKCS12_NO_CERTIFICATE';

/** A PKCS#12 file that cannot be used, with a code to switch on and a message to show the person. */
export class Pkcs12Error extends Error {
  readonly code: Pkcs12ErrorCode;
  constructor(code: Pkcs12ErrorCode, message: string) {
    super(message);
    this.name = 'Pkcs12Error';
    this.code = code;
  }
}

const ID_DATA = '1.2.840.113549.1.7.1';
const ID_ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const ID_ENVELOPED_DATA = '1.2.840.113549.1.7.3';
const BAG_KEY = '1.2.840.113549.1.12.10.1.1';
const BAG_SHROUDED_KEY = '1.2.840.113549.1.12.10.1.2';
const BAG_CERT = '1.2.840.113549.1.12.10.1.3';
const BAG_SAFE_CONTENTS = '1.2.840.113549.1.12.10.1.6';
const CERT_X509 = '1.2.840.113549.1.9.22.1';
const ATTR_FRIENDLY_NAME = '1.2.840.113549.1.9.20';
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const CURVES: Readonly<Record<string, 'P-256' | 'P-384' | 'P-521'>> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
};

const badPassword = () =>
  new Pkcs12Error('PKCS12_BAD_PASSWORD', 'The password is wrong, or the PKCS#12 file was altered or damaged.');

function subtle(): Subtle {
  const s = globalThis.crypto?.subtle;
  if (s === undefined)
    throw new Pkcs12Error('PKCS12_UNSUPPORTED', 'WebCrypto (globalThis.crypto.subtle) is not available.');
  return s;
}

function bytesOf(buffer: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return new Uint8Array(buffer);
}

function octetsOf(value: unknown, what: string): Uint8Array {
  if (!(value instanceof asn1js.OctetString))
    throw new Pkcs12Error('PKCS12_MALFORMED', `${what} is not an OCTET STRING.`);
  return bytesOf(value.getValue());
}

function parseDer<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof Pkcs12Error) throw error;
    throw new Pkcs12Error(
      'PKCS12_MALFORMED',
      `Not a PKCS#12 file: ${what} cannot be read (${(error as Error).message}).`,
    );
  }
}

function toAlgorithm(identifier: pkijs.AlgorithmIdentifier): AlgorithmParameters {
  return { oid: identifier.algorithmId, params: identifier.algorithmParams };
}

/** Decrypts with the password; a padding or structure failure after decryption means a wrong password. */
async function decrypt(scheme: AlgorithmParameters, password: string, data: Uint8Array): Promise<Uint8Array> {
  try {
    return await pbeDecrypt(scheme, password, data);
  } catch (error) {
    if (error instanceof PbeError) {
      if (error.reason === 'unsupported') {
        throw new Pkcs12Error(
          'PKCS12_UNSUPPORTED',
          `The PKCS#12 file uses ${schemeName(scheme.oid)}: ${error.message}.`,
        );
      }
      if (error.reason === 'decrypt') throw badPassword();
      throw new Pkcs12Error('PKCS12_MALFORMED', `The PKCS#12 file is damaged: ${error.message}.`);
    }
    throw error;
  }
}

interface FoundKey {
  pkcs8: Uint8Array;
  friendlyName?: string;
}

interface Found {
  keys: FoundKey[];
  certificates: Uint8Array[];
}

function friendlyNameOf(bag: pkijs.SafeBag): string | undefined {
  const attribute = bag.bagAttributes?.find((a) => a.type === ATTR_FRIENDLY_NAME);
  const value = attribute?.values[0];
  return value instanceof asn1js.BmpString ? value.valueBlock.value : undefined;
}

async function collectBags(contents: pkijs.SafeContents, password: string, found: Found, depth = 0): Promise<void> {
  if (depth > 4) throw new Pkcs12Error('PKCS12_MALFORMED', 'The PKCS#12 file nests its contents too deeply.');
  for (const bag of contents.safeBags) {
    const friendlyName = friendlyNameOf(bag);
    const named = friendlyName === undefined ? {} : { friendlyName };
    if (bag.bagId === BAG_SHROUDED_KEY && bag.bagValue instanceof pkijs.PKCS8ShroudedKeyBag) {
      const pkcs8 = await decrypt(
        toAlgorithm(bag.bagValue.encryptionAlgorithm),
        password,
        octetsOf(bag.bagValue.encryptedData, 'the encrypted key'),
      );
      found.keys.push({ pkcs8, ...named });
    } else if (bag.bagId === BAG_KEY && bag.bagValue instanceof pkijs.PrivateKeyInfo) {
      found.keys.push({ pkcs8: bytesOf(bag.bagValue.toSchema().toBER(false)), ...named });
    } else if (bag.bagId === BAG_CERT && bag.bagValue instanceof pkijs.CertBag) {
      if (bag.bagValue.certId === CERT_X509) found.certificates.push(octetsOf(bag.bagValue.certValue, 'a certificate'));
    } else if (bag.bagId === BAG_SAFE_CONTENTS && bag.bagValue instanceof pkijs.SafeContents) {
      await collectBags(bag.bagValue, password, found, depth + 1);
    }
    // CRL and secret bags carry nothing order signing uses.
  }
}

async function readAuthenticatedSafe(pfx: pkijs.PFX, password: string): Promise<Found> {
  if (pfx.authSafe.contentType !== ID_DATA) {
    throw new Pkcs12Error(
      'PKCS12_UNSUPPORTED',
      'The PKCS#12 file is signed with a public key (not password integrity).',
    );
  }
  const content = octetsOf(pfx.authSafe.content, 'the authenticated safe');
  if (pfx.macData === undefined) {
    // RFC 7292 allows no MAC; then only a failing decryption tells a wrong password.
  } else {
    const mac = pfx.macData;
    const ok = await verifyPkcs12Mac(
      mac.mac.digestAlgorithm.algorithmId,
      password,
      octetsOf(mac.macSalt, 'the MAC salt'),
      mac.iterations ?? 1,
      octetsOf(mac.mac.digest, 'the MAC'),
      content,
    ).catch((error: unknown) => {
      if (error instanceof PbeError) {
        throw new Pkcs12Error(
          error.reason === 'unsupported' ? 'PKCS12_UNSUPPORTED' : 'PKCS12_MALFORMED',
          `The PKCS#12 file's integrity cannot be checked: ${error.message}.`,
        );
      }
      throw error;
    });
    if (!ok) throw badPassword();
  }
  const safe = parseDer('the authenticated safe', () => pkijs.AuthenticatedSafe.fromBER(content));
  const found: Found = { keys: [], certificates: [] };
  for (const info of safe.safeContents) {
    if (info.contentType === ID_DATA) {
      const bytes = octetsOf(info.content, 'a SafeContents');
      await collectBags(
        parseDer('a SafeContents', () => pkijs.SafeContents.fromBER(bytes)),
        password,
        found,
      );
    } else if (info.contentType === ID_ENCRYPTED_DATA) {
      const encrypted = parseDer('an encrypted SafeContents', () => new pkijs.EncryptedData({ schema: info.content }));
      const eci = encrypted.encryptedContentInfo;
      const plain = await decrypt(
        toAlgorithm(eci.contentEncryptionAlgorithm),
        password,
        bytesOf(eci.getEncryptedContent()),
      );
      // Without a MAC, a wrong password can decrypt to garbage with valid-looking padding.
      let contents: pkijs.SafeContents;
      try {
        contents = pkijs.SafeContents.fromBER(plain);
      } catch {
        throw badPassword();
      }
      await collectBags(contents, password, found);
    } else if (info.contentType === ID_ENVELOPED_DATA) {
      throw new Pkcs12Error('PKCS12_UNSUPPORTED', 'The PKCS#12 file encrypts its contents to a public key.');
    }
  }
  return found;
}

type KeyAlgorithm =
  | { name: 'RSASSA-PKCS1-v1_5'; hash: string }
  | { name: 'ECDSA'; namedCurve: 'P-256' | 'P-384' | 'P-521' };

function keyAlgorithmOf(pkcs8: Uint8Array, rsaHash: string): KeyAlgorithm {
  let info: pkijs.PrivateKeyInfo;
  try {
    info = pkijs.PrivateKeyInfo.fromBER(pkcs8);
  } catch {
    // The decryption looked right but did not give a key: a wrong password without a MAC, or a damaged file.
    throw badPassword();
  }
  const oid = info.privateKeyAlgorithm.algorithmId;
  if (oid === RSA_ENCRYPTION) return { name: 'RSASSA-PKCS1-v1_5', hash: rsaHash };
  if (oid === EC_PUBLIC_KEY) {
    const params: unknown = info.privateKeyAlgorithm.algorithmParams;
    const curveOid =
      params instanceof asn1js.ObjectIdentifier
        ? params.valueBlock.toString()
        : info.parsedKey instanceof pkijs.ECPrivateKey
          ? (info.parsedKey.namedCurve ?? '')
          : '';
    const namedCurve = CURVES[curveOid];
    if (namedCurve === undefined) {
      throw new Pkcs12Error(
        'PKCS12_UNSUPPORTED',
        `The key is on the curve ${curveOid}; P-256, P-384 and P-521 are supported.`,
      );
    }
    return { name: 'ECDSA', namedCurve };
  }
  throw new Pkcs12Error('PKCS12_UNSUPPORTED', `The key type ${oid} is not supported (RSA and ECDSA are).`);
}

/** The public part of a JWK that identifies the key pair: RSA modulus and exponent, or the EC point. */
function publicIdentity(jwk: { kty?: string; n?: string; e?: string; x?: string; y?: string; crv?: string }): string {
  return jwk.kty === 'RSA' ? `RSA:${jwk.n}:${jwk.e}` : `EC:${jwk.crv}:${jwk.x}:${jwk.y}`;
}

interface ParsedCertificate {
  der: Uint8Array;
  subject: string;
  issuer: string;
  identity: string | undefined;
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function parseCertificate(der: Uint8Array, algorithm: KeyAlgorithm): Promise<ParsedCertificate> {
  const certificate = parseDer('a certificate', () => pkijs.Certificate.fromBER(der));
  let identity: string | undefined;
  try {
    const spki = certificate.subjectPublicKeyInfo.toSchema().toBER(false);
    const key = await subtle().importKey('spki', spki, algorithm, true, ['verify']);
    identity = publicIdentity(await subtle().exportKey('jwk', key));
  } catch {
    // A certificate for another key type cannot be the signer's; it can still be part of the chain.
  }
  return {
    der,
    subject: hex(certificate.subject.toSchema().toBER(false)),
    issuer: hex(certificate.issuer.toSchema().toBER(false)),
    identity,
  };
}

/** The other certificates from the signer's issuer upwards, then whatever the file held besides. */
function orderChain(leaf: ParsedCertificate, others: ParsedCertificate[]): Uint8Array[] {
  const remaining = [...others];
  const chain: Uint8Array[] = [];
  let current = leaf;
  while (current.issuer !== current.subject) {
    const index = remaining.findIndex((c) => c.subject === current.issuer);
    const issuer = remaining[index];
    if (issuer === undefined) break;
    remaining.splice(index, 1);
    chain.push(issuer.der);
    current = issuer;
  }
  return [...chain, ...remaining.map((c) => c.der)];
}

/**
 * Opens a PKCS#12 file with its password. Throws Pkcs12Error: PKCS12_BAD_PASSWORD (wrong password or altered file),
 * PKCS12_MALFORMED, PKCS12_UNSUPPORTED (an algorithm or mode outside those above), PKCS12_NO_KEY,
 * PKCS12_NO_CERTIFICATE (no certificate matches the key).
 */
export async function loadPkcs12(
  bytes: Uint8Array,
  password: string,
  options: LoadPkcs12Options = {},
): Promise<Pkcs12Contents> {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new Pkcs12Error('PKCS12_MALFORMED', 'Not a PKCS#12 file: no bytes were given.');
  }
  if (typeof password !== 'string') throw new TypeError('loadPkcs12: the password is a string');
  const pfx = parseDer('the PFX structure', () => pkijs.PFX.fromBER(bytes));
  const found = await readAuthenticatedSafe(pfx, password);
  const firstKey = found.keys[0];
  if (firstKey === undefined) throw new Pkcs12Error('PKCS12_NO_KEY', 'The PKCS#12 file holds no private key.');
  const rsaHash = options.rsaHash ?? 'SHA-256';
  for (const key of found.keys) {
    const algorithm = keyAlgorithmOf(key.pkcs8, rsaHash);
    let identity: string;
    try {
      const probe = await subtle().importKey('pkcs8', key.pkcs8, algorithm, true, ['sign']);
      identity = publicIdentity(await subtle().exportKey('jwk', probe));
    } catch {
      throw badPassword();
    }
    const certificates = await Promise.all(found.certificates.map((der) => parseCertificate(der, algorithm)));
    const leaf = certificates.find((c) => c.identity === identity);
    if (leaf === undefined) continue;
    const privateKey = await subtle().importKey('pkcs8', key.pkcs8, algorithm, options.extractable ?? false, ['sign']);
    const contents: Pkcs12Contents = {
      certificateDer: leaf.der,
      chainDer: orderChain(
        leaf,
        certificates.filter((c) => c !== leaf),
      ),
      privateKey,
    };
    if (key.friendlyName !== undefined) contents.friendlyName = key.friendlyName;
    return contents;
  }
  throw new Pkcs12Error(
    'PKCS12_NO_CERTIFICATE',
    found.certificates.length === 0
      ? 'The PKCS#12 file holds a key but no certificate.'
      : 'No certificate in the PKCS#12 file matches its private key.',
  );
}
