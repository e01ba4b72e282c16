/**
 * TLS 1.3 group enumeration (Directions A35.1: key exchange strength). A server's TLS 1.3 key exchange is fixed by
 * the group it accepts, and a full handshake shows only the one it prefers; the scanner offers one group at a time
 * and reads the HelloRetryRequest (accepted) or the alert (refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeTls13GroupHello,
  enumerateTls13Groups,
  type HelloOutcome,
  judgeGroupProbe,
  TLS13_GROUP_CANDIDATES,
} from './raw-client-hello.ts';
import { HELLO_RETRY_REQUEST_RANDOM, parseServerHello, ServerFlightReader } from './server-flight-parser.ts';
import type { TlsFacts } from './tls-facts.ts';
import { judgeTls, judgeTlsEndpoint } from './tls-policy.ts';
import { scanTlsEndpoint } from './tls-scanner.ts';
import { startTlsTestBed, type TestBed, tlsToolsRequired, toolAvailability } from './tls-test-bed.ts';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

function extensionsOf(record: Buffer): Map<number, Buffer> {
  let offset = 5 + 4 + 2 + 32;
  offset += 1 + (record[offset] ?? 0);
  offset += 2 + record.readUInt16BE(offset);
  offset += 1 + (record[offset] ?? 0);
  const extensions = new Map<number, Buffer>();
  const end = offset + 2 + record.readUInt16BE(offset);
  offset += 2;
  while (offset < end) {
    const type = record.readUInt16BE(offset);
    const length = record.readUInt16BE(offset + 2);
    extensions.set(type, record.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return extensions;
}

/** A HelloRetryRequest (or a real ServerHello) for TLS 1.3 naming `group` in key_share. */
function tls13ServerHello(group: number, retry: boolean): HelloOutcome {
  const random = retry ? HELLO_RETRY_REQUEST_RANDOM.toString('hex') : '44'.repeat(32);
  const keyShare = retry
    ? `0033 0002 ${group.toString(16).padStart(4, '0')}`
    : `0033 0008 ${group.toString(16).padStart(4, '0')} 0004 01020304`;
  const body = hex(`0303 ${random} 00 1301 00 ${retry ? '000c' : '0012'} 002b 0002 0304 ${keyShare}`);
  const hello = parseServerHello(body);
  return { kind: 'server-hello', hello, flight: { serverHello: hello, certificates: [], serverHelloDone: false } };
}

describe('the single-group TLS 1.3 ClientHello', () => {
  it('offers TLS 1.3 only, exactly one group, no key share, and the TLS 1.3 suites', () => {
    const hello = encodeTls13GroupHello({ group: 0x0100, sni: 'trade.example.com.tw', random: Buffer.alloc(32, 1) });
    expect(hello.subarray(0, 3)).toEqual(hex('16 0301'));
    expect(hello.readUInt16BE(3)).toBe(hello.length - 5);
    expect(hello.subarray(9, 11)).toEqual(hex('0303'));
    // 32-byte legacy session id (middlebox compatibility), then the five TLS 1.3 suites.
    expect(hello[43]).toBe(32);
    expect(hello.subarray(76, 88)).toEqual(hex('000a 1301 1302 1303 1304 1305'));
    const extensions = extensionsOf(hello);
    expect(extensions.get(43)).toEqual(hex('02 0304'));
    expect(extensions.get(10)).toEqual(hex('0002 0100'));
    expect(extensions.get(51)).toEqual(hex('0000'));
    expect(extensions.get(13)?.subarray(2, 6)).toEqual(hex('0403 0503'));
    expect(extensions.get(0)?.subarray(5).toString()).toBe('trade.example.com.tw');
  });

  it('probes the ten groups TLS 1.3 defines', () => {
    expect(TLS13_GROUP_CANDIDATES).toEqual([29, 23, 24, 25, 30, 256, 257, 258, 259, 260]);
  });
});

describe('reading the answer to a single-group hello', () => {
  it('counts a HelloRetryRequest for the offered group as accepted, and stops reading there', () => {
    const outcome = tls13ServerHello(29, true);
    expect(outcome.kind === 'server-hello' && outcome.hello.helloRetryRequest).toBe(true);
    expect(judgeGroupProbe(29, outcome)).toEqual({ status: 'accepted', via: 'hello-retry-request' });
    expect(judgeGroupProbe(29, tls13ServerHello(29, false))).toEqual({ status: 'accepted', via: 'server-hello' });
    const reader = new ServerFlightReader();
    const body = hex(
      `0303 ${HELLO_RETRY_REQUEST_RANDOM.toString('hex')} 00 1301 00 000c 002b 0002 0304 0033 0002 001d`,
    );
    reader.push(
      Buffer.concat([
        hex(
          `16 0303 ${(body.length + 4).toString(16).padStart(4, '0')} 02 ${body.length.toString(16).padStart(6, '0')}`,
        ),
        body,
      ]),
    );
    expect(reader.finished()).toBe(true);
  });

  it('counts an alert or a closed connection as refused, and a group not offered as a failed probe', () => {
    expect(
      judgeGroupProbe(256, { kind: 'alert', alert: { level: 2, description: 40, name: 'handshake_failure' } }),
    ).toEqual({ status: 'refused', reason: 'alert handshake_failure' });
    expect(judgeGroupProbe(256, { kind: 'closed', detail: 'connection closed without an answer' })).toMatchObject({
      status: 'refused',
    });
    expect(judgeGroupProbe(24, tls13ServerHello(29, true))).toEqual({
      status: 'failed',
      detail: 'server chose group 29, which was not offered',
    });
    expect(judgeGroupProbe(24, { kind: 'failed', detail: 'timeout after 5000 ms (no answer)' })).toEqual({
      status: 'failed',
      detail: 'timeout after 5000 ms (no answer)',
    });
  });
});

