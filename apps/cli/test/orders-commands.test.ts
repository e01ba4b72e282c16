import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApprovedCaView, OrderEvidenceVerification, OrderPayload } from '@ntg/contracts';
import {
  canonicalJson,
  createNotificationOutbox,
  createSessionMacKeyCipher,
  newId,
  parseApprovedCaCertificate,
  validateSigningCertificate,
  verifyOrderSignature,
} from '@ntg/core';
import { createOrderGatewayServices, openRuntime, type Runtime } from '@ntg/server';
import { testActor } from '@ntg/test-kit';
import {
  createTestCa,
  fixedRevocation,
  issueTestSigner,
  newOrderNonce,
  orderMac,
  signOrderJws,
  type TestCa,
} from '@ntg/test-kit/orders';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/main.ts';

// The product's verifier; only the CRL answer is fixed (the test CA publishes none).
const orderVerification = {
  verify: verifyOrderSignature,
  parseApprovedCaCertificate,
  validateSigningCertificate,
  revocation: fixedRevocation('good'),
};
const dataDir = mkdtempSync(join(tmpdir(), 'ntg-cli-orders-'));
const env = { NTG_DATA_DIR: dataDir, NTG_DEMO: 'false' };
let runtime: Runtime;
let ca: TestCa;
const orderIds: string[] = [];

async function ntg(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env,
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    orderVerification,
  });
  return { code, stdout, stderr };
}

/** Three orders of one client accepted through the order service, as the gateway accepts them. */
async function acceptOrders(organizationId: string) {
  const { stores } = runtime.services;
  const accountId = newId('cla');
  const at = new Date().toISOString();
  await stores.identity.accounts.insert({
    id: accountId,
    organizationId,
    identifier: 'cli-client',
    failedAttempts: 0,
    lockedAt: null,
    createdAt: at,
    updatedAt: at,
  });
  const sessionId = newId('ses');
  const macKey = Buffer.alloc(32, 7);
  await stores.identity.sessions.insert({
    id: sessionId,
    accountId,
    organizationId,
    tokenHash: 'c'.repeat(64),
    authenticatedAt: {},
    createdAt: at,
    lastSeenAt: at,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    revokedAt: null,
    orderMacKeySealed: createSessionMacKeyCipher(runtime.secrets.sessionKey).seal(macKey, sessionId),
  });
  const gateway = createOrderGatewayServices(runtime.handle, runtime.secrets, runtime.clock, {
    verification: orderVerification,
    outbox: createNotificationOutbox({ clock: runtime.clock }),
  });
  const signer = await issueTestSigner(ca, 'cli-client');
  await gateway.certificates.enrol(testActor, accountId, { certificate: signer.pem });
  const session = {
    id: sessionId,
    accountId,
    organizationId,
    identifier: 'cli-client',
    createdAt: at,
    expiresAt: at,
    idleExpiresAt: at,
    authenticatedAt: {},
  };
  for (let serial = 1; serial <= 3; serial++) {
    const payload: OrderPayload = {
      v: 1,
      organizationId,
      clientId: 'cli-client',
      sessionId,
      serial,
      nonce: newOrderNonce(),
      timestamp: new Date().toISOString(),
      order: { account: '9801-1', symbol: '2317', side: 'sell', type: 'market', quantity: '2000', timeInForce: 'IOC' },
    };
    const body = { payload, signature: signOrderJws(payload, signer) };
    const accepted = await gateway.orders.submit(
      { source: null },
      session,
      body,
      orderMac(macKey.toString('base64url'), body),
    );
    orderIds.push(accepted.orderId);
  }
}

