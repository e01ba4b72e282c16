/**
 * Threat: a client (or a man in the middle forcing a downgrade) gets the gateway to speak an old protocol version or
 * a key exchange without forward secrecy. Directions A35.1: TLS 1.2 or later, key exchange by ECDHE. The real
 * application listens with the policy of tls-policy.ts, once with an RSA-2048 certificate from files and once with the
 * generated ECDSA P-256 one; each refusal is checked with a client that offers only the weak choice, so a refusal can
 * only come from the policy.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { judgeTlsEndpoint, scanTlsEndpoint } from '@ntg/core';
import { checkReadiness } from '@ntg/db';
import { type TestDatabase, testDatabaseKinds } from '@ntg/db/testing';
import { createFakeClock } from '@ntg/test-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { createServices } from '../wiring/services.ts';
import { setCookie } from './cookies.ts';
import { ensureLocalCertificate } from './tls-certificate.ts';
import { gatewayTlsOptions, type TlsMaterial } from './tls-policy.ts';

const opensslPresent = spawnSync('openssl', ['version'], { stdio: 'ignore' }).error === undefined;

type Attempt =
  | { ok: true; protocol: string | null; cipher: string; group: string | undefined }
  | { ok: false; code: string };

/** One handshake with exactly the given offer; no certificate check (the listener's choice is under test). */
function handshake(port: number, offer: tls.ConnectionOptions): Promise<Attempt> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...offer }, () => {
      const key = socket.getEphemeralKeyInfo();
      const group = key && 'name' in key && typeof key.name === 'string' ? key.name : undefined;
      resolve({ ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().name, group });
      socket.destroy();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, code: error.code ?? error.message }));
  });
}

