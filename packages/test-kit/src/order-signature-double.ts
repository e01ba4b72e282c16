import { createHmac, KeyObject, randomBytes, sign, verify, webcrypto, X509Certificate } from 'node:crypto';
import {
  canonicalJsonBytes,
  canonicalOrderBytes,
  type OrderPayload,
  type OrderSignature,
  type SubmitOrderRequest,
} from '@ntg/contracts';
import {
  AppError,
  type CertificateSummary,
  type ParseApprovedCaCertificate,
  type RevocationChecker,
  type ValidateSigningCertificate,
  type VerifyOrderSignature,
} from '@ntg/core';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * Quick order fixtures for tests of the order service, its routes and commands: an ECDSA P-256 CA and signers made
 * with pkijs, detached ES256 JWS signatures over the canonical bytes, the session MAC, nonces, and a fixed
 * revocation answer. The product's verifier (orders/signature/) checks them; the full test PKI with every kind of
 * bad certificate is pki/test-pki.ts.
 */

type CryptoKeyPair = webcrypto.CryptoKeyPair;
const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' };

export interface TestCa {
  name: string;
  der: Uint8Array;
  pem: string;
  keys: CryptoKeyPair;
}

export interface TestSigner {
  der: Uint8Array;
  pem: string;
  privateKey: KeyObject;
}

function pemOf(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END CERTIFICATE-----\n`;
}

function name(target: pkijs.RelativeDistinguishedNames, commonName: string): void {
  target.typesAndValues.push(
    new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: commonName }) }),
  );
}

/** Key usage bits, most significant first: digitalSignature 0x80, nonRepudiation 0x40, keyCertSign 0x04, cRLSign 0x02. */
function keyUsage(bits: number, unusedBits: number): pkijs.Extension {
  return new pkijs.Extension({
    extnID: '2.5.29.15',
    critical: true,
    extnValue: new asn1js.BitString({ valueHex: new Uint8Array([bits]).buffer, unusedBits }).toBER(false),
  });
}

async function certificate(input: {
  subject: string;
  issuer: string;
  publicKey: webcrypto.CryptoKey;
  signingKey: webcrypto.CryptoKey;
  ca: boolean;
  notBefore: Date;
  notAfter: Date;
}): Promise<Uint8Array> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(9);
  serial[0] = 0x40 | ((serial[0] ?? 0) & 0x3f);
  cert.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array(serial).buffer });
  name(cert.subject, input.subject);
  name(cert.issuer, input.issuer);
  cert.notBefore.value = input.notBefore;
  cert.notAfter.value = input.notAfter;
  const basic = new pkijs.BasicConstraints({ cA: input.ca });
  cert.extensions = [
    new pkijs.Extension({
      extnID: '2.5.29.19',
      critical: true,
      extnValue: basic.toSchema().toBER(false),
      parsedValue: basic,
    }),
    input.ca ? keyUsage(0x06, 1) : keyUsage(0xc0, 6),
  ];
  await cert.subjectPublicKeyInfo.importKey(input.publicKey as Parameters<pkijs.PublicKeyInfo['importKey']>[0]);
  await cert.sign(input.signingKey as Parameters<pkijs.Certificate['sign']>[0], 'SHA-256');
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

export async function createTestCa(
  commonName = 'NTG Test Root CA',
  validity: { notBefore?: Date; notAfter?: Date } = {},
): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify'])) as CryptoKeyPair;
  const der = await certificate({
    subject: commonName,
    issuer: commonName,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    ca: true,
    notBefore: validity.notBefore ?? new Date('2025-01-01T00:00:00Z'),
    notAfter: validity.notAfter ?? new Date('2031-01-01T00:00:00Z'),
  });
  return { name: commonName, der, pem: pemOf(der), keys };
}

/** A client's signing certificate issued by `ca`, with its private key. */
export async function issueTestSigner(
  ca: TestCa,
  subject = 'client',
  validity: { notBefore?: Date; notAfter?: Date } = {},
): Promise<TestSigner> {
  const keys = (await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify'])) as CryptoKeyPair;
  const der = await certificate({
    subject,
    issuer: ca.name,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    ca: false,
    notBefore: validity.notBefore ?? new Date('2025-06-01T00:00:00Z'),
    notAfter: validity.notAfter ?? new Date('2030-06-01T00:00:00Z'),
  });
  return { der, pem: pemOf(der), privateKey: KeyObject.from(keys.privateKey) };
}

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

/** ES256 JWS with a detached payload over the canonical bytes (ADR 0014), signed with node:crypto. */
export function signOrderJws(payload: OrderPayload, signer: TestSigner): OrderSignature {
  const header = b64url(JSON.stringify({ alg: 'ES256', x5c: [Buffer.from(signer.der).toString('base64')] }));
  const input = `${header}.${b64url(canonicalOrderBytes(payload))}`;
  const sig = sign('sha256', Buffer.from(input, 'ascii'), { key: signer.privateKey, dsaEncoding: 'ieee-p1363' });
  return { format: 'jws', value: `${header}..${b64url(sig)}` };
}

/** The `x-ntg-mac` header of a request body under a session's order MAC key (base64url, as the login returns it). */
export function orderMac(orderMacKey: string, body: SubmitOrderRequest | Record<string, unknown>): string {
  return createHmac('sha256', Buffer.from(orderMacKey, 'base64url'))
    .update(canonicalJsonBytes(body))
    .digest('base64url');
}

export function newOrderNonce(): string {
  return randomBytes(24).toString('base64url');
}

export function fixedRevocation(status: 'good' | 'revoked' | 'unknown' = 'good'): RevocationChecker {
  return { check: async () => ({ status, source: status === 'unknown' ? 'none' : 'crl' }) };
}
