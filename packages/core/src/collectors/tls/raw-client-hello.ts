/**
 * Hand-built ClientHello (RFC 6101 §5.6.1.2, RFC 5246 §7.4.1.2) for SSL 3.0 to TLS 1.2, sent over a plain TCP socket.
 * Node's OpenSSL can no longer offer SSL 3.0, RC4, DES/3DES, NULL or EXPORT suites, yet Directions A35.1 is about
 * exactly whether a server still accepts them, so the scanner speaks the first flight itself: it offers a version and
 * a list of suites, reads the ServerHello (and Certificate, ServerKeyExchange) or the alert, and hangs up without
 * finishing the handshake.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { cipherSuiteInfo, TLS_EMPTY_RENEGOTIATION_INFO_SCSV } from './cipher-suites.ts';
import {
  type AlertFacts,
  parseServerKeyExchange,
  type ServerFlight,
  ServerFlightReader,
  type ServerHelloFacts,
  type ServerKeyExchangeFacts,
} from './server-flight-parser.ts';
import type { ProtocolSupport } from './tls-facts.ts';
import {
  describeProtocolCode,
  NAMED_GROUPS,
  OFFERED_EC_GROUPS,
  OFFERED_SIGNATURE_SCHEMES,
  PROTOCOL_VERSION_CODES,
} from './tls-registry.ts';

export type RawProtocolVersion = 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2';

export interface ClientHelloOptions {
  version: RawProtocolVersion;
  cipherSuites: readonly number[];
  /** Host name for the server_name extension (RFC 6066 §3); never an IP address. */
  sni?: string;
  /** 32 bytes; fixed only by tests, random otherwise. */
  random?: Uint8Array;
  sessionId?: Uint8Array;
}

const EXT_SERVER_NAME = 0;
const EXT_SUPPORTED_GROUPS = 10;
const EXT_EC_POINT_FORMATS = 11;
const EXT_SIGNATURE_ALGORITHMS = 13;
const EXT_PADDING = 21;

function u8(value: number): Buffer {
  return Buffer.from([value & 0xff]);
}

function u16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

function u24(value: number): Buffer {
  const buffer = Buffer.alloc(3);
  buffer.writeUIntBE(value, 0, 3);
  return buffer;
}

function withU8Length(body: Buffer): Buffer {
  return Buffer.concat([u8(body.length), body]);
}

function withU16Length(body: Buffer): Buffer {
  return Buffer.concat([u16(body.length), body]);
}

function u16List(values: readonly number[]): Buffer {
  return Buffer.concat(values.map(u16));
}

function extension(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), withU16Length(body)]);
}

function helloExtensions(options: ClientHelloOptions): Buffer[] {
  const extensions: Buffer[] = [];
  if (options.sni !== undefined && options.sni !== '' && net.isIP(options.sni) === 0) {
    const name = Buffer.from(options.sni, 'ascii');
    extensions.push(extension(EXT_SERVER_NAME, withU16Length(Buffer.concat([u8(0), withU16Length(name)]))));
  }
  // RFC 8422 §5.1: without these an ECDHE-capable server may refuse every ECDHE suite.
  extensions.push(extension(EXT_SUPPORTED_GROUPS, withU16Length(u16List(OFFERED_EC_GROUPS))));
  extensions.push(extension(EXT_EC_POINT_FORMATS, withU8Length(u8(0))));
  // RFC 5246 §7.4.1.4.1: only a TLS 1.2 ClientHello may carry signature_algorithms.
  if (options.version === 'TLSv1.2') {
    extensions.push(extension(EXT_SIGNATURE_ALGORITHMS, withU16Length(u16List(OFFERED_SIGNATURE_SCHEMES))));
  }
  return extensions;
}

/** The hello body: `head` and the extensions block, padded by RFC 7685 when it would be 256 to 511 bytes long. */
function withPaddedExtensions(head: Buffer, extensions: Buffer[]): Buffer {
  const unpadded = Buffer.concat([head, u16(0), ...extensions]);
  // RFC 7685: some load balancers drop hellos of 256 to 511 bytes; pad those up to 512.
  const handshakeLength = 4 + unpadded.length;
  if (handshakeLength >= 256 && handshakeLength < 512) {
    const padding = Math.max(0, 512 - handshakeLength - 4);
    extensions.push(extension(EXT_PADDING, Buffer.alloc(padding)));
  }
  return Buffer.concat([head, withU16Length(Buffer.concat(extensions))]);
}

