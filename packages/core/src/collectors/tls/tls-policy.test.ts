import { describe, expect, it } from 'vitest';
import { cipherSuiteInfo } from './cipher-suites.ts';
import type { AcceptedSuiteFacts, CertificateFacts, TlsFacts, TlsProtocolVersion, VersionFacts } from './tls-facts.ts';
import { judgeTls, judgeTlsEndpoint, type TlsVerdict, tlsResult } from './tls-policy.ts';

const NOW = new Date('2026-06-01T00:00:00Z');

function suite(code: number, extra: Partial<AcceptedSuiteFacts> = {}): AcceptedSuiteFacts {
  const info = cipherSuiteInfo(code);
  if (!info) throw new Error(`no suite ${code}`);
  return {
    name: info.name,
    code,
    codeHex: info.codeHex,
    keyExchange: info.keyExchange,
    authentication: info.authentication,
    encryption: info.encryption,
    encryptionBits: info.encryptionBits,
    mac: info.mac,
    export: info.export,
    anonymous: info.anonymous,
    legacy: [...info.legacy],
    ...extra,
  };
}

function refused(version: TlsProtocolVersion): VersionFacts {
  return {
    version,
    support: { status: 'refused', reason: 'alert protocol_version' },
    suites: [],
    suitesComplete: true,
  };
}

function accepted(version: TlsProtocolVersion, suites: AcceptedSuiteFacts[]): VersionFacts {
  return { version, support: { status: 'accepted' }, suites, suitesComplete: true };
}

function certificate(extra: Partial<CertificateFacts> = {}): CertificateFacts {
  return {
    subject: 'CN=trade.example.com.tw',
    issuer: 'CN=Example CA',
    serialNumber: '1000',
    keyType: 'RSA',
    keyBits: 2048,
    signatureAlgorithm: { oid: '1.2.840.113549.1.1.11', name: 'sha256WithRSAEncryption', hash: 'SHA-256' },
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
    sha256Fingerprint: 'AA:BB',
    selfIssued: false,
    isCa: false,
    subjectAltNames: ['DNS:trade.example.com.tw'],
    ...extra,
  };
}

/** A compliant endpoint: TLS 1.2 ECDHE-GCM and TLS 1.3, RSA-2048 SHA-256 certificate, trusted, right name. */
function compliant(): TlsFacts {
  return {
    host: 'trade.example.com.tw',
    port: 443,
    sni: 'trade.example.com.tw',
    scannedAt: '2026-06-01T00:00:00.000Z',
    durationMs: 120,
    versions: [
      refused('SSLv3'),
      refused('TLSv1.0'),
      refused('TLSv1.1'),
      accepted('TLSv1.2', [suite(0xc02f, { group: 'x25519', groupBits: 256 }), suite(0xc030)]),
      accepted('TLSv1.3', [suite(0x1301, { keyExchange: 'ECDHE', group: 'x25519', groupBits: 256 })]),
    ],
    chains: [
      {
        certificates: [certificate()],
        seenWith: ['TLSv1.2', 'TLSv1.3'],
        trust: { status: 'trusted', store: 'node-root-store', method: 'node-tls-handshake' },
        hostname: { name: 'trade.example.com.tw', matches: true },
      },
    ],
    complete: true,
    errors: [],
  };
}

function withVersion(facts: TlsFacts, replacement: VersionFacts): TlsFacts {
  return { ...facts, versions: facts.versions.map((v) => (v.version === replacement.version ? replacement : v)) };
}

function codes(verdicts: TlsVerdict[]): string[] {
  return verdicts.map((verdict) => verdict.code).sort();
}

function firstChain(facts: TlsFacts) {
  const chain = facts.chains[0];
  if (!chain) throw new Error('fixture has no chain');
  return chain;
}

