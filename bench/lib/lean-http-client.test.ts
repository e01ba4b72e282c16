import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLeanHttpClient } from './lean-http-client.ts';

let server: Server | null = null;
let connections = 0;

async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
  connections = 0;
  server = createServer(handler);
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

describe('lean HTTP client of the load generators', () => {
  it('posts JSON with its headers and reads status and body, reusing one kept-alive socket for sequential requests', async () => {
    const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];
    const port = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
        const out = JSON.stringify({ echo: JSON.parse(body), n: seen.length, text: '臺北' });
        res
          .writeHead(seen.length === 2 ? 201 : 200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(out),
          })
          .end(out);
      });
    });
    const client = createLeanHttpClient({ host: '127.0.0.1', port });
    const a = await client.post('/one', JSON.stringify({ a: 1 }), 'authorization: Bearer x\r\n');
    const b = await client.post('/two?q=1', JSON.stringify({ b: '金' }));
    client.close();
    expect(a).toEqual({ status: 200, body: JSON.stringify({ echo: { a: 1 }, n: 1, text: '臺北' }) });
    expect(b.status).toBe(201);
    expect(JSON.parse(b.body)).toEqual({ echo: { b: '金' }, n: 2, text: '臺北' });
    expect(seen.map((s) => [s.method, s.url, s.auth])).toEqual([
      ['POST', '/one', 'Bearer x'],
      ['POST', '/two?q=1', undefined],
    ]);
    expect(connections).toBe(1);
  });

  it('opens one socket per request in flight and reads a body that arrives in pieces', async () => {
    const port = await serve((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' });
        res.flushHeaders();
        res.write('{"ok":');
        setTimeout(() => res.end('true}'), 20);
      });
    });
    const client = createLeanHttpClient({ host: '127.0.0.1', port });
    const answers = await Promise.all([1, 2, 3].map(() => client.post('/x', '{}')));
    client.close();
    expect(answers.map((r) => r.body)).toEqual(['{"ok":true}', '{"ok":true}', '{"ok":true}']);
    expect(connections).toBe(3);
  });

  it('refuses a chunked response with an error instead of misreading it', async () => {
    const port = await serve((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"a":');
        res.end('1}');
      });
    });
    const client = createLeanHttpClient({ host: '127.0.0.1', port });
    await expect(client.post('/x', '{}')).rejects.toThrow(/no Content-Length/);
    client.close();
  });

  it('opens a new socket after the server answers with Connection: close', async () => {
    const port = await serve((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { connection: 'close', 'content-length': '2' }).end('{}'));
    });
    const client = createLeanHttpClient({ host: '127.0.0.1', port });
    const first = await client.post('/x', '{}');
    const second = await client.post('/x', '{}');
    client.close();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(connections).toBe(2);
  });
});
