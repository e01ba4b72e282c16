import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeClientHello } from './raw-client-hello.ts';
import type { TlsFacts } from './tls-facts.ts';
import { judgeTlsEndpoint, type TlsVerdict } from './tls-policy.ts';
import { scanTlsEndpoint } from './tls-scanner.ts';
import {
  type BedServerName,
  namespaceAvailability,
  startTlsTestBed,
  type TestBed,
  tlsToolsRequired,
  toolAvailability,
} from './tls-test-bed.ts';

const openssl = toolAvailability('openssl');
const gnutls = toolAvailability('gnutls-serv');
const netns = namespaceAvailability();
const gnutlsReady = gnutls.available && netns.available;
const gnutlsReason = gnutls.available ? netns.reason : gnutls.reason;

function codes(verdicts: TlsVerdict[]): string[] {
  return [...new Set(verdicts.map((verdict) => verdict.code))].sort();
}

if (!openssl.available && tlsToolsRequired()) {
  it('requires openssl for the TLS test bed (NTG_REQUIRE_TLS_TOOLS=1)', () => {
    throw new Error(openssl.reason);
  });
}
if (!gnutlsReady && tlsToolsRequired()) {
  it('requires gnutls-serv and network namespaces for the legacy server (NTG_REQUIRE_TLS_TOOLS=1)', () => {
    throw new Error(gnutlsReason);
  });
}

