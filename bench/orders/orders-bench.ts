/**
 * Issue target (signed orders, A35): over HTTP on the embedded default, signed-order acceptance (signature and chain
 * verification, nonce check, durable evidence write) reaches at least 40% of node:crypto's raw verification rate for
 * the same key type on this machine, measured in the same run, with every accepted order durable before its
 * response. Reports p50 and p99 latency, on SQLite and on PostgreSQL.
 *
 * Run: node --import tsx bench/orders/orders-bench.ts [sqlite|postgres] [--key rsa|ec] [--seconds 5] [--rounds 3]
 *
 * The server runs in this process, the load generator in a child process that signs every order before the timed
 * window (a client signs on its own machine), so the window holds only what the gateway does. The raw rate is
 * node:crypto.verify on one thread over the same kind of signature: the gateway verifies on its one main thread too.
 * Raw rounds alternate with order rounds and the ratio is taken per round (median reported).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomBytes, sign, verify, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson, type LoginChallenge, type LoginStepResponse, type OrderPayload } from '@ntg/contracts';
import {
  createArgon2SecretHasher,
  createNotificationOutbox,
  createTotpSeedCipher,
  newId,
  newTotpSeed,
  systemClock,
  totpCode,
} from '@ntg/core';
import { checkReadiness, createStores } from '@ntg/db';
import { signOrderCms } from '@ntg/sdk';
import { createTestPki } from '@ntg/test-kit';
import { Registry } from 'prom-client';
import { buildApp } from '../../apps/server/src/app.ts';
import { loadConfig } from '../../apps/server/src/config/config.ts';
import { createGatewayServices } from '../../apps/server/src/wiring/gateway-wiring.ts';
import { createOrderConsoleServices, createOrderGatewayServices } from '../../apps/server/src/wiring/order-services.ts';
import { orderVerification } from '../../apps/server/src/wiring/order-verification-wiring.ts';
import { createServices } from '../../apps/server/src/wiring/services.ts';
import { benchDatabases } from '../lib/bench-databases.ts';

const pin = 'Bench-Pin-2026';
const slug = 'bench-securities';

interface BenchSession {
  token: string;
  sessionId: string;
  organizationId: string;
  clientId: string;
  macKey: string;
  certificate: string;
  pkcs8: string;
  keyType: 'rsa' | 'ec';
}

type ClientCommand =
  | { cmd: 'init'; port: number; sessions: BenchSession[] }
  | { cmd: 'round'; seconds: number; perSession: number }
  | { cmd: 'exit' };
type ClientReport =
  | { type: 'ready' }
  | { type: 'signed'; orders: number }
  | { type: 'done'; ok: number; failed: number; firstError: string | null; elapsedMs: number; latencies: number[] };

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

// ---------------------------------------------------------------------------------------------------------------
// The load generator (child process).
// ---------------------------------------------------------------------------------------------------------------
async function runClient(): Promise<void> {
  let port = 0;
  let sessions: BenchSession[] = [];
  const serials = new Map<string, number>();
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const send = (r: ClientReport) => process.send?.(r);
  let prepared: { token: string; body: string; mac: string }[][] = [];

  function post(path: string, token: string, body: string, mac: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${token}`,
            'x-ntg-mac': mac,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async function prepare(perSession: number) {
    prepared = [];
    for (const s of sessions) {
      const privateKey = await webcrypto.subtle.importKey(
        'pkcs8',
        Buffer.from(s.pkcs8, 'base64'),
        s.keyType === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: 'P-256' },
        false,
        ['sign'],
      );
      const list: { token: string; body: string; mac: string }[] = [];
      for (let i = 0; i < perSession; i++) {
        const serial = (serials.get(s.sessionId) ?? 0) + 1;
        serials.set(s.sessionId, serial);
        const payload: OrderPayload = {
          v: 1,
          organizationId: s.organizationId,
          clientId: s.clientId,
          sessionId: s.sessionId,
          serial,
          nonce: randomBytes(16).toString('base64url'),
          timestamp: new Date().toISOString(),
          order: {
            account: '9801-000123',
            symbol: '2330',
            side: 'buy',
            type: 'limit',
            quantity: '1000',
            price: '580.5',
            timeInForce: 'ROD',
          },
        };
        const signature = await signOrderCms({
          payload,
          certificateDer: Buffer.from(s.certificate, 'base64'),
          privateKey: privateKey as never,
        });
        const body = canonicalJson({ payload, signature });
        const mac = createHmac('sha256', Buffer.from(s.macKey, 'base64url')).update(body).digest('base64url');
        list.push({ token: s.token, body, mac });
      }
      prepared.push(list);
    }
  }

  process.on('message', (message: ClientCommand) => {
    void (async () => {
      if (message.cmd === 'init') {
        port = message.port;
        sessions = message.sessions;
        send({ type: 'ready' });
      } else if (message.cmd === 'round') {
        await prepare(message.perSession);
        send({ type: 'signed', orders: prepared.reduce((n, l) => n + l.length, 0) });
        let ok = 0;
        let failed = 0;
        let firstError: string | null = null;
        const latencies: number[] = [];
        const end = performance.now() + message.seconds * 1000;
        const t0 = performance.now();
        // One order in flight per session: serial numbers must arrive in order (A35.4).
        await Promise.all(
          prepared.map(async (list) => {
            for (const o of list) {
              if (performance.now() >= end) break;
              const s = performance.now();
              const res = await post('/gateway/v1/orders', o.token, o.body, o.mac);
              if (res.status === 201) {
                ok += 1;
                latencies.push(performance.now() - s);
              } else {
                failed += 1;
                firstError ??= `${res.status} ${res.text.slice(0, 200)}`;
              }
            }
          }),
        );
        send({ type: 'done', ok, failed, firstError, elapsedMs: performance.now() - t0, latencies });
      } else {
        agent.destroy();
        process.exit(0);
      }
    })();
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The server side (this process).
// ---------------------------------------------------------------------------------------------------------------
async function runBench(): Promise<void> {
  const args = process.argv.slice(2);
  const numberArg = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const keyType = (args[args.indexOf('--key') + 1] === 'ec' ? 'ec' : 'rsa') as 'rsa' | 'ec';
  const seconds = numberArg('--seconds', 5);
  const rounds = numberArg('--rounds', 3);
  const sessionCount = numberArg('--sessions', 32);
  const only = args.find((a) => a === 'sqlite' || a === 'postgres');
  const config = loadConfig({ ...process.env, NTG_ARGON2_MEMORY_KIB: '19456', NTG_ARGON2_ITERATIONS: '2' });

  // 1. Raw node:crypto verification of the same kind of signature, one thread.
  const rawKeys =
    keyType === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = randomBytes(200);
  const rawSig = sign('sha256', data, rawKeys.privateKey);
  function rawRate(): number {
    let n = 0;
    const end = performance.now() + Math.min(seconds, 3) * 1000;
    const t0 = performance.now();
    while (performance.now() < end) {
      for (let i = 0; i < 50; i++) verify('sha256', data, rawKeys.publicKey, rawSig);
      n += 50;
    }
    return n / ((performance.now() - t0) / 1000);
  }

  console.log(
    `orders bench: ${keyType === 'rsa' ? 'RSA-2048 PKCS#1 v1.5' : 'ECDSA P-256'} SHA-256, CMS detached, ${sessionCount} sessions, ${rounds} rounds of ${seconds} s`,
  );
  const pki = await createTestPki();
  const crlDir = mkdtempSync(join(tmpdir(), 'ntg-bench-crl-'));
  const crlFile = join(crlDir, 'root.crl');
  writeFileSync(crlFile, await pki.crl({ hours: 48 }));
  const rows: string[] = [];

  for (const make of await benchDatabases(only)) {
    const db = await make();
    const secrets = {
      sessionKey: randomBytes(32),
      pepper: randomBytes(32),
      auditKey: randomBytes(32),
      apiToken: randomBytes(32).toString('base64url'),
    };
    const clock = systemClock;
    const services = createServices(db.handle, secrets, clock);
    const gateway = createGatewayServices(db.handle, secrets, clock, config.gateway);
    const verification = orderVerification(clock);
    const outbox = createNotificationOutbox({
      clock,
      fallback: (_org, accountId) => ({ channel: 'file' as const, recipient: accountId }),
    });
    const orders = createOrderGatewayServices(db.handle, secrets, clock, { verification, outbox });
    const consoleOrders = createOrderConsoleServices(db.handle, secrets, clock, verification);
    const app = await buildApp({
      services,
      gateway,
      orders,
      approvedCas: consoleOrders.approvedCas,
      readiness: () => checkReadiness(db.handle),
      apiToken: secrets.apiToken,
      metrics: new Registry(),
      clock,
      rateLimitPerMinute: 100_000_000,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const auth = { authorization: `Bearer ${secrets.apiToken}` };
    const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--client'], { execArgv: ['--import', 'tsx'] });
    try {
      const org = await services.organizations.create(
        { actor: { type: 'system', id: 'bench' }, source: null },
        { slug, name: 'Bench Securities', kind: 'securities', profile: { offersInternetTrading: true } },
      );
      const ca = await app.inject({
        method: 'POST',
        url: `/api/v1/organizations/${slug}/approved-cas`,
        headers: auth,
        payload: { name: 'Bench CA', certificate: pki.root.pem, crlUrls: [`file:${crlFile}`] },
      });
      if (ca.statusCode !== 201) throw new Error(`approving the CA failed: ${ca.body}`);

      // Accounts with a PIN and TOTP, each logged in once over HTTP and given its own signing certificate.
      const hasher = createArgon2SecretHasher({ pepper: secrets.pepper, parameters: config.gateway.argon2 });
      const phc = await hasher.hash(pin);
      const cipher = createTotpSeedCipher(secrets.sessionKey);
      const at = new Date().toISOString();
      const sessions: BenchSession[] = [];
      for (let i = 0; i < sessionCount; i++) {
        const id = newId('cla');
        const seed = newTotpSeed();
        const deviceId = newId('tot');
        await db.handle.dialect.withWriteTransaction(db.handle.db, async (trx) => {
          const identity = createStores(trx, db.handle.dialect).identity;
          await identity.accounts.insert({
            id,
            organizationId: org.id,
            identifier: `bench-${i}`,
            failedAttempts: 0,
            lockedAt: null,
            createdAt: at,
            updatedAt: at,
          });
          await identity.credentials.insert({
            id: newId('crd'),
            accountId: id,
            kind: 'pin',
            phc,
            createdAt: at,
            retiredAt: null,
          });
          await identity.totpDevices.insert({
            id: deviceId,
            accountId: id,
            label: 'bench',
            sealedSeed: cipher.encrypt(seed, deviceId),
            lastStep: null,
            createdAt: at,
          });
        });
        const cert = await pki.issueClient(`Bench client ${i}`, { key: keyType });
        const bound = await app.inject({
          method: 'POST',
          url: `/gateway/v1/admin/accounts/${id}/certificates`,
          headers: auth,
          payload: { label: 'bench', certificate: cert.pem },
        });
        if (bound.statusCode !== 201) throw new Error(`binding failed: ${bound.body}`);
        const start = (
          await app.inject({
            method: 'POST',
            url: '/gateway/v1/login/start',
            payload: { organization: slug, identifier: `bench-${i}` },
          })
        ).json() as LoginChallenge;
        const first = (
          await app.inject({
            method: 'POST',
            url: '/gateway/v1/login/steps',
            payload: { challengeId: start.challengeId, factor: { method: 'pin', pin } },
          })
        ).json() as LoginStepResponse;
        if (first.status !== 'continue') throw new Error('PIN step failed');
        const done = (
          await app.inject({
            method: 'POST',
            url: '/gateway/v1/login/steps',
            payload: { challengeId: first.challengeId, factor: { method: 'totp', code: totpCode(seed, new Date()) } },
          })
        ).json() as LoginStepResponse;
        if (done.status !== 'complete') throw new Error('TOTP step failed');
        sessions.push({
          token: done.session.token,
          sessionId: done.session.sessionId,
          organizationId: org.id,
          clientId: `bench-${i}`,
          macKey: done.session.orderMacKey,
          certificate: Buffer.from(cert.der).toString('base64'),
          pkcs8: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', cert.privateKey)).toString('base64'),
          keyType,
        });
      }

      const ask = <R extends ClientReport['type']>(command: ClientCommand | null, type: R) =>
        new Promise<Extract<ClientReport, { type: R }>>((resolve) => {
          const on = (report: ClientReport) => {
            if (report.type !== type) return;
            child.off('message', on);
            resolve(report as Extract<ClientReport, { type: R }>);
          };
          child.on('message', on);
          if (command !== null) child.send(command);
        });
      await ask({ cmd: 'init', port, sessions }, 'ready');

      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
      const results: { raw: number; rate: number; cpu: number; p50: number; p99: number }[] = [];
      let perSession = 100;
      for (let r = 0; r < rounds + 1; r++) {
        const raw = rawRate();
        const signed = ask(null, 'signed');
        const doneP = ask({ cmd: 'round', seconds, perSession }, 'done');
        await signed;
        const cpu0 = process.cpuUsage();
        const done = await doneP;
        const cpu = cpuMs(process.cpuUsage(cpu0)) / Math.max(1, done.ok);
        if (done.failed > 0) console.log(`  ${done.failed} refused, first: ${done.firstError}`);
        const rate = done.ok / (done.elapsedMs / 1000);
        const sorted = done.latencies.sort((a, b) => a - b);
        const pct = (p: number) =>
          sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
        // Size the next round so every session has orders left for the whole window.
        perSession = Math.ceil(((rate * seconds) / sessionCount) * 1.5) + 10;
        if (r === 0) {
          console.log(`[${db.name}] warm-up: ${rate.toFixed(0)} orders/s`);
          continue;
        }
        results.push({ raw, rate, cpu, p50: pct(50), p99: pct(99) });
        console.log(
          `[${db.name}] round ${r}: raw verify ${raw.toFixed(0)}/s | accepted ${rate.toFixed(0)} orders/s (${done.ok} durable, server ${cpu.toFixed(2)} ms CPU each) | ratio ${((rate / raw) * 100).toFixed(1)}% | p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms`,
        );
      }
      const ratio = median(results.map((x) => x.rate / x.raw));
      rows.push(
        `${db.name.padEnd(9)} raw ${median(results.map((x) => x.raw)).toFixed(0)} verifications/s | accepted ${median(results.map((x) => x.rate)).toFixed(0)} orders/s | ratio ${(ratio * 100).toFixed(1)}% (median; target >= 40% ${ratio >= 0.4 ? 'MET' : 'MISSED'}) | p50 ${median(results.map((x) => x.p50)).toFixed(1)} ms, p99 ${median(results.map((x) => x.p99)).toFixed(1)} ms at ${sessionCount} sessions`,
      );
    } finally {
      child.send({ cmd: 'exit' });
      await app.close();
      await db.drop();
    }
  }
  rmSync(crlDir, { recursive: true, force: true });
  console.log(`\nRESULT ${keyType}\n${rows.join('\n')}`);
}

if (process.argv.includes('--client')) await runClient();
else await runBench();