beforeAll(async () => {
  runtime = await openRuntime(env, { orderVerification });
  await runtime.services.organizations.create(testActor, { slug: 'cli-orders', name: 'CLI Orders', profile: {} });
  ca = await createTestCa('CLI Root CA');
});
afterAll(async () => {
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('ntg ca (A36.5)', () => {
  it('adds a CA from a PEM file, lists it and removes it', async () => {
    const other = await createTestCa('CLI Other CA');
    const file = join(dataDir, 'other.pem');
    writeFileSync(file, other.pem);
    const added = await ntg(
      'ca',
      'add',
      file,
      '--org',
      'cli-orders',
      '--name',
      'Other',
      '--crl',
      'http://crl.example.com.tw/o.crl',
      '--json',
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const view = JSON.parse(added.stdout) as ApprovedCaView;
    expect(view).toMatchObject({
      name: 'Other',
      crlUrls: ['http://crl.example.com.tw/o.crl'],
      unknownRevocation: 'fail-closed',
    });
    const listed = await ntg('ca', 'list', '--org', 'cli-orders');
    expect(listed.stdout).toContain(view.id);
    expect(listed.stdout).toContain('Other');
    const removed = await ntg('ca', 'remove', view.id, '--org', 'cli-orders');
    expect(removed.code).toBe(0);
    expect((await ntg('ca', 'list', '--org', 'cli-orders')).stdout).not.toContain(view.id);
    expect((await ntg('ca', 'list', '--org', 'cli-orders', '--all')).stdout).toContain('REMOVED');
  });

  it('adds a CA from a DER file', async () => {
    const file = join(dataDir, 'root.der');
    writeFileSync(file, ca.der);
    const added = await ntg(
      'ca',
      'add',
      file,
      '--org',
      'cli-orders',
      '--name',
      'CLI Root',
      '--ocsp',
      'http://ocsp.example.com.tw',
    );
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(/^added aca_/);
  });

  it('exits 2 with one readable line on bad input', async () => {
    const leaf = await issueTestSigner(ca, 'leaf');
    const leafFile = join(dataDir, 'leaf.pem');
    writeFileSync(leafFile, leaf.pem);
    for (const args of [
      ['ca', 'add', join(dataDir, 'missing.pem'), '--org', 'cli-orders', '--name', 'x'],
      ['ca', 'add', leafFile, '--org', 'cli-orders', '--name', 'leaf'],
      ['ca', 'add', leafFile, '--org', 'cli-orders', '--name', 'x', '--unknown-revocation', 'maybe'],
      ['ca', 'add', leafFile, '--org', 'no-such-org', '--name', 'x'],
      ['ca', 'add', leafFile, '--org', 'cli-orders', '--name', 'x', '--crl', 'ftp://crl'],
      ['ca', 'remove', 'aca_0000000000notthere', '--org', 'cli-orders'],
      ['ca', 'list'],
    ]) {
      const r = await ntg(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});

describe('ntg orders verify-evidence (A35.5)', () => {
  it('passes untouched orders with exit 0', async () => {
    const org = await runtime.services.organizations.get('cli-orders');
    await acceptOrders(org.id);
    const r = await ntg('orders', 'verify-evidence', '--org', 'cli-orders');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 orders');
  });

  it('exits 2 on a bad period', async () => {
    for (const args of [
      ['--from', 'yesterday'],
      ['--to', '2026-13-01T00:00:00Z'],
      ['--from', '2026-12-02T00:00:00Z', '--to', '2026-12-01T00:00:00Z'],
    ]) {
      const r = await ntg('orders', 'verify-evidence', '--org', 'cli-orders', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('verify-evidence names the tampered order and exits 1', async () => {
    // The attacker has database administrator rights: the append-only triggers go first.
    await sql`drop trigger if exists order_evidence_no_update`.execute(runtime.handle.db);
    await runtime.handle.db
      .updateTable('order_evidence')
      .set({ verification: canonicalJson({ algorithm: 'jws:ES256', revocation: { status: 'good' } }) })
      .where('order_id', '=', orderIds[1] ?? '')
      .execute();
    const r = await ntg('orders', 'verify-evidence', '--org', 'cli-orders');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`row 2 ${orderIds[1]}: its content does not match its hash (edited)`);
    expect(r.stdout).not.toContain(orderIds[0] ?? 'x');
    const json = await ntg('orders', 'verify-evidence', '--org', 'cli-orders', '--json');
    const result = JSON.parse(json.stdout) as OrderEvidenceVerification;
    expect(result.failures.map((f) => f.orderId)).toEqual([orderIds[1]]);
    expect(json.code).toBe(1);
  });
});
