import type { SubmitOrderResponse } from '@ntg/contracts';
import { type DatabaseHandle, openDatabase } from '@ntg/db';
import { testDatabaseKinds } from '@ntg/db/testing';
import { orderMac } from '@ntg/test-kit/orders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderConsoleServices } from '../src/wiring/order-services.ts';
import { testSecrets } from './gateway-test-app.ts';
import {
  createOrderTestApp,
  type OrderTestApp,
  orderRequest,
  storedCounts,
  submitOrder,
  type TradingClient,
  testVerification,
  tradingClient,
} from './orders-test-app.ts';

describe.each(testDatabaseKinds())('order replay and ordering on $name (A35.4)', (kind) => {
  let t: OrderTestApp;
  /** A second instance of the server on the same database, as a PostgreSQL deployment runs several. */
  let second: OrderTestApp;
  let secondHandle: DatabaseHandle;
  beforeAll(async () => {
    t = await createOrderTestApp(kind);
    // Its own connections (a second SQLite connection to the file, or a second PostgreSQL pool), as another process.
    const description = t.handle.description;
    secondHandle = description.startsWith('sqlite:')
      ? openDatabase({ kind: 'sqlite', file: description.slice('sqlite:'.length) })
      : openDatabase({ kind: 'postgres', url: description, poolMax: 10 });
    second = await createOrderTestApp(kind, { handle: secondHandle, clock: t.clock, ca: t.ca });
  });
  afterAll(async () => {
    await second.app.close();
    await secondHandle.close();
    await t.close();
  });

  it('A35.4: a replayed nonce is refused', async () => {
    const client = await tradingClient(t, 'replay-one');
    const body = orderRequest(t, client);
    expect((await submitOrder(t, client, body)).statusCode).toBe(201);
    const before = await storedCounts(t);
    const again = await submitOrder(t, client, body);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'ORDER_REPLAYED', requestId: expect.any(String) });
    // The same nonce with a later serial, freshly signed, is still the same order.
    const later = orderRequest(t, client, { nonce: body.payload.nonce });
    const replayedNonce = await submitOrder(t, client, later);
    expect(replayedNonce.json()).toMatchObject({ code: 'ORDER_REPLAYED' });
    expect(await storedCounts(t)).toEqual(before);
  });

  it('A35.4: 20 concurrent submissions of one nonce give exactly one acceptance', async () => {
    const client = await tradingClient(t, 'replay-concurrent');
    const body = orderRequest(t, client);
    const mac = orderMac(client.orderMacKey, body);
    const before = await storedCounts(t);
    // Half through each of two instances, all at once.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => submitOrder(i % 2 === 0 ? t : second, client, body, mac)),
    );
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.statusCode === 409)) {
      expect(r.json()).toMatchObject({ code: 'ORDER_REPLAYED' });
    }
    const after = await storedCounts(t);
    expect(after).toEqual({
      evidence: before.evidence + 1,
      trades: before.trades + 1,
      audits: before.audits + 1,
    });
  });

  it('keeps one unforked chain under concurrent orders of many sessions on two instances', async () => {
    // The clients log in one after another: each login moves the shared fake clock a TOTP step, and logins
    // interleaved on it would see their challenge or code age past the window. The race under test is the orders'.
    const clients: TradingClient[] = [];
    for (const i of [0, 1, 2, 3]) clients.push(await tradingClient(t, `chain-${i}`));
    const results = await Promise.all(
      clients.flatMap((c, i) =>
        [0, 1, 2].map((j) => submitOrder((i + j) % 2 === 0 ? t : second, c, orderRequest(t, c, { serial: 10 + j }))),
      ),
    );
    const accepted = results.filter((r) => r.statusCode === 201).map((r) => r.json() as SubmitOrderResponse);
    // Serials 10, 11, 12 race within each session: at least the first of each session lands, never two alike.
    expect(accepted.length).toBeGreaterThanOrEqual(4);
    for (const r of results.filter((x) => x.statusCode !== 201)) {
      expect(r.json()).toMatchObject({ code: 'ORDER_SERIAL_OUT_OF_ORDER' });
    }
    const sequences = accepted.map((a) => a.evidenceSequence).sort((a, b) => a - b);
    expect(new Set(sequences).size).toBe(sequences.length);
    const verification = await verifyEvidence(t);
    expect(verification.ok).toBe(true);
  });

  it('serial going backwards is refused, and so is a repeated serial', async () => {
    const client = await tradingClient(t, 'serial-back');
    expect((await submitOrder(t, client, orderRequest(t, client, { serial: 5 }))).statusCode).toBe(201);
    const before = await storedCounts(t);
    for (const serial of [5, 4, 1]) {
      const res = await submitOrder(t, client, orderRequest(t, client, { serial }));
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'ORDER_SERIAL_OUT_OF_ORDER' });
    }
    expect(await storedCounts(t)).toEqual(before);
    expect((await submitOrder(t, client, orderRequest(t, client, { serial: 6 }))).statusCode).toBe(201);
  });
});

/** Re-verifies the whole evidence log offline, as `ntg orders verify-evidence` does. */
function verifyEvidence(t: OrderTestApp) {
  return createOrderConsoleServices(t.handle, testSecrets, t.clock, testVerification()).evidence.verify(t.org.id);
}
