import { createHash, webcrypto } from 'node:crypto';
import { canonicalOrderBytes, type OrderPayload, type OrderSignature } from '@ntg/contracts';
import { signOrderCms, signOrderJws } from '@ntg/sdk';
import { createFakeClock, createTestPki, type TestCertificate, type TestPki } from '@ntg/test-kit';
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/app-error.ts';
import type { ApprovedCaAnchor, RevocationChecker } from '../order-verification.ts';
import { createRevocationChecker } from './revocation.ts';
import {
  parseApprovedCaCertificate,
  validateSigningCertificate,
  verifyOrderSignature,
} from './verify-order-signature.ts';

// Signature verification of orders (ADR 0014): Directions A35.1-A35.5 (integrity, authentication, non-repudiation)
// and A36.5 (certificates only from approved certification authorities).

const now = new Date('2026-12-07T02:00:00.000Z');
const payload: OrderPayload = {
  v: 1,
  organizationId: 'org_0123456789abc',
  clientId: 'a123456789',
  sessionId: 'ses_0123456789abc',
  serial: 7,
  nonce: 'AAECAwQFBgcICQoLDA0ODw',
  timestamp: '2026-12-07T01:59:59.000Z',
  order: {
    account: '9A95-1234567',
    symbol: '2330',
    side: 'buy',
    type: 'limit',
    quantity: '1000',
    price: '1085.5',
    timeInForce: 'ROD',
  },
};
const canonical = canonicalOrderBytes(payload);

let pki: TestPki;
let crlDer: Uint8Array;
let anchors: ApprovedCaAnchor[];
let revocation: RevocationChecker;
const goodRevocation: RevocationChecker = { check: async () => ({ status: 'good', source: 'crl' }) };

beforeAll(async () => {
  pki = await createTestPki({ now });
  crlDer = await pki.crl();
  anchors = [{ id: 'aca_root', name: 'Test Root CA', certificateDer: pki.root.der, crlUrls: ['file:/crl/root.crl'] }];
  revocation = createRevocationChecker({
    clock: createFakeClock(now.toISOString()),
    readFile: async (path) => {
      if (path === '/crl/root.crl') return crlDer;
      throw new Error('no such file');
    },
  });
}, 60_000);

const cms = (c: TestCertificate, extra: { chainDer?: Uint8Array[]; detached?: boolean; p?: OrderPayload } = {}) =>
  signOrderCms({ payload: extra.p ?? payload, certificateDer: c.der, privateKey: c.privateKey as never, ...extra });
const jws = (c: TestCertificate, chainDer?: Uint8Array[]) =>
  signOrderJws({ payload, certificateDer: c.der, privateKey: c.privateKey as never, ...(chainDer && { chainDer }) });