describe.skipIf(!openssl.available)(`TLS endpoint scan of the test bed [${openssl.reason}]`, () => {
  let bed: TestBed;
  const facts = new Map<BedServerName, TlsFacts>();
  const now = () => new Date();

  beforeAll(async () => {
    bed = await startTlsTestBed();
    const scans = await Promise.all(
      bed.servers.map(async (server) => {
        const result = await scanTlsEndpoint({
          host: server.host,
          port: server.port,
          sni: server.sni,
          caPem: bed.caPem,
        });
        return [server.name, result] as const;
      }),
    );
    for (const [name, result] of scans) facts.set(name, result);
  });

  afterAll(async () => {
    await bed?.stop();
  });

  function scanned(name: BedServerName): { facts: TlsFacts; result: string; codes: string[]; verdicts: TlsVerdict[] } {
    const found = facts.get(name);
    if (!found) throw new Error(`no scan for ${name}`);
    const judged = judgeTlsEndpoint(found, now());
    return { facts: found, result: judged.result, codes: codes(judged.verdicts), verdicts: judged.verdicts };
  }

  it('passes a TLS 1.2 server that offers only ECDHE suites with a trusted RSA-2048 certificate', () => {
    const { facts: seen, result } = scanned('tls12-ecdhe-only');
    expect(result).toBe('pass');
    expect(seen.complete).toBe(true);
    const tls12 = seen.versions.find((version) => version.version === 'TLSv1.2');
    expect(tls12?.suites.map((suite) => suite.name).sort()).toEqual([
      'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
      'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    ]);
    expect(tls12?.suites.every((suite) => suite.group === 'x25519')).toBe(true);
    for (const version of ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.3']) {
      expect(seen.versions.find((v) => v.version === version)?.support.status).toBe('refused');
    }
    const chain = seen.chains[0];
    expect(chain?.trust).toEqual({ status: 'trusted', store: 'ca-bundle', method: 'node-tls-handshake' });
    expect(chain?.hostname).toEqual({ name: 'localhost', matches: true });
    expect(chain?.certificates[0]).toMatchObject({
      subject: 'CN=localhost',
      issuer: 'CN=NTG Test Bed CA',
      keyType: 'RSA',
      keyBits: 2048,
      signatureAlgorithm: { name: 'sha256WithRSAEncryption', hash: 'SHA-256' },
      sha256Fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
    });
  });

  it('passes a TLS 1.3-only server and records its suites and group', () => {
    const { facts: seen, result } = scanned('tls13-only');
    expect(result).toBe('pass');
    const tls13 = seen.versions.find((version) => version.version === 'TLSv1.3');
    expect(tls13?.support.status).toBe('accepted');
    expect(tls13?.suites.map((suite) => suite.name)).toEqual(
      expect.arrayContaining(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']),
    );
    expect(tls13?.suites[0]).toMatchObject({ keyExchange: 'ECDHE', group: 'x25519' });
    expect(seen.chains[0]?.certificates[0]?.keyBits).toBe(2048);
  });

  it('passes an ECDSA P-256 server on TLS 1.2 and 1.3', () => {
    const { facts: seen, result } = scanned('ecdsa-tls12-13');
    expect(result).toBe('pass');
    expect(seen.chains[0]?.certificates[0]).toMatchObject({ keyType: 'EC', keyBits: 256, curve: 'prime256v1' });
    expect(seen.chains[0]?.seenWith).toEqual(['TLSv1.2', 'TLSv1.3']);
  });

  it('flags a server that accepts TLS 1.0 and TLS 1.1', () => {
    const { verdicts, codes: found, facts: seen } = scanned('tls10-11-only');
    expect(found).toEqual(['PROTOCOL_BELOW_TLS12']);
    expect(verdicts.map((verdict) => verdict.fact.version)).toEqual(['TLSv1.0', 'TLSv1.1']);
    const tls12 = seen.versions.find((version) => version.version === 'TLSv1.2');
    expect(tls12?.support).toEqual({ status: 'refused', reason: 'server negotiated TLSv1.1 instead' });
  });

  it('flags a TLS 1.2 server with RSA key exchange, naming each suite', () => {
    const { verdicts, codes: found } = scanned('tls12-rsa-kx');
    expect(found).toEqual(['TLS12_SUITE_WITHOUT_ECDHE']);
    expect(verdicts.map((verdict) => verdict.fact.suite?.name).sort()).toEqual([
      'TLS_RSA_WITH_AES_128_GCM_SHA256',
      'TLS_RSA_WITH_AES_256_CBC_SHA256',
    ]);
  });

  it('flags a TLS 1.2 server with DHE key exchange and records the DH size', () => {
    const { codes: found, facts: seen } = scanned('tls12-dhe');
    expect(found).toEqual(['TLS12_SUITE_WITHOUT_ECDHE']);
    const suites = seen.versions.find((version) => version.version === 'TLSv1.2')?.suites ?? [];
    expect(suites.map((suite) => suite.groupBits)).toEqual([2048, 2048]);
  });

  it('flags a certificate with a 1024-bit RSA key', () => {
    const { verdicts, codes: found } = scanned('rsa-1024');
    expect(found).toEqual(['WEAK_RSA_KEY']);
    expect(verdicts[0]?.fact).toMatchObject({ certificate: { position: 0 }, detail: '1024-bit RSA' });
  });

  it('flags a self-signed certificate as untrusted, with the reason', () => {
    const { verdicts, codes: found } = scanned('self-signed');
    expect(found).toEqual(['CERT_UNTRUSTED']);
    expect(verdicts[0]?.fact.detail).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('flags an expired certificate', () => {
    const { verdicts, codes: found } = scanned('expired');
    expect(found).toEqual(['CERT_EXPIRED']);
    expect(verdicts[0]?.fact.detail).toBe('notAfter 2021-01-01T00:00:00.000Z');
  });

  it('flags a certificate that is not valid yet', () => {
    expect(scanned('not-yet-valid').codes).toEqual(['CERT_NOT_YET_VALID']);
  });

  it('flags a SHA-1-signed certificate', () => {
    const { verdicts, codes: found } = scanned('sha1-signed');
    expect(found).toEqual(['WEAK_CERT_SIGNATURE']);
    expect(verdicts[0]?.fact.detail).toBe('sha1WithRSAEncryption');
  });

  it('flags the one legacy suite of a server that otherwise offers ECDHE suites', () => {
    const { verdicts, codes: found } = scanned('ecdhe-plus-legacy');
    expect(found).toEqual(['LEGACY_CIPHER']);
    expect(verdicts.map((verdict) => `${verdict.fact.version} ${verdict.fact.suite?.name}`)).toEqual([
      'TLSv1.2 TLS_ECDHE_RSA_WITH_NULL_SHA',
    ]);
  });

  it('flags a server that accepts SSL 3.0 with RC4 and 3DES, and trusts its chain by path building', () => {
    const { verdicts, codes: found, facts: seen } = scanned('scripted-sslv3');
    expect(found).toEqual(['LEGACY_CIPHER', 'PROTOCOL_BELOW_TLS12']);
    expect(
      verdicts.filter((verdict) => verdict.code === 'LEGACY_CIPHER').map((verdict) => verdict.fact.detail),
    ).toEqual(['RC4', '3DES']);
    expect(seen.chains[0]?.trust).toEqual({ status: 'trusted', store: 'ca-bundle', method: 'path-building' });
    expect(seen.chains[0]?.seenWith).toEqual(['SSLv3']);
  });

  it('has the scripted SSL 3.0 server read a ClientHello that arrives in pieces, as sslscan sends it', async () => {
    const server = bed.server('scripted-sslv3');
    const hello = encodeClientHello({ version: 'SSLv3', cipherSuites: [0x000a] });
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect({ host: server.host, port: server.port }, () => {
        socket.setNoDelay(true);
        // The record header alone, then the rest once it has surely left as its own segment.
        socket.write(hello.subarray(0, 5));
        setTimeout(() => socket.write(hello.subarray(5)), 50);
      });
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
    });
    // A handshake record of SSL 3.0 whose first message is a ServerHello choosing 3DES.
    expect([...reply.subarray(0, 3)]).toEqual([22, 3, 0]);
    expect(reply[5]).toBe(2);
    expect(reply.readUInt16BE(5 + 4 + 2 + 32 + 1)).toBe(0x000a);
  });

  it.skipIf(!gnutlsReady)(`flags RC4 and 3DES on the legacy GnuTLS server [${gnutlsReason}]`, () => {
    const { verdicts, codes: found, facts: seen } = scanned('gnutls-legacy');
    expect(seen.complete).toBe(true);
    expect(found).toEqual(['LEGACY_CIPHER', 'PROTOCOL_BELOW_TLS12', 'TLS12_SUITE_WITHOUT_ECDHE']);
    const legacy = verdicts.filter((verdict) => verdict.code === 'LEGACY_CIPHER' && verdict.fact.version === 'TLSv1.2');
    expect(legacy.map((verdict) => verdict.fact.suite?.name).sort()).toEqual([
      'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA',
      'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
      'TLS_ECDHE_RSA_WITH_RC4_128_SHA',
      'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
      'TLS_RSA_WITH_RC4_128_SHA',
    ]);
  });

  it('flags a certificate that does not match the name asked for', async () => {
    const server = bed.server('tls12-ecdhe-only');
    const seen = await scanTlsEndpoint({
      host: server.host,
      port: server.port,
      sni: 'www.example.com',
      caPem: bed.caPem,
    });
    const { verdicts } = judgeTlsEndpoint(seen, now());
    expect(codes(verdicts)).toEqual(['HOSTNAME_MISMATCH']);
    expect(verdicts[0]?.fact.detail).toMatch(/www\.example\.com/);
  });

  it('does not trust the test bed CA when checking against the root store', async () => {
    const server = bed.server('tls12-ecdhe-only');
    const seen = await scanTlsEndpoint({ host: server.host, port: server.port, sni: server.sni });
    const { verdicts } = judgeTlsEndpoint(seen, now());
    expect(codes(verdicts)).toEqual(['CERT_UNTRUSTED']);
    expect(seen.chains[0]?.trust).toMatchObject({ status: 'untrusted', store: 'node-root-store' });
  });

  it('scans one endpoint in under a second on loopback', async () => {
    const server = bed.server('tls12-ecdhe-only');
    const started = performance.now();
    const seen = await scanTlsEndpoint({ host: server.host, port: server.port, sni: server.sni, caPem: bed.caPem });
    expect(seen.complete).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('TLS endpoint scan that cannot complete', () => {
  it('returns an error, never a pass, for a closed port', async () => {
    const server = net.createServer();
    const port = await new Promise<number>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    await new Promise((resolve) => server.close(resolve));
    const facts = await scanTlsEndpoint({ host: '127.0.0.1', port, timeoutMs: 1_000 });
    expect(facts.complete).toBe(false);
    expect(facts.errors).toEqual(['cannot connect: ECONNREFUSED']);
    expect(facts.versions.every((version) => version.support.status === 'not-testable')).toBe(true);
    expect(judgeTlsEndpoint(facts, new Date())).toMatchObject({
      result: 'error',
      verdicts: [{ code: 'SCAN_INCOMPLETE' }],
    });
  });

  it('does not hang on a server that accepts connections and never answers', async () => {
    const held: net.Socket[] = [];
    const server = net.createServer((socket) => held.push(socket));
    const port = await new Promise<number>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    try {
      const started = Date.now();
      const facts = await scanTlsEndpoint({ host: '127.0.0.1', port, timeoutMs: 400 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(facts.complete).toBe(false);
      expect(facts.errors.some((error) => /timeout/.test(error))).toBe(true);
      expect(judgeTlsEndpoint(facts, new Date()).result).toBe('error');
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('returns an error for a plaintext (non-TLS) service', async () => {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    });
    const port = await new Promise<number>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    try {
      const facts = await scanTlsEndpoint({ host: '127.0.0.1', port, timeoutMs: 1_000 });
      expect(judgeTlsEndpoint(facts, new Date()).result).toBe('error');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