function sClient(port: number, args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

interface Listener {
  app: FastifyInstance;
  port: number;
  material: TlsMaterial;
}

async function startGateway(db: TestDatabase, material: TlsMaterial): Promise<Listener> {
  const clock = createFakeClock();
  const app = await buildApp({
    services: createServices(db.handle, { auditKey: Buffer.alloc(32, 3) }, clock),
    readiness: () => checkReadiness(db.handle),
    apiToken: 'tls-test-token-0123456789abcdef0123456789',
    metrics: new Registry(),
    clock,
    https: gatewayTlsOptions(material),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, port: (app.server.address() as AddressInfo).port, material };
}

describe.skipIf(!opensslPresent)('gateway TLS listener refuses weak handshakes (A35.1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntg-tls-listener-'));
  let db: TestDatabase;
  let rsa: Listener;
  let ecdsa: Listener;

  beforeAll(async () => {
    const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite');
    if (!sqlite) throw new Error('no SQLite test database');
    db = await sqlite.create();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '30',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'rsa-key.pem'),
        '-out',
        join(dir, 'rsa-cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const rsaMaterial = {
      certPem: readFileSync(join(dir, 'rsa-cert.pem'), 'utf8'),
      keyPem: readFileSync(join(dir, 'rsa-key.pem'), 'utf8'),
    };
    const generated = await ensureLocalCertificate(join(dir, 'generated'), new Date());
    [rsa, ecdsa] = await Promise.all([startGateway(db, rsaMaterial), startGateway(db, generated.material)]);
  });

  afterAll(async () => {
    await rsa?.app.close();
    await ecdsa?.app.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a TLS 1.1 client (protocol downgrade)', async () => {
    for (const listener of [rsa, ecdsa]) {
      const attempt = await handshake(listener.port, {
        minVersion: 'TLSv1.1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT:@SECLEVEL=0',
      });
      expect(attempt).toEqual({ ok: false, code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    }
  });

  it('refuses TLS 1.0 and 1.1 to an independent client too (openssl s_client)', async () => {
    for (const version of ['-tls1', '-tls1_1']) {
      // Asynchronously: the listener runs in this process and must keep answering while s_client waits.
      const result = await sClient(rsa.port, [version, '-cipher', 'DEFAULT:@SECLEVEL=0']);
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/alert protocol version/);
      expect(result.output).toMatch(/Cipher is \(NONE\)/);
    }
  });

  it('refuses static RSA key exchange (AES128-GCM-SHA256: no forward secrecy)', async () => {
    const attempt = await handshake(rsa.port, {
      maxVersion: 'TLSv1.2',
      ciphers: 'AES128-GCM-SHA256',
    });
    expect(attempt).toEqual({ ok: false, code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' });
  });

  it('refuses finite-field DHE (DHE-RSA-AES128-GCM-SHA256: A35.1 asks for ECDHE)', async () => {
    const attempt = await handshake(rsa.port, {
      maxVersion: 'TLSv1.2',
      ciphers: 'DHE-RSA-AES128-GCM-SHA256',
    });
    expect(attempt).toEqual({ ok: false, code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' });
  });

  it('refuses ECDHE with CBC (ECDHE-RSA-AES128-SHA256: padding oracles), AEAD only', async () => {
    const attempt = await handshake(rsa.port, {
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA',
    });
    expect(attempt).toEqual({ ok: false, code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' });
  });

  it('refuses a group outside X25519, P-256 and P-384 (a client offering only P-521 or ffdhe2048)', async () => {
    for (const ecdhCurve of ['P-521', 'ffdhe2048']) {
      const attempt = await handshake(ecdsa.port, { minVersion: 'TLSv1.3', ecdhCurve });
      expect(attempt.ok).toBe(false);
    }
  });

  it('accepts TLS 1.2 with ECDHE and AEAD, in the server order', async () => {
    const viaRsa = await handshake(rsa.port, {
      maxVersion: 'TLSv1.2',
      // A client preferring the weaker allowed suite still gets the server's first choice (honorCipherOrder).
      ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384',
    });
    expect(viaRsa).toEqual({ ok: true, protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-GCM-SHA384', group: 'X25519' });
    const viaEcdsa = await handshake(ecdsa.port, { maxVersion: 'TLSv1.2', ecdhCurve: 'P-256' });
    expect(viaEcdsa).toEqual({
      ok: true,
      protocol: 'TLSv1.2',
      cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384',
      group: 'prime256v1',
    });
  });

  it('accepts TLS 1.3 and answers HTTP over it', async () => {
    const attempt = await handshake(ecdsa.port, { minVersion: 'TLSv1.3' });
    expect(attempt).toMatchObject({ ok: true, protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
    const response = await rsa.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
  });

  it('passes our own A35.1 scanner with no verdict, for the RSA and the generated ECDSA certificate', async () => {
    for (const [listener, auth] of [
      [rsa, 'RSA'],
      [ecdsa, 'ECDSA'],
    ] as const) {
      const facts = await scanTlsEndpoint({
        host: '127.0.0.1',
        port: listener.port,
        sni: 'localhost',
        caPem: listener.material.certPem,
        concurrency: 3,
      });
      const judged = judgeTlsEndpoint(facts, new Date());
      expect(judged.verdicts).toEqual([]);
      expect(judged.result).toBe('pass');
      const accepted = facts.versions.filter((v) => v.support.status === 'accepted').map((v) => v.version);
      expect(accepted).toEqual(['TLSv1.2', 'TLSv1.3']);
      const tls12 = facts.versions.find((v) => v.version === 'TLSv1.2');
      // In the server's order, which the scanner records as the order of picks.
      expect(tls12?.suites.map((s) => s.name)).toEqual([
        `TLS_ECDHE_${auth}_WITH_AES_256_GCM_SHA384`,
        `TLS_ECDHE_${auth}_WITH_CHACHA20_POLY1305_SHA256`,
        `TLS_ECDHE_${auth}_WITH_AES_128_GCM_SHA256`,
      ]);
      expect(facts.chains[0]?.trust.status).toBe('trusted');
      // The scanner's one-group-at-a-time TLS 1.3 probes see exactly the policy's groups.
      const tls13 = facts.versions.find((v) => v.version === 'TLSv1.3');
      expect(tls13?.groups?.map((g) => g.name)).toEqual(['x25519', 'secp256r1', 'secp384r1']);
    }
  });
});

describe.skipIf(!opensslPresent)('cookies over the TLS listener', () => {
  it('are Secure when the request came over TLS, so a browser never sends them in clear', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ntg-tls-cookie-'));
    const { material } = await ensureLocalCertificate(dir, new Date());
    const app = Fastify({ https: gatewayTlsOptions(material) });
    app.get('/set', async (request, reply) => {
      setCookie(request, reply, 'ntg_session', 'v', 60);
      return { ok: true };
    });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const port = (app.server.address() as AddressInfo).port;
      const setCookieHeader = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ca: material.certPem, servername: 'localhost' }, () => {
          socket.write(`GET /set HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
        });
        let text = '';
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        socket.on('end', () => resolve(/^set-cookie: (.*)$/im.exec(text)?.[1] ?? ''));
        socket.on('error', reject);
      });
      expect(setCookieHeader).toMatch(/; Secure/);
      expect(setCookieHeader).toMatch(/HttpOnly; SameSite=Strict/);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
