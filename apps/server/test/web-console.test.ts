import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReadiness } from '@ntg/db';
import { testDatabaseKinds } from '@ntg/db/testing';
import { createFakeClock } from '@ntg/test-kit';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createServices } from '../src/wiring/services.ts';
import { testToken } from './test-app.ts';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite');

describe('the web console at /', () => {
  const dist = mkdtempSync(join(tmpdir(), 'ntg-web-dist-'));
  let app: FastifyInstance;
  let drop = async () => {};

  beforeAll(async () => {
    if (sqlite === undefined) throw new Error('SQLite test database missing');
    mkdirSync(join(dist, 'assets'));
    writeFileSync(
      join(dist, 'index.html'),
      '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1a2b.js"></script>',
    );
    writeFileSync(join(dist, 'assets/app-1a2b.js'), 'console.log("console");');
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const db = await sqlite.create();
    drop = () => db.drop();
    app = await buildApp({
      services: createServices(db.handle, { auditKey: Buffer.alloc(32, 3) }, createFakeClock()),
      readiness: () => checkReadiness(db.handle),
      apiToken: testToken,
      metrics: new Registry(),
      clock: createFakeClock(),
      webDir: dist,
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await drop();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves the page at / and at client-side routes such as the setup link, never cached', async () => {
    for (const url of ['/', '/setup/ntgc_abc', '/registers/iot-devices?page=2']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
  });

  it('serves hashed assets as immutable, with an ETag that answers 304', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/app-1a2b.js' });
    expect(res.headers['content-type']).toContain('text/javascript');
    expect(res.headers['cache-control']).toContain('immutable');
    const again = await app.inject({
      method: 'GET',
      url: '/assets/app-1a2b.js',
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect((await app.inject({ method: 'GET', url: '/favicon.svg' })).headers['content-type']).toBe('image/svg+xml');
  });

  it('threat: path traversal or a stale asset — anything not built answers 404 JSON, never a file or the page', async () => {
    for (const url of ['/assets/missing.js', '/../package.json', '/assets/..%2f..%2fpackage.json']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
    // Only built files are ever sent: a path without an extension is a client-side route and gets the page.
    const passwd = await app.inject({ method: 'GET', url: '/%2e%2e/%2e%2e/etc/passwd' });
    expect(passwd.body).toContain('<div id="root">');
    expect(passwd.body).not.toContain('root:');
    const api = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toHaveProperty('requestId');
  });
});
