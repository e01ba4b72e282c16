import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeClientHello, enumerateVersionSuites, sendClientHello } from './raw-client-hello.ts';

const RANDOM = Buffer.alloc(32, 0x11);

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** Reads the extensions of an encoded hello back, independently of the encoder. */
function extensionsOf(record: Buffer): Map<number, Buffer> {
  let offset = 5 + 4 + 2 + 32;
  offset += 1 + (record[offset] ?? 0);
  offset += 2 + record.readUInt16BE(offset);
  offset += 1 + (record[offset] ?? 0);
  const extensions = new Map<number, Buffer>();
  if (offset >= record.length) return extensions;
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

describe('ClientHello encoding', () => {
  it('encodes an SSL 3.0 hello byte for byte, without extensions', () => {
    const hello = encodeClientHello({ version: 'SSLv3', cipherSuites: [0x000a, 0x0005], random: RANDOM });
    expect(hello).toEqual(
      hex(`
        16 0300 0031
        01 00002d
        0300 ${'11'.repeat(32)}
        00
        0006 000a 0005 00ff
        01 00
      `),
    );
  });

  it('encodes a TLS 1.2 hello byte for byte: groups, point formats, signature algorithms', () => {
    const hello = encodeClientHello({ version: 'TLSv1.2', cipherSuites: [0xc02f], random: RANDOM });
    expect(hello.toString('hex')).toBe(
      hex(`
        16 0301 00af
        01 0000ab
        0303 ${'11'.repeat(32)}
        00
        0004 c02f 00ff
        01 00
        007e
        000a 003e 003c
          001d 0017 0018 0019 001e 001a 001b 001c 0016 0015 0014 0013 0012 0011 0010
          000f 000e 000d 000c 000b 000a 0009 0008 0007 0006 0005 0004 0003 0002 0001
        000b 0002 01 00
        000d 0032 0030
          0403 0503 0603 0807 0808 0804 0805 0806 0809 080a 080b 0401
          0501 0601 0303 0301 0302 0402 0502 0602 0203 0201 0202 0101
      `).toString('hex'),
    );
  });

  it('encodes a TLS 1.0 hello with SNI, supported_groups and ec_point_formats but no signature_algorithms', () => {
    const hello = encodeClientHello({
      version: 'TLSv1.0',
      cipherSuites: [0xc013],
      sni: 'example.com',
      random: RANDOM,
    });
    // Record layer 3.1, handshake type 1, client_version 3.1, offered suite then the renegotiation SCSV.
    expect(hello.subarray(0, 3)).toEqual(hex('16 0301'));
    expect(hello.readUInt16BE(3)).toBe(hello.length - 5);
    expect(hello[5]).toBe(1);
    expect(hello.readUIntBE(6, 3)).toBe(hello.length - 9);
    expect(hello.subarray(9, 11)).toEqual(hex('0301'));
    expect(hello.subarray(43, 50)).toEqual(hex('00 0004 c013 00ff'));
    const extensions = extensionsOf(hello);
    expect(extensions.get(0)).toEqual(hex(`000e 00 000b ${Buffer.from('example.com').toString('hex')}`));
    expect(extensions.get(11)).toEqual(hex('01 00'));
    const groups = extensions.get(10);
    expect(groups?.readUInt16BE(0)).toBe((groups?.length ?? 0) - 2);
    expect(groups?.subarray(2, 6)).toEqual(hex('001d 0017'));
    expect(extensions.has(13)).toBe(false);
  });

  it('adds signature_algorithms only to a TLS 1.2 hello, SHA-256 schemes first', () => {
    const hello = encodeClientHello({ version: 'TLSv1.2', cipherSuites: [0xc02f], random: RANDOM });
    expect(hello.subarray(9, 11)).toEqual(hex('0303'));
    const schemes = extensionsOf(hello).get(13);
    expect(schemes?.subarray(0, 4)).toEqual(hex(`${((schemes?.length ?? 0) - 2).toString(16).padStart(4, '0')} 0403`));
  });

  it('never puts an IP address in server_name', () => {
    const hello = encodeClientHello({ version: 'TLSv1.2', cipherSuites: [0xc02f], sni: '127.0.0.1', random: RANDOM });
    expect(extensionsOf(hello).has(0)).toBe(false);
  });

  it('pads a hello of 256 to 511 bytes up to 512 (RFC 7685)', () => {
    const suites = Array.from({ length: 60 }, (_, index) => 0xc000 + index);
    const hello = encodeClientHello({ version: 'TLSv1.2', cipherSuites: suites, random: RANDOM });
    expect(extensionsOf(hello).has(21)).toBe(true);
    expect(hello.length - 5).toBeGreaterThanOrEqual(512);
    const small = encodeClientHello({ version: 'TLSv1.0', cipherSuites: [0x002f], random: RANDOM });
    expect(extensionsOf(small).has(21)).toBe(false);
    expect(small.length - 5).toBeLessThan(256);
  });

  it('refuses an empty suite list and a random of the wrong size', () => {
    expect(() => encodeClientHello({ version: 'TLSv1.2', cipherSuites: [] })).toThrow(/at least one/);
    expect(() => encodeClientHello({ version: 'TLSv1.2', cipherSuites: [1], random: Buffer.alloc(31) })).toThrow(
      /32 bytes/,
    );
  });
});

describe('sending a ClientHello', () => {
  const servers: net.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  function listen(onConnection: (socket: net.Socket) => void): Promise<number> {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      onConnection(socket);
    });
    servers.push(server);
    return new Promise((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  }

  it('gives up on a server that accepts and never answers, within the timeout', async () => {
    const held: net.Socket[] = [];
    const port = await listen((socket) => held.push(socket));
    const started = Date.now();
    const outcome = await sendClientHello(
      { host: '127.0.0.1', port, timeoutMs: 300 },
      { version: 'TLSv1.2', cipherSuites: [0xc02f] },
    );
    expect(outcome).toMatchObject({ kind: 'failed', detail: expect.stringMatching(/timeout/) });
    expect(Date.now() - started).toBeLessThan(2_000);
    for (const socket of held) socket.destroy();
  });

  it('reports a closed port as a connection failure, not a refusal', async () => {
    const port = await listen(() => undefined);
    const server = servers.pop();
    await new Promise((resolve) => server?.close(resolve));
    const outcome = await sendClientHello(
      { host: '127.0.0.1', port, timeoutMs: 1_000 },
      { version: 'TLSv1.2', cipherSuites: [0xc02f] },
    );
    expect(outcome).toMatchObject({ kind: 'failed', detail: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('reads a server that hangs up without a word as a refusal', async () => {
    const port = await listen((socket) => socket.once('data', () => socket.end()));
    const outcome = await sendClientHello(
      { host: '127.0.0.1', port, timeoutMs: 1_000 },
      { version: 'TLSv1.1', cipherSuites: [0x002f] },
    );
    expect(outcome.kind).toBe('closed');
  });

  it('reads a plaintext answer as a protocol failure', async () => {
    const port = await listen((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const outcome = await sendClientHello(
      { host: '127.0.0.1', port, timeoutMs: 1_000 },
      { version: 'TLSv1.2', cipherSuites: [0xc02f] },
    );
    expect(outcome).toMatchObject({ kind: 'failed', detail: expect.stringMatching(/plaintext/) });
  });

  it('marks the enumeration incomplete when a server picks a suite that was not offered', async () => {
    // ServerHello TLS 1.2 choosing 0x1301, which a TLS 1.2 hello never offers.
    const serverHello = hex(`16 0303 002a 02 000026 0303 ${'22'.repeat(32)} 00 1301 00`);
    const port = await listen((socket) => socket.once('data', () => socket.end(serverHello)));
    const result = await enumerateVersionSuites({ host: '127.0.0.1', port, timeoutMs: 1_000 }, 'TLSv1.2', [0xc02f]);
    expect(result.complete).toBe(false);
    expect(result.errors.join()).toMatch(/not offered/);
  });
});