/** The ClientHello as one plaintext handshake record, ready to write to the socket. */
export function encodeClientHello(options: ClientHelloOptions): Buffer {
  const random = options.random ? Buffer.from(options.random) : randomBytes(32);
  if (random.length !== 32) throw new Error('ClientHello random must be 32 bytes');
  const sessionId = Buffer.from(options.sessionId ?? []);
  if (sessionId.length > 32) throw new Error('ClientHello session id is at most 32 bytes');
  if (options.cipherSuites.length === 0) throw new Error('ClientHello needs at least one cipher suite');
  const versionCode = PROTOCOL_VERSION_CODES[options.version];
  // The renegotiation SCSV (RFC 5746) makes the hello look like any modern client's; servers never select it.
  const suites = [...options.cipherSuites, TLS_EMPTY_RENEGOTIATION_INFO_SCSV];
  const head = Buffer.concat([
    u16(versionCode),
    random,
    withU8Length(sessionId),
    withU16Length(u16List(suites)),
    withU8Length(u8(0)), // compression: null only (CRIME)
  ]);
  let body: Buffer = head;
  // An SSL 3.0 hello carries no extensions: SSL 3.0 servers predate them and some reject the hello outright.
  if (options.version !== 'SSLv3') {
    body = withPaddedExtensions(head, helloExtensions(options));
  }
  const handshake = Buffer.concat([u8(1), u24(body.length), body]);
  // Record-layer version of the first record: 3.0 for an SSL 3.0 hello, else 3.1 as RFC 5246 appendix E.1 allows.
  const recordVersion = options.version === 'SSLv3' ? 0x0300 : 0x0301;
  return Buffer.concat([u8(22), u16(recordVersion), withU16Length(handshake)]);
}

export interface RawTarget {
  host: string;
  port: number;
  sni?: string;
  timeoutMs: number;
}

export type HelloOutcome =
  | { kind: 'server-hello'; hello: ServerHelloFacts; flight: ServerFlight }
  | { kind: 'alert'; alert: AlertFacts }
  | { kind: 'closed'; detail: string }
  | { kind: 'failed'; detail: string };

/** Sends one ClientHello and reads the server's first flight. Always settles within timeoutMs. */
export function sendClientHello(target: RawTarget, options: ClientHelloOptions): Promise<HelloOutcome> {
  return sendHelloRecord(target, encodeClientHello({ ...options, sni: options.sni ?? target.sni }));
}

/** Writes one encoded ClientHello record and reads the server's first flight. Always settles within timeoutMs. */
export function sendHelloRecord(target: RawTarget, hello: Buffer): Promise<HelloOutcome> {
  return new Promise((resolve) => {
    const reader = new ServerFlightReader();
    let connected = false;
    let settled = false;
    const socket = net.connect({ host: target.host, port: target.port });

    const settle = (outcome: HelloOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };

    const settleFromFlight = (ending: string): void => {
      const { flight } = reader;
      if (flight.serverHello) {
        settle({ kind: 'server-hello', hello: flight.serverHello, flight });
      } else if (flight.alert) {
        settle({ kind: 'alert', alert: flight.alert });
      } else if (flight.protocolError) {
        settle({ kind: 'failed', detail: flight.protocolError });
      } else {
        settle({ kind: 'closed', detail: ending });
      }
    };

    const timer = setTimeout(() => {
      if (reader.flight.serverHello) {
        settleFromFlight('timeout after ServerHello');
      } else {
        settle({
          kind: 'failed',
          detail: `timeout after ${target.timeoutMs} ms (${connected ? 'no answer' : 'connect'})`,
        });
      }
    }, target.timeoutMs);

    socket.setNoDelay(true);
    socket.on('connect', () => {
      connected = true;
      socket.write(hello);
    });
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      if (reader.finished()) settleFromFlight('flight complete');
    });
    socket.on('end', () => settleFromFlight('connection closed without an answer'));
    socket.on('close', () => settleFromFlight('connection closed without an answer'));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected) {
        settle({ kind: 'failed', detail: `cannot connect: ${error.code ?? error.message}` });
      } else {
        settleFromFlight(`connection ${error.code === 'ECONNRESET' ? 'reset' : (error.code ?? error.message)}`);
      }
    });
  });
}

export interface AcceptedSuiteObservation {
  code: number;
  keyExchange?: ServerKeyExchangeFacts;
  certificates: Buffer[];
}

export interface SuiteEnumeration {
  version: RawProtocolVersion;
  support: ProtocolSupport;
  accepted: AcceptedSuiteObservation[];
  complete: boolean;
  errors: string[];
}

/** Runs one connection; the scanner passes a limiter so that probes of one endpoint stay bounded. */
export type ProbeRunner = <T>(task: () => Promise<T>) => Promise<T>;

const runDirectly: ProbeRunner = (task) => task();

