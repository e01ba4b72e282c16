/**
 * Reads a server's first flight (RFC 5246 §7.4 / RFC 6101 §5.6) from bytes as they arrive: ServerHello, Certificate,
 * ServerKeyExchange and ServerHelloDone, or an alert. Only plaintext records are read: the raw prober never goes past
 * the first flight, so nothing here needs keys.
 */
import { alertName, NAMED_GROUPS } from './tls-registry.ts';

const RECORD_HEADER = 5;
const MAX_RECORD = 16_384 + 2_048;
const CONTENT_ALERT = 21;
const CONTENT_HANDSHAKE = 22;

const HS_SERVER_HELLO = 2;
const HS_CERTIFICATE = 11;
const HS_SERVER_KEY_EXCHANGE = 12;
const HS_SERVER_HELLO_DONE = 14;

const EXT_SUPPORTED_VERSIONS = 43;
const EXT_KEY_SHARE = 51;
const TLS13_VERSION = 0x0304;

/** RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest. */
export const HELLO_RETRY_REQUEST_RANDOM = Buffer.from(
  'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c',
  'hex',
);

export interface ServerHelloFacts {
  /** legacy_version field; for TLS 1.3 the real one is in selectedVersion. */
  version: number;
  selectedVersion?: number;
  random: Buffer;
  sessionId: Buffer;
  cipherSuite: number;
  compression: number;
  extensions: Map<number, Buffer>;
  /** TLS 1.3 key_share: the group of the server's share, or the group a HelloRetryRequest asks for. */
  keyShareGroup?: number;
  /** True for a TLS 1.3 HelloRetryRequest (RFC 8446 §4.1.4). */
  helloRetryRequest: boolean;
}

export interface ServerKeyExchangeFacts {
  group?: string;
  groupBits?: number;
}

export interface AlertFacts {
  level: number;
  description: number;
  name: string;
}

export interface ServerFlight {
  serverHello?: ServerHelloFacts;
  certificates: Buffer[];
  serverKeyExchangeBody?: Buffer;
  serverHelloDone: boolean;
  alert?: AlertFacts;
  /** Set when the bytes are not a TLS server flight (SSLv2 answer, HTTP, garbage) or break the format. */
  protocolError?: string;
}

/** Incremental reader: push chunks, ask whether the flight is over. */
export class ServerFlightReader {
  readonly flight: ServerFlight = { certificates: [], serverHelloDone: false };
  private pending: Buffer = Buffer.alloc(0);
  private handshake: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    if (this.finished()) return;
    this.pending = Buffer.concat([this.pending, chunk]);
    while (!this.finished() && this.pending.length >= RECORD_HEADER) {
      const type = this.pending.readUInt8(0);
      const major = this.pending.readUInt8(1);
      const length = this.pending.readUInt16BE(3);
      if ((type !== CONTENT_ALERT && type !== CONTENT_HANDSHAKE && type !== 20 && type !== 23) || major !== 3) {
        this.flight.protocolError = describeForeignBytes(this.pending);
        return;
      }
      if (length > MAX_RECORD) {
        this.flight.protocolError = `record too long (${length} bytes)`;
        return;
      }
      if (this.pending.length < RECORD_HEADER + length) return;
      const body = this.pending.subarray(RECORD_HEADER, RECORD_HEADER + length);
      this.pending = this.pending.subarray(RECORD_HEADER + length);
      if (type === CONTENT_ALERT) {
        this.readAlert(body);
      } else if (type === CONTENT_HANDSHAKE) {
        this.handshake = Buffer.concat([this.handshake, body]);
        this.readHandshakeMessages();
      } else {
        // ChangeCipherSpec or encrypted data: the plaintext part of the flight is over (TLS 1.3, resumption).
        this.flight.serverHelloDone = this.flight.serverHello !== undefined;
        if (!this.flight.serverHello) this.flight.protocolError = `unexpected record type ${type} before ServerHello`;
      }
    }
  }

  /**
   * True once nothing more is worth reading: an alert, ServerHelloDone, a protocol error, or a TLS 1.3 ServerHello
   * (or HelloRetryRequest), after which everything is encrypted or waits for a second ClientHello.
   */
  finished(): boolean {
    return (
      this.flight.alert !== undefined ||
      this.flight.serverHelloDone ||
      this.flight.protocolError !== undefined ||
      this.flight.serverHello?.selectedVersion === TLS13_VERSION
    );
  }

  private readAlert(body: Buffer): void {
    if (body.length < 2) {
      this.flight.protocolError = 'truncated alert';
      return;
    }
    const level = body.readUInt8(0);
    const description = body.readUInt8(1);
    this.flight.alert = { level, description, name: alertName(description) };
  }

  private readHandshakeMessages(): void {
    while (this.handshake.length >= 4 && !this.finished()) {
      const type = this.handshake.readUInt8(0);
      const length = this.handshake.readUIntBE(1, 3);
      if (this.handshake.length < 4 + length) return;
      const body = this.handshake.subarray(4, 4 + length);
      this.handshake = this.handshake.subarray(4 + length);
      try {
        this.readHandshake(type, body);
      } catch (error) {
        this.flight.protocolError = `malformed handshake message ${type}: ${(error as Error).message}`;
      }
    }
  }

  private readHandshake(type: number, body: Buffer): void {
    switch (type) {
      case HS_SERVER_HELLO:
        this.flight.serverHello = parseServerHello(body);
        break;
      case HS_CERTIFICATE:
        this.flight.certificates = parseCertificateList(body);
        break;
      case HS_SERVER_KEY_EXCHANGE:
        this.flight.serverKeyExchangeBody = Buffer.from(body);
        break;
      case HS_SERVER_HELLO_DONE:
        this.flight.serverHelloDone = true;
        break;
      default:
        // CertificateRequest, CertificateStatus, NewSessionTicket...: not needed for the facts.
        break;
    }
  }
}