async function verify(
  signature: OrderSignature,
  options: Partial<{
    bytes: Uint8Array;
    anchors: ApprovedCaAnchor[];
    at: Date;
    revocation: RevocationChecker;
    unknown: 'fail-closed' | 'fail-open';
  }> = {},
) {
  return verifyOrderSignature({
    canonicalBytes: options.bytes ?? canonical,
    signature,
    anchors: options.anchors ?? anchors,
    at: options.at ?? now,
    revocation: options.revocation ?? revocation,
    unknownRevocation: options.unknown ?? 'fail-closed',
  });
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('order signatures that verify (A35.5)', () => {
  it('accepts a detached CMS signature by an RSA-2048 client of the approved CA, checked against its CRL', async () => {
    const verified = await verify(await cms(pki.clients.rsa));
    expect(verified.algorithm).toBe('cms:rsa-pkcs1:sha256');
    expect(verified.anchorId).toBe('aca_root');
    expect(verified.signerFingerprint).toBe(createHash('sha256').update(pki.clients.rsa.der).digest('hex'));
    expect(verified.revocation).toMatchObject({ status: 'good', source: 'crl' });
    expect(verified.chain.map((c) => c.subject)).toEqual([
      expect.stringContaining('Client RSA'),
      expect.stringContaining('Test Root CA'),
    ]);
  });

  it('accepts CMS by an EC P-256 key, attached content equal to the canonical bytes, and a chain through an intermediate', async () => {
    expect((await verify(await cms(pki.clients.ec))).algorithm).toBe('cms:ecdsa:sha256');
    expect((await verify(await cms(pki.clients.ec, { detached: false }))).algorithm).toBe('cms:ecdsa:sha256');
    const via = await verify(await cms(pki.clients.viaIntermediate, { chainDer: [pki.intermediate.der] }), {
      revocation: goodRevocation,
    });
    expect(via.chain).toHaveLength(3);
  });

  it('accepts a detached JWS (ES256 and RS256) with the certificate in x5c', async () => {
    expect((await verify(await jws(pki.clients.ec))).algorithm).toBe('jws:ES256');
    expect((await verify(await jws(pki.clients.rsa))).algorithm).toBe('jws:RS256');
  });
});

describe('threats refused by the signature check', () => {
  it('A35.2: one byte of the order changed after signing is refused (CMS and JWS)', async () => {
    const changed = canonicalOrderBytes({ ...payload, order: { ...payload.order, quantity: '9000' } });
    expect((await refusal(verify(await cms(pki.clients.rsa), { bytes: changed }))).code).toBe(
      'ORDER_SIGNATURE_INVALID',
    );
    expect((await refusal(verify(await jws(pki.clients.ec), { bytes: changed }))).code).toBe('ORDER_SIGNATURE_INVALID');
  });

  it('attached content that differs from the canonical bytes is refused, even with a valid signature over it', async () => {
    const other = { ...payload, serial: 8 };
    const signed = await cms(pki.clients.ec, { detached: false, p: other });
    expect((await refusal(verify(signed))).code).toBe('ORDER_SIGNATURE_INVALID');
  });

  it('A36.5: a certificate issued by a CA the organization did not approve is refused', async () => {
    const r = await refusal(verify(await cms(pki.clients.unapprovedIssuer)));
    expect(r.code).toBe('ORDER_CERTIFICATE_UNTRUSTED');
    expect(r.message).toContain('A36.5');
  });

  it('A36.5: an intermediate carried by the message is a path candidate, never a trust anchor of its own', async () => {
    // The unapproved CA travels in the message; the client it issued is still refused.
    const signed = await cms(pki.clients.unapprovedIssuer, { chainDer: [pki.unapprovedCa.der] });
    expect((await refusal(verify(signed))).code).toBe('ORDER_CERTIFICATE_UNTRUSTED');
  });

  it('an expired or not yet valid certificate is refused', async () => {
    expect((await refusal(verify(await cms(pki.clients.expired)))).code).toBe('ORDER_CERTIFICATE_EXPIRED');
    expect((await refusal(verify(await cms(pki.clients.notYetValid)))).code).toBe('ORDER_CERTIFICATE_EXPIRED');
  });

  it('A35: an RSA-1024 key is refused as weak', async () => {
    const signed = await signOrderCms({
      payload,
      certificateDer: pki.clients.rsa1024.der,
      privateKey: pki.clients.rsa1024.privateKey as never,
    });
    const r = await refusal(verify(signed, { revocation: goodRevocation }));
    expect(r.code).toBe('ORDER_CERTIFICATE_WEAK');
    expect(r.message).toContain('1024 bits');
  });

  it('A35: a SHA-1 signed certificate is refused', async () => {
    const r = await refusal(verify(await cms(pki.clients.sha1Signed), { revocation: goodRevocation }));
    expect(r.code).toBe('ORDER_ALGORITHM_REFUSED');
    expect(r.message).toContain('SHA1');
  });

  it('a certificate revoked by the CA’s CRL is refused', async () => {
    const r = await refusal(verify(await cms(pki.clients.revoked)));
    expect(r.code).toBe('ORDER_CERTIFICATE_REVOKED');
  });

  it('revocation unknown fails closed by default, and is recorded when the policy fails open', async () => {
    const noCrl = anchors.map((a) => ({ ...a, crlUrls: [] }));
    expect((await refusal(verify(await cms(pki.clients.rsa), { anchors: noCrl }))).code).toBe(
      'ORDER_REVOCATION_UNKNOWN',
    );
    const open = await verify(await cms(pki.clients.rsa), { anchors: noCrl, unknown: 'fail-open' });
    expect(open.revocation.status).toBe('unknown');
  });

  it('a CRL that does not verify with the CA key, or is past its next update, gives unknown, never good', async () => {
    const forged = await pki.crl({ issuer: pki.unapprovedCa, revoked: [] });
    const forgedChecker = createRevocationChecker({
      clock: createFakeClock(now.toISOString()),
      readFile: async () => forged,
    });
    expect((await refusal(verify(await cms(pki.clients.revoked), { revocation: forgedChecker }))).code).toBe(
      'ORDER_REVOCATION_UNKNOWN',
    );
    const old = await pki.crl({ thisUpdate: new Date(now.getTime() - 3 * 86_400_000), hours: 24 });
    const staleChecker = createRevocationChecker({
      clock: createFakeClock(now.toISOString()),
      readFile: async () => old,
    });
    expect((await refusal(verify(await cms(pki.clients.rsa), { revocation: staleChecker }))).code).toBe(
      'ORDER_REVOCATION_UNKNOWN',
    );
  });

  it('OCSP where configured (RFC 6960): a revoked answer refuses, a good one accepts and is kept, a forged one is unknown', async () => {
    const withOcsp = anchors.map((a) => ({ ...a, crlUrls: [], ocspUrl: 'http://ocsp.example.com.tw/' }));
    const responder = pki.ocspResponder();
    const checker = createRevocationChecker({ clock: createFakeClock(now.toISOString()), fetch: responder.fetch });
    const good = await verify(await cms(pki.clients.ec), { anchors: withOcsp, revocation: checker });
    expect(good.revocation).toMatchObject({ status: 'good', source: 'ocsp' });
    await verify(await cms(pki.clients.ec), { anchors: withOcsp, revocation: checker });
    expect(responder.requests).toBe(1);
    const r = await refusal(verify(await cms(pki.clients.revoked), { anchors: withOcsp, revocation: checker }));
    expect(r.code).toBe('ORDER_CERTIFICATE_REVOKED');
    // Signed by a CA that is not the issuer and was not delegated: no answer, and the default fails closed.
    const forged = pki.ocspResponder({ revoked: [], signer: pki.unapprovedCa });
    const forgedChecker = createRevocationChecker({ clock: createFakeClock(now.toISOString()), fetch: forged.fetch });
    const f = await refusal(verify(await cms(pki.clients.revoked), { anchors: withOcsp, revocation: forgedChecker }));
    expect(f.code).toBe('ORDER_REVOCATION_UNKNOWN');
  });

  it('algorithm confusion: an RS256 header over an EC key, an HS256 or none header, and a jwk header are refused', async () => {
    const good = (await jws(pki.clients.ec)).value;
    const [, , sig] = good.split('.');
    const header = (h: object) => Buffer.from(JSON.stringify(h)).toString('base64url');
    const x5c = [Buffer.from(pki.clients.ec.der).toString('base64')];
    for (const h of [
      { alg: 'RS256', x5c },
      { alg: 'HS256', x5c },
      { alg: 'none', x5c },
      { alg: 'ES256', x5c, jwk: { kty: 'EC' } },
      { alg: 'ES256', x5c, crit: ['b64'], b64: false },
    ]) {
      const r = await refusal(verify({ format: 'jws', value: `${header(h)}..${sig}` }));
      expect(r.code, JSON.stringify(h)).toBe('ORDER_ALGORITHM_REFUSED');
    }
  });

  it('a CMS with a second SignerInfo is refused', async () => {
    const der = Buffer.from((await cms(pki.clients.ec)).value, 'base64');
    const info = pkijs.ContentInfo.fromBER(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength));
    const signed = new pkijs.SignedData({ schema: info.content });
    signed.signerInfos.push(signed.signerInfos[0] as pkijs.SignerInfo);
    const again = new pkijs.ContentInfo({ contentType: info.contentType, content: signed.toSchema(true) });
    const value = Buffer.from(again.toSchema().toBER(false)).toString('base64');
    expect((await refusal(verify({ format: 'cms', value }))).code).toBe('ORDER_MALFORMED');
  });

  it('a CMS whose message-digest attribute names other content is refused', async () => {
    const other = canonicalOrderBytes({ ...payload, nonce: 'BBECAwQFBgcICQoLDA0ODw' });
    const r = await refusal(verify(await cms(pki.clients.ec), { bytes: other }));
    expect(r.code).toBe('ORDER_SIGNATURE_INVALID');
    expect(r.message).toContain('message digest');
  });

  it('a CMS signed over SHA-1 is refused, whatever its signature', async () => {
    // Rebuilt with a SHA-1 digest algorithm by hand: the SDK cannot make one.
    const key = pki.clients.rsa;
    const cert = pkijs.Certificate.fromBER(Buffer.from(key.der));
    const digest = createHash('sha1').update(canonical).digest();
    const signer = new pkijs.SignerInfo({
      version: 1,
      sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
      signedAttrs: new pkijs.SignedAndUnsignedAttributes({
        type: 0,
        attributes: [
          new pkijs.Attribute({
            type: '1.2.840.113549.1.9.3',
            values: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' })],
          }),
          new pkijs.Attribute({ type: '1.2.840.113549.1.9.4', values: [new asn1js.OctetString({ valueHex: digest })] }),
        ],
      }),
    });
    const signed = new pkijs.SignedData({
      version: 1,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.7.1' }),
      signerInfos: [signer],
      certificates: [cert],
    });
    const sha1Key = await webcrypto.subtle.importKey(
      'pkcs8',
      await webcrypto.subtle.exportKey('pkcs8', key.privateKey),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' },
      false,
      ['sign'],
    );
    await signed.sign(sha1Key as never, 0, 'SHA-1');
    const value = Buffer.from(
      new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: signed.toSchema(true) })
        .toSchema()
        .toBER(false),
    ).toString('base64');
    const r = await refusal(verify({ format: 'cms', value }));
    expect(r.code).toBe('ORDER_ALGORITHM_REFUSED');
    expect(r.message).toContain('SHA-1');
  });

  it('fuzz: random bytes and mutated signatures only ever give an ORDER_* refusal, never a crash', async () => {
    const good = Buffer.from((await cms(pki.clients.ec)).value, 'base64');
    const goodJws = (await jws(pki.clients.ec)).value;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc
            .uint8Array({ minLength: 1, maxLength: 600 })
            .map((b) => ({ format: 'cms' as const, value: Buffer.from(b).toString('base64') })),
          fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
            const copy = Buffer.from(good);
            copy[i] = (copy[i] ?? 0) ^ x;
            return { format: 'cms' as const, value: copy.toString('base64') };
          }),
          fc
            .tuple(fc.nat({ max: goodJws.length - 1 }), fc.constantFrom('A', '_', '-', 'z', '0'))
            .map(([i, c]) => ({ format: 'jws' as const, value: `${goodJws.slice(0, i)}${c}${goodJws.slice(i + 1)}` })),
        ),
        async (signature) => {
          try {
            await verify(signature);
          } catch (error) {
            expect(error).toBeInstanceOf(AppError);
            expect((error as AppError).code).toMatch(/^ORDER_/);
            return;
          }
          // A mutation that leaves a valid signature (e.g. in an unsigned field) must still verify as the same signer.
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('certificates for the approved-CA store and for binding', () => {
  it('A36.5: parses a CA certificate, and refuses a client certificate offered as a CA', () => {
    expect(parseApprovedCaCertificate(pki.root.der).subject).toContain('Test Root CA');
    expect(() => parseApprovedCaCertificate(pki.clients.rsa.der)).toThrow(/not a CA certificate/);
    expect(() => parseApprovedCaCertificate(new Uint8Array([0x30, 1, 2, 3]))).toThrow(AppError);
  });

  it('validates a client certificate before binding it, with the same policy as orders', async () => {
    const ok = await validateSigningCertificate({
      certificateDer: pki.clients.ec.der,
      anchors,
      at: now,
      revocation,
      unknownRevocation: 'fail-closed',
    });
    expect(ok.anchorId).toBe('aca_root');
    const revoked = validateSigningCertificate({
      certificateDer: pki.clients.revoked.der,
      anchors,
      at: now,
      revocation,
      unknownRevocation: 'fail-closed',
    });
    expect((await refusal(revoked)).code).toBe('ORDER_CERTIFICATE_REVOKED');
    const ca = validateSigningCertificate({
      certificateDer: pki.intermediate.der,
      anchors,
      at: now,
      revocation,
      unknownRevocation: 'fail-closed',
    });
    expect((await refusal(ca)).code).toBe('ORDER_CERTIFICATE_UNTRUSTED');
  });
});