describe('TLS policy (Directions A35.1)', () => {
  it('passes a TLS 1.2/1.3 ECDHE endpoint with a trusted RSA-2048 SHA-256 certificate', () => {
    expect(judgeTlsEndpoint(compliant(), NOW)).toEqual({ result: 'pass', verdicts: [] });
  });

  it('flags a server that accepts TLS 1.0, and one for TLS 1.1 and SSL 3.0 each', () => {
    let facts = withVersion(compliant(), accepted('TLSv1.0', [suite(0xc013)]));
    facts = withVersion(facts, accepted('TLSv1.1', [suite(0xc013)]));
    facts = withVersion(facts, accepted('SSLv3', [suite(0x002f)]));
    const verdicts = judgeTls(facts, NOW);
    expect(verdicts.map((v) => `${v.code} ${v.fact.version}`)).toEqual([
      'PROTOCOL_BELOW_TLS12 SSLv3',
      'PROTOCOL_BELOW_TLS12 TLSv1.0',
      'PROTOCOL_BELOW_TLS12 TLSv1.1',
    ]);
    expect(verdicts[0]).toMatchObject({ severity: 'critical', article: 'A35.1' });
    expect(tlsResult(verdicts)).toBe('fail');
  });

  it('flags each TLS 1.2 suite whose key exchange is RSA or DHE, naming the suite', () => {
    const facts = withVersion(compliant(), accepted('TLSv1.2', [suite(0xc02f), suite(0x009c), suite(0x009e)]));
    const verdicts = judgeTls(facts, NOW);
    expect(verdicts.map((v) => `${v.code} ${v.fact.suite?.name}`)).toEqual([
      'TLS12_SUITE_WITHOUT_ECDHE TLS_RSA_WITH_AES_128_GCM_SHA256',
      'TLS12_SUITE_WITHOUT_ECDHE TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
    ]);
    expect(verdicts[0]?.fact).toMatchObject({ version: 'TLSv1.2', suite: { codeHex: '0x009C' } });
  });

  it('flags static ECDH suites too: ECDHE means ephemeral', () => {
    const facts = withVersion(compliant(), accepted('TLSv1.2', [suite(0xc031)]));
    expect(codes(judgeTls(facts, NOW))).toEqual(['TLS12_SUITE_WITHOUT_ECDHE']);
  });

  it('flags RC4, 3DES, NULL and EXPORT suites as legacy ciphers even with ECDHE', () => {
    const facts = withVersion(
      compliant(),
      accepted('TLSv1.2', [suite(0xc011), suite(0xc012), suite(0xc010), suite(0xc02f)]),
    );
    const verdicts = judgeTls(facts, NOW);
    expect(verdicts.map((v) => `${v.code} ${v.fact.detail}`)).toEqual([
      'LEGACY_CIPHER RC4',
      'LEGACY_CIPHER 3DES',
      'LEGACY_CIPHER NULL',
    ]);
    const exportOnly = withVersion(compliant(), accepted('TLSv1.2', [suite(0x0003)]));
    expect(codes(judgeTls(exportOnly, NOW))).toEqual(['LEGACY_CIPHER', 'TLS12_SUITE_WITHOUT_ECDHE']);
  });

  it('flags anonymous suites', () => {
    const facts = withVersion(compliant(), accepted('TLSv1.2', [suite(0xc018)]));
    expect(codes(judgeTls(facts, NOW))).toEqual(['ANONYMOUS_SUITE']);
  });

  it('flags an ECDHE group under 256 bits but not x25519', () => {
    const facts = withVersion(
      compliant(),
      accepted('TLSv1.2', [
        suite(0xc02f, { group: 'secp224r1', groupBits: 224 }),
        suite(0xc030, { group: 'x25519', groupBits: 256 }),
      ]),
    );
    const verdicts = judgeTls(facts, NOW);
    expect(verdicts.map((v) => `${v.code} ${v.fact.group}`)).toEqual(['WEAK_EC_KEY secp224r1']);
  });

  it('flags an RSA key under 2048 bits and an EC key under 256 bits', () => {
    const rsa = compliant();
    firstChain(rsa).certificates = [certificate({ keyBits: 1024 })];
    expect(judgeTls(rsa, NOW).map((v) => `${v.code} ${v.fact.detail}`)).toEqual(['WEAK_RSA_KEY 1024-bit RSA']);
    const ec = compliant();
    firstChain(ec).certificates = [certificate({ keyType: 'EC', keyBits: 224, curve: 'secp224r1' })];
    expect(codes(judgeTls(ec, NOW))).toEqual(['WEAK_EC_KEY']);
    const good = compliant();
    firstChain(good).certificates = [certificate({ keyType: 'EC', keyBits: 256, curve: 'prime256v1' })];
    expect(judgeTls(good, NOW)).toEqual([]);
  });

  it('flags SHA-1 and MD5 signatures, except on a self-issued anchor above the leaf', () => {
    const sha1 = { oid: '1.2.840.113549.1.1.5', name: 'sha1WithRSAEncryption', hash: 'SHA-1' as const };
    const md5 = { oid: '1.2.840.113549.1.1.4', name: 'md5WithRSAEncryption', hash: 'MD5' as const };
    const facts = compliant();
    firstChain(facts).certificates = [
      certificate({ signatureAlgorithm: sha1 }),
      certificate({ subject: 'CN=Intermediate', signatureAlgorithm: md5, isCa: true }),
      certificate({ subject: 'CN=Root', issuer: 'CN=Root', selfIssued: true, isCa: true, signatureAlgorithm: sha1 }),
    ];
    const verdicts = judgeTls(facts, NOW);
    expect(verdicts.map((v) => `${v.code} ${v.fact.certificate?.position} ${v.fact.detail}`)).toEqual([
      'WEAK_CERT_SIGNATURE 0 sha1WithRSAEncryption',
      'WEAK_CERT_SIGNATURE 1 md5WithRSAEncryption',
    ]);
  });

  it('flags an expired and a not-yet-valid certificate against the given time', () => {
    const facts = compliant();
    firstChain(facts).certificates = [
      certificate({ notAfter: '2026-05-31T23:59:59.000Z' }),
      certificate({ subject: 'CN=Next CA', notBefore: '2026-06-02T00:00:00.000Z', isCa: true }),
    ];
    expect(codes(judgeTls(facts, NOW))).toEqual(['CERT_EXPIRED', 'CERT_NOT_YET_VALID']);
    expect(judgeTls(facts, new Date('2026-05-01T00:00:00Z')).map((v) => v.code)).toEqual(['CERT_NOT_YET_VALID']);
  });

  it('flags an untrusted chain with its reason, but leaves date-only reasons to the date verdicts', () => {
    const untrusted = compliant();
    firstChain(untrusted).trust = {
      status: 'untrusted',
      store: 'ca-bundle',
      method: 'node-tls-handshake',
      reason: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    };
    const verdicts = judgeTls(untrusted, NOW);
    expect(verdicts.map((v) => `${v.code} ${v.fact.detail}`)).toEqual(['CERT_UNTRUSTED DEPTH_ZERO_SELF_SIGNED_CERT']);
    const expired = compliant();
    firstChain(expired).certificates = [certificate({ notAfter: '2026-01-02T00:00:00.000Z' })];
    firstChain(expired).trust = {
      status: 'untrusted',
      store: 'ca-bundle',
      method: 'node-tls-handshake',
      reason: 'CERT_HAS_EXPIRED',
    };
    expect(codes(judgeTls(expired, NOW))).toEqual(['CERT_EXPIRED']);
  });

  it('flags a certificate that does not match the host name', () => {
    const facts = compliant();
    firstChain(facts).hostname = {
      name: 'www.example.com',
      matches: false,
      reason: "Host: www.example.com. is not in the cert's altnames",
    };
    expect(judgeTls(facts, NOW).map((v) => v.code)).toEqual(['HOSTNAME_MISMATCH']);
  });

  it('makes an incomplete scan an error, never a pass, and still reports what it saw', () => {
    const facts = { ...compliant(), complete: false, errors: ['TLSv1.1: timeout after 5000 ms (no answer)'] };
    const { result, verdicts } = judgeTlsEndpoint(facts, NOW);
    expect(result).toBe('error');
    expect(verdicts).toEqual([
      expect.objectContaining({
        code: 'SCAN_INCOMPLETE',
        severity: 'error',
        message: expect.stringMatching(/timeout/),
      }),
    ]);
    const failing = withVersion({ ...facts }, accepted('TLSv1.0', [suite(0xc013)]));
    expect(judgeTlsEndpoint(failing, NOW).result).toBe('error');
    expect(codes(judgeTls(failing, NOW))).toEqual(['PROTOCOL_BELOW_TLS12', 'SCAN_INCOMPLETE']);
  });

  it('makes an endpoint that accepted no version at all an error', () => {
    const facts: TlsFacts = {
      ...compliant(),
      versions: ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].map((v) => refused(v as TlsProtocolVersion)),
      chains: [],
    };
    expect(judgeTlsEndpoint(facts, NOW)).toMatchObject({
      result: 'error',
      verdicts: [{ code: 'NO_PROTOCOL_ACCEPTED' }],
    });
  });

  it('makes an undecided trust an error', () => {
    const facts = compliant();
    firstChain(facts).trust = {
      status: 'unknown',
      store: 'ca-bundle',
      method: 'none',
      reason: 'no certificate presented',
    };
    expect(tlsResult(judgeTls(facts, NOW))).toBe('error');
  });

  it('does not call TLS 1.3 suites non-ECDHE', () => {
    const facts = withVersion(
      compliant(),
      accepted('TLSv1.3', [suite(0x1302, { keyExchange: 'DHE', group: 'ffdhe2048' })]),
    );
    expect(judgeTls(facts, NOW)).toEqual([]);
  });
});
