import { randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * A certification authority and client certificates made in-process for tests (ADR 0014), so no test touches a real
 * key: an approved root and an intermediate under it, a CA nobody approved, and client certificates that are valid
 * (RSA-2048, EC P-256, through the intermediate), expired, not yet valid, revoked (with a CRL that says so), too
 * weak (RSA-1024), signed with SHA-1, issued by the unapproved CA, and another client's.
 */

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export interface TestCertificate {
  name: string;
  der: Uint8Array;
  pem: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** Lowercase hex, as the gateway reports it. */
  serialHex: string;
}

export interface TestPki {
  root: TestCertificate;
  intermediate: TestCertificate;
  unapprovedCa: TestCertificate;
  clients: {
    rsa: TestCertificate;
    ec: TestCertificate;
    viaIntermediate: TestCertificate;
    expired: TestCertificate;
    notYetValid: TestCertificate;
    revoked: TestCertificate;
    rsa1024: TestCertificate;
    sha1Signed: TestCertificate;
    unapprovedIssuer: TestCertificate;
    otherClient: TestCertificate;
  };
  /** A CRL of `issuer` listing `revoked`, valid from `thisUpdate` for `hours`. */
  crl(options?: {
    issuer?: TestCertificate;
    revoked?: TestCertificate[];
    thisUpdate?: Date;
    hours?: number;
  }): Promise<Uint8Array>;
  /**
   * An OCSP responder for `fetch`-shaped injection (RFC 6960, signed by `signer`, the root by default): it answers
   * revoked for `revoked`, good for the others, and counts the requests it served.
   */
  ocspResponder(options?: { revoked?: TestCertificate[]; signer?: TestCertificate; hours?: number }): OcspResponder;
  /** Another client certificate of the root (or `issuer`), e.g. for a test that needs a fresh account. */
  issueClient(name: string, options?: { issuer?: TestCertificate; key?: 'rsa' | 'ec' }): Promise<TestCertificate>;
}

export interface OcspResponder {
  fetch(
    url: string,
    init: { body?: Uint8Array },
  ): Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
  requests: number;
}

const subtle = webcrypto.subtle;
const rsa = (bits: number, hash = 'SHA-256') => ({
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: bits,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash,
});
const ec = { name: 'ECDSA', namedCurve: 'P-256' };

function pemOf(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END ${label}-----\n`;
}

function setName(target: pkijs.RelativeDistinguishedNames, commonName: string): void {
  target.typesAndValues.push(
    new pkijs.AttributeTypeAndValue({
      type: '2.5.4.10',
      value: new asn1js.Utf8String({ value: 'NewTech Guard Test PKI' }),
    }),
    new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: commonName }) }),
  );
}

function bitString(bits: number): ArrayBuffer {
  return new asn1js.BitString({ valueHex: new Uint8Array([bits]).buffer, unusedBits: 1 }).toBER(false);
}

async function keyId(publicKey: CryptoKey): Promise<ArrayBuffer> {
  const spki = new Uint8Array(await subtle.exportKey('spki', publicKey));
  return (await subtle.digest('SHA-1', spki)).slice(0, 20);
}

interface IssueInput {
  name: string;
  keys: CryptoKeyPair;
  issuer: { name: string; privateKey: CryptoKey; publicKey: CryptoKey } | 'self';
  ca: boolean;
  notBefore: Date;
  notAfter: Date;
  hash?: 'SHA-256' | 'SHA-1';
}

async function issue(input: IssueInput): Promise<TestCertificate> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(12);
  serial[0] = 0x10 | ((serial[0] ?? 0) & 0x3f);
  cert.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array(serial).buffer });
  const issuerName = input.issuer === 'self' ? input.name : input.issuer.name;
  setName(cert.subject, input.name);
  setName(cert.issuer, issuerName);
  cert.notBefore.value = input.notBefore;
  cert.notAfter.value = input.notAfter;
  await cert.subjectPublicKeyInfo.importKey(input.keys.publicKey);
  const issuerPublic = input.issuer === 'self' ? input.keys.publicKey : input.issuer.publicKey;
  cert.extensions = [
    new pkijs.Extension({
      extnID: '2.5.29.19',
      critical: true,
      extnValue: new pkijs.BasicConstraints({ cA: input.ca }).toSchema().toBER(false),
    }),
    // digitalSignature | nonRepudiation for clients; keyCertSign | cRLSign for CAs.
    new pkijs.Extension({ extnID: '2.5.29.15', critical: true, extnValue: bitString(input.ca ? 0x06 : 0xc0) }),
    new pkijs.Extension({
      extnID: '2.5.29.14',
      extnValue: new asn1js.OctetString({ valueHex: await keyId(input.keys.publicKey) }).toBER(false),
    }),
    new pkijs.Extension({
      extnID: '2.5.29.35',
      extnValue: new pkijs.AuthorityKeyIdentifier({
        keyIdentifier: new asn1js.OctetString({ valueHex: await keyId(issuerPublic) }),
      })
        .toSchema()
        .toBER(false),
    }),
  ];
  let signingKey = input.issuer === 'self' ? input.keys.privateKey : input.issuer.privateKey;
  if (input.hash === 'SHA-1') {
    // WebCrypto binds an RSA key to one hash: the issuer's key, imported again for SHA-1.
    signingKey = await subtle.importKey(
      'pkcs8',
      await subtle.exportKey('pkcs8', signingKey),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' },
      false,
      ['sign'],
    );
  }
  await cert.sign(signingKey, input.hash ?? 'SHA-256');
  const der = new Uint8Array(cert.toSchema(true).toBER(false));
  return {
    name: input.name,
    der,
    pem: pemOf(der),
    privateKey: input.keys.privateKey,
    publicKey: input.keys.publicKey,
    serialHex: Buffer.from(serial).toString('hex'),
  };
}

// RSA key generation is slow: one pool of key pairs per process, shared by every TestPki made in it.
const keyPool = new Map<string, Promise<CryptoKeyPair>>();
function keys(slot: string, algorithm: Parameters<typeof subtle.generateKey>[0]): Promise<CryptoKeyPair> {
  let pair = keyPool.get(slot);
  if (pair === undefined) {
    pair = subtle.generateKey(algorithm as never, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
    keyPool.set(slot, pair);
  }
  return pair;
}

const day = 86_400_000;

/** Builds the test PKI around `now` (default: the real time). */
export async function createTestPki(options: { now?: Date } = {}): Promise<TestPki> {
  const now = options.now ?? new Date();
  const from = new Date(now.getTime() - 30 * day);
  const to = new Date(now.getTime() + 365 * day);
  const [rootKeys, interKeys, unapprovedKeys, rsaKeys, ecKeys, weakKeys, otherKeys, ecKeys2] = await Promise.all([
    keys('root', rsa(2048)),
    keys('intermediate', ec),
    keys('unapproved', rsa(2048)),
    keys('client-rsa', rsa(2048)),
    keys('client-ec', ec),
    keys('client-rsa1024', rsa(1024)),
    keys('client-other', ec),
    keys('client-ec-2', ec),
  ]);
  const root = await issue({
    name: 'Test Root CA',
    keys: rootKeys,
    issuer: 'self',
    ca: true,
    notBefore: from,
    notAfter: to,
  });
  const rootIssuer = { name: root.name, privateKey: root.privateKey, publicKey: root.publicKey };
  const intermediate = await issue({
    name: 'Test Intermediate CA',
    keys: interKeys,
    issuer: rootIssuer,
    ca: true,
    notBefore: from,
    notAfter: to,
  });
  const unapprovedCa = await issue({
    name: 'Unapproved CA',
    keys: unapprovedKeys,
    issuer: 'self',
    ca: true,
    notBefore: from,
    notAfter: to,
  });
  const client = (name: string, k: CryptoKeyPair, extra: Partial<IssueInput> = {}) =>
    issue({ name, keys: k, issuer: rootIssuer, ca: false, notBefore: from, notAfter: to, ...extra });
  const clients = {
    rsa: await client('Client RSA', rsaKeys),
    ec: await client('Client EC', ecKeys),
    viaIntermediate: await client('Client via intermediate', ecKeys2, {
      issuer: { name: intermediate.name, privateKey: intermediate.privateKey, publicKey: intermediate.publicKey },
    }),
    expired: await client('Client expired', ecKeys, {
      notBefore: new Date(now.getTime() - 400 * day),
      notAfter: new Date(now.getTime() - day),
    }),
    notYetValid: await client('Client not yet valid', ecKeys, {
      notBefore: new Date(now.getTime() + day),
      notAfter: new Date(now.getTime() + 30 * day),
    }),
    revoked: await client('Client revoked', ecKeys),
    rsa1024: await client('Client RSA-1024', weakKeys),
    sha1Signed: await client('Client SHA-1 signed', rsaKeys, { hash: 'SHA-1' }),
    unapprovedIssuer: await issue({
      name: 'Client of the unapproved CA',
      keys: ecKeys,
      issuer: { name: unapprovedCa.name, privateKey: unapprovedCa.privateKey, publicKey: unapprovedCa.publicKey },
      ca: false,
      notBefore: from,
      notAfter: to,
    }),
    otherClient: await client('Another client', otherKeys),
  };

  async function crl(
    o: { issuer?: TestCertificate; revoked?: TestCertificate[]; thisUpdate?: Date; hours?: number } = {},
  ): Promise<Uint8Array> {
    const issuer = o.issuer ?? root;
    const thisUpdate = o.thisUpdate ?? new Date(now.getTime() - 60_000);
    const list = new pkijs.CertificateRevocationList();
    list.version = 1;
    setName(list.issuer, issuer.name);
    list.thisUpdate = new pkijs.Time({ type: 0, value: thisUpdate });
    list.nextUpdate = new pkijs.Time({ type: 0, value: new Date(thisUpdate.getTime() + (o.hours ?? 24) * 3_600_000) });
    list.revokedCertificates = (o.revoked ?? [clients.revoked]).map(
      (c) =>
        new pkijs.RevokedCertificate({
          userCertificate: new asn1js.Integer({ valueHex: new Uint8Array(Buffer.from(c.serialHex, 'hex')).buffer }),
          revocationDate: new pkijs.Time({ type: 0, value: new Date(thisUpdate.getTime() - 3_600_000) }),
        }),
    );
    await list.sign(issuer.privateKey, 'SHA-256');
    return new Uint8Array(list.toSchema(true).toBER(false));
  }

  function ocspResponder(
    o: { revoked?: TestCertificate[]; signer?: TestCertificate; hours?: number } = {},
  ): OcspResponder {
    const signer = o.signer ?? root;
    const revoked = new Set((o.revoked ?? [clients.revoked]).map((c) => c.serialHex));
    const responder: OcspResponder = {
      requests: 0,
      async fetch(_url, init) {
        responder.requests += 1;
        const body = init.body ?? new Uint8Array(0);
        const request = pkijs.OCSPRequest.fromBER(
          body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
        );
        const certId = request.tbsRequest.requestList[0]?.reqCert;
        if (certId === undefined) throw new Error('an OCSP request without a certificate');
        const serial = Buffer.from(certId.serialNumber.valueBlock.valueHexView)
          .toString('hex')
          .replace(/^(00)+(?=.)/, '');
        const status = revoked.has(serial)
          ? new asn1js.Constructed({
              idBlock: { tagClass: 3, tagNumber: 1 },
              value: [new asn1js.GeneralizedTime({ valueDate: new Date(now.getTime() - 3_600_000) })],
            })
          : new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
        const basic = new pkijs.BasicOCSPResponse();
        const signerCert = pkijs.Certificate.fromBER(Buffer.from(signer.der));
        basic.tbsResponseData.responderID = signerCert.subject;
        basic.tbsResponseData.producedAt = new Date(now.getTime() - 60_000);
        basic.tbsResponseData.responses.push(
          new pkijs.SingleResponse({
            certID: certId,
            certStatus: status,
            thisUpdate: new Date(now.getTime() - 60_000),
            nextUpdate: new Date(now.getTime() + (o.hours ?? 1) * 3_600_000),
          }),
        );
        await basic.sign(signer.privateKey, 'SHA-256');
        const response = new pkijs.OCSPResponse();
        response.responseStatus.valueBlock.valueDec = 0;
        response.responseBytes = new pkijs.ResponseBytes({
          responseType: '1.3.6.1.5.5.7.48.1.1',
          response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }),
        });
        const der = response.toSchema().toBER(false);
        return { ok: true, status: 200, arrayBuffer: async () => der };
      },
    };
    return responder;
  }

  async function issueClient(name: string, o: { issuer?: TestCertificate; key?: 'rsa' | 'ec' } = {}) {
    const issuer = o.issuer ?? root;
    const pair =
      o.key === 'rsa'
        ? await keys('client-rsa', rsa(2048))
        : await (subtle.generateKey(ec, true, ['sign', 'verify']) as Promise<CryptoKeyPair>);
    return issue({
      name,
      keys: pair,
      issuer: { name: issuer.name, privateKey: issuer.privateKey, publicKey: issuer.publicKey },
      ca: false,
      notBefore: from,
      notAfter: to,
    });
  }

  return { root, intermediate, unapprovedCa, clients, crl, ocspResponder, issueClient };
}

export { pemOf as testPem };