class Cursor {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}

  u8(): number {
    this.need(1);
    const value = this.buffer.readUInt8(this.offset);
    this.offset += 1;
    return value;
  }

  u16(): number {
    this.need(2);
    const value = this.buffer.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  u24(): number {
    this.need(3);
    const value = this.buffer.readUIntBE(this.offset, 3);
    this.offset += 3;
    return value;
  }

  bytes(length: number): Buffer {
    this.need(length);
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  remaining(): number {
    return this.buffer.length - this.offset;
  }

  private need(length: number): void {
    if (this.offset + length > this.buffer.length) {
      throw new Error(`needs ${length} more bytes at offset ${this.offset} of ${this.buffer.length}`);
    }
  }
}

export function parseServerHello(body: Buffer): ServerHelloFacts {
  const cursor = new Cursor(body);
  const version = cursor.u16();
  const random = Buffer.from(cursor.bytes(32));
  const sessionId = Buffer.from(cursor.bytes(cursor.u8()));
  const cipherSuite = cursor.u16();
  const compression = cursor.u8();
  const extensions = new Map<number, Buffer>();
  // SSL 3.0 and some TLS servers send no extensions block at all.
  if (cursor.remaining() >= 2) {
    const extensionsCursor = new Cursor(cursor.bytes(cursor.u16()));
    while (extensionsCursor.remaining() > 0) {
      const type = extensionsCursor.u16();
      extensions.set(type, Buffer.from(extensionsCursor.bytes(extensionsCursor.u16())));
    }
  }
  const hello: ServerHelloFacts = {
    version,
    random,
    sessionId,
    cipherSuite,
    compression,
    extensions,
    helloRetryRequest: random.equals(HELLO_RETRY_REQUEST_RANDOM),
  };
  const supported = extensions.get(EXT_SUPPORTED_VERSIONS);
  if (supported && supported.length === 2) hello.selectedVersion = supported.readUInt16BE(0);
  const keyShare = extensions.get(EXT_KEY_SHARE);
  if (keyShare && keyShare.length >= 2) hello.keyShareGroup = keyShare.readUInt16BE(0);
  return hello;
}

export function parseCertificateList(body: Buffer): Buffer[] {
  const cursor = new Cursor(body);
  const list = new Cursor(cursor.bytes(cursor.u24()));
  const certificates: Buffer[] = [];
  while (list.remaining() > 0) {
    certificates.push(Buffer.from(list.bytes(list.u24())));
  }
  return certificates;
}

function bitLength(bigEndian: Buffer): number {
  let index = 0;
  while (index < bigEndian.length && bigEndian[index] === 0) index += 1;
  const first = bigEndian[index];
  if (first === undefined) return 0;
  return (bigEndian.length - index - 1) * 8 + (32 - Math.clz32(first));
}

/**
 * The group the server chose, read from ServerKeyExchange: a named curve for ECDHE (RFC 8422 §5.4), the prime size
 * for DHE (RFC 5246 §7.4.3), the temporary RSA modulus for RSA_EXPORT.
 */
export function parseServerKeyExchange(
  body: Buffer,
  keyExchange: 'ECDHE' | 'DHE' | 'RSA_EXPORT',
): ServerKeyExchangeFacts {
  const cursor = new Cursor(body);
  if (keyExchange === 'ECDHE') {
    const curveType = cursor.u8();
    if (curveType !== 3) return { group: curveType === 1 ? 'explicit-prime' : 'explicit-char2' };
    const code = cursor.u16();
    const named = NAMED_GROUPS.get(code);
    return named ? { group: named.name, groupBits: named.bits } : { group: `group-${code}` };
  }
  if (keyExchange === 'DHE') {
    const prime = cursor.bytes(cursor.u16());
    const bits = bitLength(prime);
    const ffdhe = [...NAMED_GROUPS.values()].find((group) => group.kind === 'ff' && group.bits === bits);
    // Only the size is known for sure; whether the prime is the RFC 7919 one does not change the strength.
    return { group: ffdhe && isFfdhePrime(prime) ? ffdhe.name : `dh-${bits}`, groupBits: bits };
  }
  const modulus = cursor.bytes(cursor.u16());
  return { group: `rsa-${bitLength(modulus)}`, groupBits: bitLength(modulus) };
}

// RFC 7919 primes all start with 64 one bits followed by the bits of e (0xADF85458A2BB4A9A...).
function isFfdhePrime(prime: Buffer): boolean {
  const start = prime.subarray(0, 16).toString('hex');
  return start === 'ffffffffffffffffadf85458a2bb4a9a';
}

function describeForeignBytes(bytes: Buffer): string {
  const first = bytes[0] ?? 0;
  if ((first & 0x80) !== 0 && bytes[2] === 4) return 'server answered with an SSL 2.0 ServerHello';
  const text = bytes.subarray(0, 8).toString('latin1');
  if (/^HTTP\/|^<|^SSH-|^220 /.test(text)) return `server answered in plaintext (${JSON.stringify(text)})`;
  return `not a TLS record (first bytes ${bytes.subarray(0, 5).toString('hex')})`;
}