function keyExchangeOf(code: number, flight: ServerFlight): ServerKeyExchangeFacts | undefined {
  const suite = cipherSuiteInfo(code);
  const body = flight.serverKeyExchangeBody;
  if (!suite || !body) return undefined;
  try {
    if (suite.keyExchange === 'ECDHE') return parseServerKeyExchange(body, 'ECDHE');
    if (suite.keyExchange === 'DHE') return parseServerKeyExchange(body, 'DHE');
    if (suite.keyExchange === 'RSA' && suite.export) return parseServerKeyExchange(body, 'RSA_EXPORT');
  } catch {
    return undefined;
  }
  return undefined;
}

function refusalReason(outcome: HelloOutcome): string {
  if (outcome.kind === 'alert') return `alert ${outcome.alert.name}`;
  if (outcome.kind === 'closed' || outcome.kind === 'failed') return outcome.detail;
  return 'server hello';
}

/**
 * Which suites the server accepts for one version, the way scanners find out: offer every candidate, note the one
 * the server picks, offer the rest again, until the server refuses. The first round also tells whether the version is
 * accepted at all.
 */
export async function enumerateVersionSuites(
  target: RawTarget,
  version: RawProtocolVersion,
  candidates: readonly number[],
  run: ProbeRunner = runDirectly,
): Promise<SuiteEnumeration> {
  const offeredVersion = PROTOCOL_VERSION_CODES[version];
  const remaining = [...candidates];
  const result: SuiteEnumeration = {
    version,
    support: { status: 'not-testable', reason: 'not probed' },
    accepted: [],
    complete: true,
    errors: [],
  };
  for (let round = 0; remaining.length > 0 && round <= candidates.length; round += 1) {
    const outcome = await run(() => sendClientHello(target, { version, cipherSuites: remaining }));
    if (outcome.kind === 'failed') {
      result.complete = false;
      result.errors.push(`${version}: ${outcome.detail}`);
      if (round === 0) result.support = { status: 'not-testable', reason: outcome.detail };
      return result;
    }
    if (outcome.kind !== 'server-hello') {
      if (round === 0) result.support = { status: 'refused', reason: refusalReason(outcome) };
      return result;
    }
    const negotiated = outcome.hello.selectedVersion ?? outcome.hello.version;
    if (negotiated !== offeredVersion) {
      if (negotiated > offeredVersion) {
        result.complete = false;
        result.errors.push(`${version}: server answered with higher version ${describeProtocolCode(negotiated)}`);
        if (round === 0) result.support = { status: 'not-testable', reason: 'server answered with a higher version' };
      } else if (round === 0) {
        result.support = { status: 'refused', reason: `server negotiated ${describeProtocolCode(negotiated)} instead` };
      }
      return result;
    }
    const chosen = outcome.hello.cipherSuite;
    const index = remaining.indexOf(chosen);
    if (index < 0) {
      result.complete = false;
      result.errors.push(
        `${version}: server chose suite 0x${chosen.toString(16).padStart(4, '0')} that was not offered`,
      );
      if (round === 0) result.support = { status: 'accepted' };
      return result;
    }
    if (round === 0) result.support = { status: 'accepted' };
    remaining.splice(index, 1);
    const observation: AcceptedSuiteObservation = { code: chosen, certificates: outcome.flight.certificates };
    const keyExchange = keyExchangeOf(chosen, outcome.flight);
    if (keyExchange) observation.keyExchange = keyExchange;
    result.accepted.push(observation);
  }
  return result;
}

const EXT_SUPPORTED_VERSIONS = 43;
const EXT_KEY_SHARE = 51;
const TLS13_CODE = PROTOCOL_VERSION_CODES['TLSv1.3'];

/** RFC 8446 §9.1 and appendix B.4: every TLS 1.3 suite, so that a group is never refused for want of a suite. */
const TLS13_SUITE_CODES: readonly number[] = [0x1301, 0x1302, 0x1303, 0x1304, 0x1305];

/** RFC 8446 §4.2.3: the schemes a TLS 1.3 certificate may be signed and verified with (PKCS#1 for certificates). */
const TLS13_SIGNATURE_SCHEMES: readonly number[] = [
  0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601,
];

/**
 * The groups TLS 1.3 defines (RFC 8446 §4.2.7), offered one at a time to learn which the server accepts; the key
 * exchange of TLS 1.3 is fixed by the group, not by the suite.
 */
export const TLS13_GROUP_CANDIDATES: readonly number[] = [29, 23, 24, 25, 30, 256, 257, 258, 259, 260];

export interface Tls13GroupHelloOptions {
  group: number;
  sni?: string;
  /** 32 bytes; fixed only by tests, random otherwise. */
  random?: Uint8Array;
  /** 32 bytes: RFC 8446 appendix D.4 middlebox compatibility; random otherwise. */
  sessionId?: Uint8Array;
}