describe('judging TLS 1.3 groups', () => {
  const base: TlsFacts = {
    host: 'trade.example.com.tw',
    port: 443,
    scannedAt: '2026-06-01T00:00:00.000Z',
    durationMs: 1,
    versions: [
      {
        version: 'TLSv1.3',
        support: { status: 'accepted' },
        suites: [],
        suitesComplete: true,
        groups: [
          { name: 'x25519', code: 29, kind: 'ec', bits: 256 },
          { name: 'ffdhe2048', code: 256, kind: 'ff', bits: 2048 },
        ],
        groupsComplete: true,
      },
    ],
    chains: [],
    complete: true,
    errors: [],
  };
  const withGroups = (groups: NonNullable<TlsFacts['versions'][number]['groups']>): TlsFacts => ({
    ...base,
    versions: base.versions.map((v) => ({ ...v, groups })),
  });

  it('records ffdhe2048 and larger without a verdict, as today', () => {
    expect(judgeTls(base, new Date('2026-06-01T00:00:00Z'))).toEqual([]);
  });

  it('flags a finite-field group below 2048 bits and an EC group below 256 bits (A35.1)', () => {
    const verdicts = judgeTls(
      withGroups([
        { name: 'dh-1536', code: 0x01ff, kind: 'ff', bits: 1536 },
        { name: 'secp224r1', code: 21, kind: 'ec', bits: 224 },
      ]),
      new Date('2026-06-01T00:00:00Z'),
    );
    expect(verdicts.map((v) => [v.code, v.fact.group, v.article])).toEqual([
      ['WEAK_DH_GROUP', 'dh-1536', 'A35.1'],
      ['WEAK_EC_KEY', 'secp224r1', 'A35.1'],
    ]);
  });
});

const openssl = toolAvailability('openssl');
if (!openssl.available && tlsToolsRequired()) {
  it('requires openssl for the TLS 1.3 group test bed (NTG_REQUIRE_TLS_TOOLS=1)', () => {
    throw new Error(openssl.reason);
  });
}

describe.skipIf(!openssl.available)('TLS 1.3 groups of openssl s_server', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await startTlsTestBed({ only: ['tls13-groups', 'tls13-only', 'tls12-ecdhe-only'] });
  });
  afterAll(async () => {
    await bed?.stop();
  });
  const scan = (name: 'tls13-groups' | 'tls13-only' | 'tls12-ecdhe-only') => {
    const server = bed.server(name);
    return scanTlsEndpoint({ host: server.host, port: server.port, sni: server.sni, caPem: bed.caPem, concurrency: 4 });
  };

  it('finds exactly the groups given with -groups, finite-field included, and passes the endpoint', async () => {
    const facts = await scan('tls13-groups');
    const tls13 = facts.versions.find((v) => v.version === 'TLSv1.3');
    expect(tls13?.groups).toEqual([
      { name: 'x25519', code: 29, kind: 'ec', bits: 256 },
      { name: 'secp384r1', code: 24, kind: 'ec', bits: 384 },
      { name: 'ffdhe3072', code: 257, kind: 'ff', bits: 3072 },
    ]);
    expect(tls13?.groupsComplete).toBe(true);
    expect(facts.complete).toBe(true);
    expect(judgeTlsEndpoint(facts, new Date()).result).toBe('pass');
  });

  it('finds every group OpenSSL accepts by default, where a full handshake shows only x25519', async () => {
    const facts = await scan('tls13-only');
    const tls13 = facts.versions.find((v) => v.version === 'TLSv1.3');
    expect(tls13?.suites[0]?.group).toBe('x25519');
    expect(tls13?.groups?.map((g) => g.name)).toEqual([
      'x25519',
      'secp256r1',
      'secp384r1',
      'secp521r1',
      'x448',
      'ffdhe2048',
      'ffdhe3072',
      'ffdhe4096',
      'ffdhe6144',
      'ffdhe8192',
    ]);
    expect(judgeTlsEndpoint(facts, new Date()).result).toBe('pass');
  });

  it('probes no groups where TLS 1.3 is refused', async () => {
    const facts = await scan('tls12-ecdhe-only');
    const tls13 = facts.versions.find((v) => v.version === 'TLSv1.3');
    expect(tls13?.support.status).toBe('refused');
    expect(tls13?.groups).toBeUndefined();
  });

  it('offers groups one by one against a live server: a refused group is refused by alert', async () => {
    const server = bed.server('tls13-groups');
    const result = await enumerateTls13Groups(
      { host: server.host, port: server.port, sni: server.sni, timeoutMs: 5000 },
      [23, 29],
    );
    expect(result).toEqual({ accepted: [29], complete: true, errors: [] });
  });
});
