import { canonicalJson, evidenceRowHash, type OrderEvidence } from '@ntg/core';
import { createStores } from '@ntg/db';
import { type TestDatabaseKind, testDatabaseKinds } from '@ntg/db/testing';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrderConsoleServices } from '../src/wiring/order-services.ts';
import { testSecrets } from './gateway-test-app.ts';
import {
  createOrderTestApp,
  type OrderTestApp,
  orderRequest,
  submitOrder,
  testVerification,
  tradingClient,
} from './orders-test-app.ts';

describe.each(testDatabaseKinds())('the order evidence chain on $name (A35.5)', (kind: TestDatabaseKind) => {
  let t: OrderTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  /** Three accepted orders, a minute apart. */
  async function withOrders(): Promise<{ t: OrderTestApp; orderIds: string[] }> {
    const app = await createOrderTestApp(kind);
    t = app;
    const client = await tradingClient(app, 'evidence-client');
    const orderIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await submitOrder(app, client, orderRequest(app, client));
      orderIds.push((res.json() as { orderId: string }).orderId);
      app.clock.advance(60_000);
    }
    return { t: app, orderIds };
  }

  const verify = (app: OrderTestApp, range?: { from?: string; to?: string }) =>
    createOrderConsoleServices(app.handle, testSecrets, app.clock, testVerification()).evidence.verify(
      app.org.id,
      range,
    );

  /** The attacker has database administrator rights: first they remove the append-only triggers. */
  async function dropAppendOnlyGuards(app: OrderTestApp) {
    if (app.handle.dialect.name === 'sqlite') {
      await sql`drop trigger if exists order_evidence_no_update`.execute(app.handle.db);
      await sql`drop trigger if exists order_evidence_no_delete`.execute(app.handle.db);
    } else {
      await sql`drop trigger if exists order_evidence_no_change on order_evidence`.execute(app.handle.db);
    }
  }

  it('re-verifies untouched rows: hashes, links, signatures and the head', async () => {
    const { t: app } = await withOrders();
    expect(await verify(app)).toMatchObject({ rows: 3, ok: true, failures: [] });
  });

  it('the evidence chain detects an edited row', async () => {
    const { t: app, orderIds } = await withOrders();
    await dropAppendOnlyGuards(app);
    await app.handle.db
      .updateTable('order_evidence')
      .set({ verification: canonicalJson({ algorithm: 'jws:ES256', note: 'rewritten' }) })
      .where('order_id', '=', orderIds[1] ?? '')
      .execute();
    const result = await verify(app);
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual([
      { sequence: 2, orderId: orderIds[1], problems: ['its content does not match its hash (edited)'] },
    ]);
  });

  it('detects changed signed bytes even when the attacker recomputes every hash after them', async () => {
    const { t: app, orderIds } = await withOrders();
    await dropAppendOnlyGuards(app);
    const stores = createStores(app.handle.db, app.handle.dialect);
    const rows = await stores.orders.evidence.page(app.org.id, 0, 10);
    // Row 2 now says 9000 shares; the attacker rewrites its hash and the links and hashes of every later row.
    let prevHash = rows[0]?.hash ?? '';
    for (const row of rows.slice(1)) {
      let changed: OrderEvidence = { ...row, prevHash };
      if (row.sequence === 2) {
        const text = new TextDecoder().decode(row.canonicalBytes).replace('"quantity":"1000"', '"quantity":"9000"');
        changed = { ...changed, canonicalBytes: new TextEncoder().encode(text) };
      }
      const hash = evidenceRowHash(changed);
      await app.handle.db
        .updateTable('order_evidence')
        .set({ canonical_bytes: Buffer.from(changed.canonicalBytes), prev_hash: prevHash, hash })
        .where('organization_id', '=', app.org.id)
        .where('seq', '=', row.sequence)
        .execute();
      await app.handle.db
        .updateTable('order_evidence_heads')
        .set({ hash })
        .where('organization_id', '=', app.org.id)
        .where('seq', '=', row.sequence)
        .execute();
      prevHash = hash;
    }
    const result = await verify(app);
    expect(result.failures.map((f) => [f.sequence, f.orderId])).toEqual([[2, orderIds[1]]]);
    expect(result.failures[0]?.problems.join(' ')).toContain('ORDER_SIGNATURE_INVALID');
  });

  it('detects a deleted row and deleted newest rows (truncation)', async () => {
    const { t: app, orderIds } = await withOrders();
    await dropAppendOnlyGuards(app);
    await app.handle.db
      .deleteFrom('order_evidence')
      .where('order_id', '=', orderIds[1] ?? '')
      .execute();
    const middle = await verify(app);
    expect(middle.failures).toEqual([
      { sequence: 3, orderId: orderIds[2], problems: ['row 2 before it is missing (deleted)'] },
    ]);
    await app.handle.db
      .deleteFrom('order_evidence')
      .where('order_id', '=', orderIds[2] ?? '')
      .execute();
    const truncated = await verify(app);
    expect(truncated.failures).toEqual([
      {
        sequence: 2,
        orderId: null,
        problems: ['the log ends at row 1 but its head records row 3 (truncated)'],
      },
    ]);
  });

  it('re-verifies a period only, linking its first row to the row before it', async () => {
    const { t: app } = await withOrders();
    const rows = await createStores(app.handle.db, app.handle.dialect).orders.evidence.page(app.org.id, 0, 10);
    const result = await verify(app, { from: rows[1]?.acceptedAt, to: rows[2]?.acceptedAt });
    expect(result).toMatchObject({ rows: 1, ok: true, from: rows[1]?.acceptedAt, to: rows[2]?.acceptedAt });
    expect((await verify(app, { from: '2030-01-01T00:00:00.000Z' })).rows).toBe(0);
  });
});