/**
 * A TLS 1.3 ClientHello that offers exactly one group in supported_groups and no key share (RFC 8446 §4.2.8 allows
 * an empty client_shares to ask the server to choose). A server that accepts the group answers with a
 * HelloRetryRequest naming it; one that does not, with handshake_failure. No key is generated or exchanged.
 */
export function encodeTls13GroupHello(options: Tls13GroupHelloOptions): Buffer {
  const random = options.random ? Buffer.from(options.random) : randomBytes(32);
  if (random.length !== 32) throw new Error('ClientHello random must be 32 bytes');
  const sessionId = options.sessionId ? Buffer.from(options.sessionId) : randomBytes(32);
  if (sessionId.length > 32) throw new Error('ClientHello session id is at most 32 bytes');
  const head = Buffer.concat([
    u16(PROTOCOL_VERSION_CODES['TLSv1.2']), // legacy_version (RFC 8446 §4.1.2)
    random,
    withU8Length(sessionId),
    withU16Length(u16List(TLS13_SUITE_CODES)),
    withU8Length(u8(0)),
  ]);
  const extensions: Buffer[] = [];
  if (options.sni !== undefined && options.sni !== '' && net.isIP(options.sni) === 0) {
    const name = Buffer.from(options.sni, 'ascii');
    extensions.push(extension(EXT_SERVER_NAME, withU16Length(Buffer.concat([u8(0), withU16Length(name)]))));
  }
  extensions.push(extension(EXT_SUPPORTED_VERSIONS, withU8Length(u16(TLS13_CODE))));
  extensions.push(extension(EXT_SUPPORTED_GROUPS, withU16Length(u16(options.group))));
  extensions.push(extension(EXT_SIGNATURE_ALGORITHMS, withU16Length(u16List(TLS13_SIGNATURE_SCHEMES))));
  extensions.push(extension(EXT_KEY_SHARE, withU16Length(Buffer.alloc(0))));
  const body = withPaddedExtensions(head, extensions);
  const handshake = Buffer.concat([u8(1), u24(body.length), body]);
  return Buffer.concat([u8(22), u16(0x0301), withU16Length(handshake)]);
}

export type GroupProbeOutcome =
  | { status: 'accepted'; via: 'hello-retry-request' | 'server-hello' }
  | { status: 'refused'; reason: string }
  | { status: 'failed'; detail: string };

/** What one single-group TLS 1.3 hello tells about that group. */
export function judgeGroupProbe(group: number, outcome: HelloOutcome): GroupProbeOutcome {
  if (outcome.kind === 'failed') return { status: 'failed', detail: outcome.detail };
  if (outcome.kind !== 'server-hello') return { status: 'refused', reason: refusalReason(outcome) };
  const { hello } = outcome;
  if (hello.selectedVersion !== TLS13_CODE) {
    return {
      status: 'refused',
      reason: `server negotiated ${describeProtocolCode(hello.selectedVersion ?? hello.version)} instead`,
    };
  }
  if (hello.keyShareGroup !== group) {
    const chosen = hello.keyShareGroup === undefined ? 'no group' : `group ${hello.keyShareGroup}`;
    return { status: 'failed', detail: `server chose ${chosen}, which was not offered` };
  }
  return { status: 'accepted', via: hello.helloRetryRequest ? 'hello-retry-request' : 'server-hello' };
}

export interface GroupEnumeration {
  /** Code points of the groups the server accepted, in the order offered. */
  accepted: number[];
  complete: boolean;
  errors: string[];
}

/** Offers each candidate group alone over TLS 1.3; the probes run concurrently under the scanner's bound. */
export async function enumerateTls13Groups(
  target: RawTarget,
  candidates: readonly number[] = TLS13_GROUP_CANDIDATES,
  run: ProbeRunner = runDirectly,
): Promise<GroupEnumeration> {
  const outcomes = await Promise.all(
    candidates.map(async (group) => {
      const hello = encodeTls13GroupHello({ group, ...(target.sni !== undefined ? { sni: target.sni } : {}) });
      return [group, judgeGroupProbe(group, await run(() => sendHelloRecord(target, hello)))] as const;
    }),
  );
  const result: GroupEnumeration = { accepted: [], complete: true, errors: [] };
  for (const [group, outcome] of outcomes) {
    if (outcome.status === 'accepted') result.accepted.push(group);
    if (outcome.status === 'failed') {
      result.complete = false;
      result.errors.push(`TLSv1.3 group ${NAMED_GROUPS.get(group)?.name ?? group}: ${outcome.detail}`);
    }
  }
  return result;
}
