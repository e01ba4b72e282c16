import { testDatabaseKinds } from '@ntg/db/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from './gateway-test-app.ts';
import {
  createOrderTestApp,
  type OrderTestApp,
  orderRequest,
  storedCounts,
  submitOrder,
  type TradingClient,
  tradingClient,
} from './orders-test-app.ts';

/**
 * Threat: crafted order bodies that crash the gateway or slip past a check. Whatever the body, POST /gateway/v1/orders
 * answers a client error in the `{ code, message, requestId }` form; never a 500, and nothing is stored.
 */
const [sqlite] = testDatabaseKinds();

const jsonValue = fc.jsonValue({ maxDepth: 3 });

describe.skipIf(sqlite === undefined)('the order endpoint under fuzzing', () => {
  let t: OrderTestApp;
  let client: TradingClient;
  beforeAll(async () => {
    if (sqlite === undefined) return;
    t = await createOrderTestApp(sqlite);
    client = await tradingClient(t, 'fuzz-client');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 4xx with { code, message, requestId } to mutated bodies and stores nothing', async () => {
    const before = await storedCounts(t);
    const good = orderRequest(t, client);
    const paths = [
      ['payload'],
      ['signature'],
      ['payload', 'serial'],
      ['payload', 'nonce'],
      ['payload', 'timestamp'],
      ['payload', 'sessionId'],
      ['payload', 'order'],
      ['payload', 'order', 'quantity'],
      ['payload', 'order', 'price'],
      ['signature', 'value'],
      ['signature', 'format'],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), jsonValue, fc.boolean(), async (path, value, withMac) => {
        const body = structuredClone(good) as unknown as Record<string, unknown>;
        let target = body;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
        target[path[path.length - 1] ?? 'payload'] = value;
        const res = await t.app.inject({
          method: 'POST',
          url: '/gateway/v1/orders',
          headers: { ...bearer(client.token), ...(withMac ? { 'x-ntg-mac': 'A'.repeat(43) } : {}) },
          payload: body,
        });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        expect(res.json()).toMatchObject({
          code: expect.any(String),
          message: expect.any(String),
          requestId: expect.any(String),
        });
      }),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/gateway/v1/orders',
          headers: { ...bearer(client.token), 'content-type': 'application/json' },
          payload: text,
        });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
    expect(await storedCounts(t)).toEqual(before);
    // The untouched order is still accepted afterwards: the fuzzing used up no serial and no nonce.
    expect((await submitOrder(t, client, good)).statusCode).toBe(201);
  });
});
