import type { SubmitOrderResponse } from '@ntg/contracts';
import { openDatabase } from '@ntg/db';
import { testDatabaseKinds } from '@ntg/db/testing';
import { createTestCa, issueTestSigner } from '@ntg/test-kit/orders';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auth,
  bindCertificate,
  createOrderTestApp,
  type OrderTestApp,
  orderRequest,
  storedCounts,
  submitOrder,
  tradingClient,
} from './orders-test-app.ts';

describe.each(testDatabaseKinds())('signed orders on $name (A35, A38.2)', (kind) => {
  let t: OrderTestApp;
  beforeAll(async () => {
    t = await createOrderTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('the login issues the session id and a 32-byte order MAC key, shown once and stored sealed (A35.2)', async () => {
    const client = await tradingClient(t, 'order-login');
    expect(client.sessionId).toMatch(/^ses_/);
    expect(Buffer.from(client.orderMacKey, 'base64url')).toHaveLength(32);
    const row = await t.handle.db
      .selectFrom('client_sessions')
      .select(['order_mac_key'])
      .where('id', '=', client.sessionId)
      .executeTakeFirstOrThrow();
    expect(row.order_mac_key).toMatch(/^v1\./);
    expect(row.order_mac_key).not.toContain(client.orderMacKey);
  });

  it('accepts a signed order, answers with its evidence row, and has committed it before answering', async () => {
    const client = await tradingClient(t, 'order-happy');
    const before = await storedCounts(t);
    const res = await submitOrder(t, client, orderRequest(t, client));
    expect(res.statusCode).toBe(201);
    const body = res.json() as SubmitOrderResponse;
    expect(body.orderId).toMatch(/^ord_/);
    expect(body.acceptedAt).toBe(t.clock.now().toISOString());
    expect(body.evidenceHash).toMatch(/^[0-9a-f]{64}$/);
    const row = await t.handle.db
      .selectFrom('order_evidence')
      .selectAll()
      .where('order_id', '=', body.orderId)
      .executeTakeFirstOrThrow();
    expect(row.hash).toBe(body.evidenceHash);
    expect(Number(row.seq)).toBe(body.evidenceSequence);
    expect(Buffer.from(row.signer_certificate).equals(Buffer.from(client.signer.der))).toBe(true);
    expect(JSON.parse(row.verification)).toMatchObject({ algorithm: 'jws:ES256', revocation: { status: 'good' } });
    expect(await storedCounts(t)).toEqual({
      evidence: before.evidence + 1,
      trades: before.trades + 1,
      audits: before.audits + 1,
    });
  });

  it('an accepted order is durable before its answer: another connection sees it at once (ADR 0004)', async () => {
    const client = await tradingClient(t, 'order-durable');
    const res = await submitOrder(t, client, orderRequest(t, client));
    expect(res.statusCode).toBe(201);
    const { orderId } = res.json() as SubmitOrderResponse;
    const description = t.handle.description;
    const other = description.startsWith('sqlite:')
      ? openDatabase({ kind: 'sqlite', file: description.slice('sqlite:'.length) })
      : openDatabase({ kind: 'postgres', url: description, poolMax: 1 });
    try {
      const row = await other.db
        .selectFrom('order_evidence')
        .select('order_id')
        .where('order_id', '=', orderId)
        .executeTakeFirst();
      expect(row?.order_id).toBe(orderId);
      if (other.dialect.name === 'sqlite') {
        // synchronous = FULL (2) in WAL mode: the commit waited for its fsync before the answer went out.
        const pragma = await sql<{ synchronous: number }>`pragma synchronous`.execute(t.handle.db);
        expect(pragma.rows[0]?.synchronous).toBe(2);
        const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(t.handle.db);
        expect(journal.rows[0]?.journal_mode).toBe('wal');
      }
    } finally {
      await other.close();
    }
  });

  it('the trade notification is enqueued in the same transaction (A38.2)', async () => {
    const client = await tradingClient(t, 'order-notify');
    const res = await submitOrder(t, client, orderRequest(t, client, {}));
    const { orderId } = res.json() as SubmitOrderResponse;
    const rows = await t.handle.db
      .selectFrom('notifications_outbox')
      .selectAll()
      .where('account_id', '=', client.accountId)
      .where('kind', '=', 'trade')
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]?.payload ?? '{}')).toMatchObject({
      orderId,
      symbol: '2330',
      side: 'buy',
      quantity: '1000',
    });

    // An outbox that fails after writing its row: the order, its evidence and its audit entry roll back with it.
    const failing = await createOrderTestApp(kind, {
      handle: t.handle,
      clock: t.clock,
      ca: t.ca,
      outbox: (real) => ({
        async enqueue(stores, request) {
          await real.enqueue(stores, request);
          throw new Error('outbox unavailable');
        },
        async enqueueAll(stores, organizationId, requests) {
          await real.enqueueAll(stores, organizationId, requests);
          throw new Error('outbox unavailable');
        },
      }),
    });
    try {
      const other = await tradingClient(failing, 'order-notify-fail');
      const before = await storedCounts(failing);
      const refused = await submitOrder(failing, other, orderRequest(failing, other));
      expect(refused.statusCode).toBe(500);
      expect(refused.json()).toMatchObject({ code: 'INTERNAL' });
      expect(await storedCounts(failing)).toEqual(before);
      // Nothing committed, so the same order goes through once the outbox works again.
      const again = await submitOrder(t, other, orderRequest(t, other));
      expect(again.statusCode).toBe(201);
    } finally {
      await failing.app.close();
    }
  });

  it('binds, lists and revokes signing certificates, each audited; an unapproved issuer is refused', async () => {
    const client = await tradingClient(t, 'order-certs');
    const list = await t.app.inject({
      method: 'GET',
      url: `/gateway/v1/admin/accounts/${client.accountId}/certificates`,
      headers: auth,
    });
    expect(list.statusCode).toBe(200);
    const [cert] = (list.json() as { certificates: { id: string; fingerprint: string }[] }).certificates;
    expect(cert?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const twice = await bindCertificate(t, client.accountId, client.signer);
    expect(twice.statusCode).toBe(409);
    const stranger = await issueTestSigner(await createTestCa('Unapproved CA'), 'stranger');
    const untrusted = await bindCertificate(t, client.accountId, stranger);
    expect(untrusted.statusCode).toBe(422);
    expect(untrusted.json()).toMatchObject({ code: 'ORDER_CERTIFICATE_UNTRUSTED' });
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/gateway/v1/admin/accounts/${client.accountId}/certificates/${cert?.id}`,
      headers: auth,
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ revokedAt: expect.any(String) });
    // A revoked binding no longer signs for the account.
    const res = await submitOrder(t, client, orderRequest(t, client));
    expect(res.json()).toMatchObject({ code: 'ORDER_CERTIFICATE_NOT_BOUND' });
    const actions = (
      await t.handle.db
        .selectFrom('audit_entries')
        .select('action')
        .where('object_id', '=', client.accountId)
        .where('action', 'like', 'orders.client-certificate.%')
        .execute()
    ).map((r) => r.action);
    expect(actions).toEqual(['orders.client-certificate.enrol', 'orders.client-certificate.revoke']);
  });

  it('lists accepted orders for operators, newest first, behind the API token', async () => {
    const client = await tradingClient(t, 'order-admin-list');
    await submitOrder(t, client, orderRequest(t, client));
    const res = await t.app.inject({
      method: 'GET',
      url: `/gateway/v1/admin/orders?organizationId=${t.org.id}&account=${client.accountId}`,
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    const { orders } = res.json() as { orders: { accountId: string; order: { symbol: string }; serial: number }[] };
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ accountId: client.accountId, serial: 1, order: { symbol: '2330' } });
    // A38.1: the operator's look at the client's trades is recorded as a use of personal data.
    const uses = await t.app.inject({
      method: 'GET',
      url: `/gateway/v1/admin/personal-data-uses?organizationId=${t.org.id}&account=${client.accountId}`,
      headers: auth,
    });
    expect((uses.json() as { uses: { function: string; result: string }[] }).uses).toContainEqual(
      expect.objectContaining({ function: 'admin.orders.list', result: '1 accepted order shown' }),
    );
    const unknownAccount = await t.app.inject({
      method: 'GET',
      url: '/gateway/v1/admin/accounts/cla_0000000000000000000000000/certificates',
      headers: auth,
    });
    expect(unknownAccount.statusCode).toBe(404);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/gateway/v1/admin/orders?organizationId=alpha',
      headers: auth,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', requestId: expect.any(String) });
    const anonymous = await t.app.inject({ method: 'GET', url: `/gateway/v1/admin/orders?organizationId=${t.org.id}` });
    expect(anonymous.statusCode).toBe(401);
  });

  it('publishes the order and approved-CA routes in the OpenAPI document with their schemas', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/gateway/v1/orders',
        '/gateway/v1/admin/orders',
        '/gateway/v1/admin/accounts/{id}/certificates',
        '/api/v1/organizations/{org}/approved-cas',
        '/api/v1/organizations/{org}/approved-cas/{id}',
      ]),
    );
    expect(Object.keys(doc.paths['/gateway/v1/orders']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '401', '409', '413', '422']),
    );
  });
});
