import { describe, expect, it } from 'vitest';
import { parseServerHello, parseServerKeyExchange, ServerFlightReader } from './server-flight-parser.ts';

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

// A TLS 1.2 first flight: ServerHello (ECDHE-RSA-AES128-GCM-SHA256, renegotiation_info), Certificate with one
// 3-byte "certificate", ECDHE ServerKeyExchange on x25519, ServerHelloDone.
const HANDSHAKES = hex(`
  02 00002d 0303 ${'22'.repeat(32)} 00 c02f 00 0005 ff01 0001 00
  0b 000009 000006 000003 aabbcc
  0c 00002a 03 001d 20 ${'33'.repeat(32)} 0401 0002 beef
  0e 000000
`);

function records(handshakes: Buffer, splitAt: number): Buffer {
  const first = handshakes.subarray(0, splitAt);
  const second = handshakes.subarray(splitAt);
  const header = (length: number) => hex(`16 0303 ${length.toString(16).padStart(4, '0')}`);
  return Buffer.concat([header(first.length), first, header(second.length), second]);
}

describe('server first flight parsing', () => {
  it('reads ServerHello, Certificate, ServerKeyExchange and ServerHelloDone fed one byte at a time', () => {
    // The split puts the Certificate message across two records, as servers may.
    const bytes = records(HANDSHAKES, 55);
    const reader = new ServerFlightReader();
    for (const byte of bytes) reader.push(Buffer.from([byte]));
    const { flight } = reader;
    expect(reader.finished()).toBe(true);
    expect(flight.serverHello).toMatchObject({ version: 0x0303, cipherSuite: 0xc02f, compression: 0 });
    expect(flight.serverHello?.extensions.get(0xff01)).toEqual(hex('00'));
    expect(flight.certificates).toEqual([hex('aabbcc')]);
    expect(flight.serverHelloDone).toBe(true);
    expect(flight.serverKeyExchangeBody && parseServerKeyExchange(flight.serverKeyExchangeBody, 'ECDHE')).toEqual({
      group: 'x25519',
      groupBits: 256,
    });
  });

  it('reads a fatal handshake_failure alert', () => {
    const reader = new ServerFlightReader();
    reader.push(hex('15 0303 0002 02 28'));
    expect(reader.finished()).toBe(true);
    expect(reader.flight.alert).toEqual({ level: 2, description: 40, name: 'handshake_failure' });
    expect(reader.flight.serverHello).toBeUndefined();
  });

  it('reads a protocol_version alert sent with an SSL 3.0 record header', () => {
    const reader = new ServerFlightReader();
    reader.push(hex('15 0300 0002 02 46'));
    expect(reader.flight.alert?.name).toBe('protocol_version');
  });

  it('reads an SSL 3.0 ServerHello that has no extensions block', () => {
    const hello = parseServerHello(hex(`0300 ${'44'.repeat(32)} 00 000a 00`));
    expect(hello).toMatchObject({ version: 0x0300, cipherSuite: 0x000a, compression: 0 });
    expect(hello.extensions.size).toBe(0);
  });

  it('reads the TLS 1.3 version and key share group from ServerHello extensions', () => {
    const hello = parseServerHello(
      hex(`0303 ${'55'.repeat(32)} 00 1301 00 002e 002b 0002 0304 0033 0024 001d 0020 ${'66'.repeat(32)}`),
    );
    expect(hello.selectedVersion).toBe(0x0304);
    expect(hello.keyShareGroup).toBe(29);
    expect(hello.cipherSuite).toBe(0x1301);
  });

  it('names a DHE group by its prime: RFC 7919 ffdhe2048, or the bare size otherwise', () => {
    const ffdhe = Buffer.concat([hex('ffffffffffffffffadf85458a2bb4a9a'), Buffer.alloc(240, 0xab)]);
    const custom = Buffer.concat([hex('c3'), Buffer.alloc(127, 0x5a)]);
    const keyExchange = (prime: Buffer) =>
      Buffer.concat([hex(prime.length.toString(16).padStart(4, '0')), prime, hex('0001 02 0001 07')]);
    expect(parseServerKeyExchange(keyExchange(ffdhe), 'DHE')).toEqual({ group: 'ffdhe2048', groupBits: 2048 });
    expect(parseServerKeyExchange(keyExchange(custom), 'DHE')).toEqual({ group: 'dh-1024', groupBits: 1024 });
  });

  it('names a weak named curve with its size', () => {
    expect(parseServerKeyExchange(hex('03 0015 01 04'), 'ECDHE')).toEqual({ group: 'secp224r1', groupBits: 224 });
  });

  it('calls an answer that is not TLS a protocol error', () => {
    const reader = new ServerFlightReader();
    reader.push(Buffer.from('HTTP/1.1 400 Bad Request\r\n'));
    expect(reader.finished()).toBe(true);
    expect(reader.flight.protocolError).toMatch(/plaintext/);
  });

  it('calls a truncated ServerHello a protocol error instead of throwing', () => {
    const reader = new ServerFlightReader();
    reader.push(hex('16 0303 0008 02 000004 0303 1234'));
    expect(reader.flight.protocolError).toMatch(/malformed handshake message 2/);
  });
});
