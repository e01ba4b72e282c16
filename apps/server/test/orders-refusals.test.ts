import { testDatabaseKinds } from '@ntg/db/testing';
import { createTestCa, issueTestSigner, orderMac, signOrderJws } from '@ntg/test-kit/orders';
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

describe.each(testDatabaseKinds())('refused orders on $name (A35.1-A35.4, A36.5)', (kind) => {
  let t: OrderTestApp;
  let alice: TradingClient;
  let bob: TradingClient;
  beforeAll(async () => {
    t = await createOrderTestApp(kind);
    alice = await tradingClient(t, 'refusal-alice');
    bob = await tradingClient(t, 'refusal-bob');
  });
  afterAll(async () => {
    await t.close();
  });

  /** Every refusal answers 4xx as { code, message, requestId } and stores nothing. */
  async function expectRefused(res: Awaited<ReturnType<typeof submitOrder>>, status: number, code: string) {
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({
      code,
      message: expect.any(String),
      requestId: expect.any(String),
      ...(code === 'VALIDATION_FAILED' ? { issues: expect.any(Array) } : {}),
    });
  }

  it('refused orders store nothing', async () => {
    const before = await storedCounts(t);
    await expectRefused(await submitOrder(t, alice, orderRequest(t, alice), 'A'.repeat(43)), 401, 'ORDER_MAC_INVALID');
    const stale = orderRequest(t, alice, { timestamp: new Date(t.clock.now().getTime() - 600_000).toISOString() });
    await expectRefused(await submitOrder(t, alice, stale), 422, 'ORDER_TIMESTAMP_SKEW');
    const unbound = orderRequest(t, alice, {}, bob.signer);
    await expectRefused(await submitOrder(t, alice, unbound), 422, 'ORDER_CERTIFICATE_NOT_BOUND');
    expect(await storedCounts(t)).toEqual(before);
    // None of the refusals used up a serial or a nonce: the next order is accepted.
    expect((await submitOrder(t, alice, orderRequest(t, alice))).statusCode).toBe(201);
  });

  it("MAC under another session's key is refused, and so is a missing MAC (A35.2, A35.3)", async () => {
    const body = orderRequest(t, alice);
    await expectRefused(await submitOrder(t, alice, body, orderMac(bob.orderMacKey, body)), 401, 'ORDER_MAC_INVALID');
    await expectRefused(await submitOrder(t, alice, body, null), 401, 'ORDER_MAC_INVALID');
    // The MAC covers the whole body: the same MAC over a changed signature value does not pass.
    const other = {
      ...body,
      signature: signOrderJws({ ...body.payload, serial: body.payload.serial + 1 }, alice.signer),
    };
    await expectRefused(
      await submitOrder(t, alice, other, orderMac(alice.orderMacKey, body)),
      401,
      'ORDER_MAC_INVALID',
    );
  });

  it("an order for another client's session is refused, even with a valid MAC of the sending session", async () => {
    // Bob's order, signed by Bob for Bob's session, sent through Alice's session with Alice's MAC.
    const bobs = orderRequest(t, bob);
    await expectRefused(await submitOrder(t, alice, bobs, orderMac(alice.orderMacKey, bobs)), 403, 'FORBIDDEN');
    // Alice naming Bob as the client in her own session.
    const impersonating = orderRequest(t, alice, { clientId: bob.identifier });
    await expectRefused(await submitOrder(t, alice, impersonating), 403, 'FORBIDDEN');
    const otherOrg = orderRequest(t, alice, { organizationId: 'org_00000000000000000000000000' });
    await expectRefused(await submitOrder(t, alice, otherOrg), 403, 'FORBIDDEN');
  });

  it('timestamp outside the skew window is refused either way; inside it is accepted', async () => {
    const now = t.clock.now().getTime();
    for (const offset of [-121_000, 121_000]) {
      const res = await submitOrder(
        t,
        alice,
        orderRequest(t, alice, { timestamp: new Date(now + offset).toISOString() }),
      );
      await expectRefused(res, 422, 'ORDER_TIMESTAMP_SKEW');
    }
    const edge = orderRequest(t, alice, { timestamp: new Date(now - 119_000).toISOString() });
    expect((await submitOrder(t, alice, edge)).statusCode).toBe(201);
  });

  it('a certificate not bound to this account is refused, and so is one from an unapproved CA', async () => {
    const unboundSameCa = await issueTestSigner(t.ca, 'refusal-unbound');
    await expectRefused(
      await submitOrder(t, alice, orderRequest(t, alice, {}, unboundSameCa)),
      422,
      'ORDER_CERTIFICATE_NOT_BOUND',
    );
    const foreign = await issueTestSigner(await createTestCa('Foreign CA'), 'refusal-foreign');
    await expectRefused(
      await submitOrder(t, alice, orderRequest(t, alice, {}, foreign)),
      422,
      'ORDER_CERTIFICATE_UNTRUSTED',
    );
  });

  it('a changed order under the original signature is refused (A35.1 integrity)', async () => {
    const body = orderRequest(t, alice);
    const tampered = { ...body, payload: { ...body.payload, order: { ...body.payload.order, quantity: '9000' } } };
    await expectRefused(await submitOrder(t, alice, tampered), 422, 'ORDER_SIGNATURE_INVALID');
  });

  it('bad input (unknown fields, wrong types, oversized) gets 4xx with {code,message,requestId}, never 500', async () => {
    const good = orderRequest(t, alice);
    const cases: Record<string, unknown>[] = [
      { ...good, extra: 1 },
      { ...good, payload: { ...good.payload, unsigned: 'rides along' } },
      { ...good, payload: { ...good.payload, order: { ...good.payload.order, note: 'x' } } },
      { ...good, payload: { ...good.payload, serial: '1' } },
      { ...good, payload: { ...good.payload, serial: 1.5 } },
      { ...good, payload: { ...good.payload, order: { ...good.payload.order, quantity: 1000 } } },
      { ...good, payload: { ...good.payload, order: { ...good.payload.order, price: '1e3' } } },
      { ...good, payload: { ...good.payload, timestamp: '2026-01-15 01:00:00' } },
      { ...good, payload: { ...good.payload, nonce: 'short' } },
      { ...good, signature: { format: 'pgp', value: 'abc' } },
      { payload: good.payload },
      {},
    ];
    for (const body of cases) {
      // The body is checked before the MAC, so any MAC will do (some of these bodies have no canonical form).
      const res = await submitOrder(t, alice, body, 'A'.repeat(43));
      expect(res.statusCode, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.any(String),
        requestId: expect.any(String),
      });
    }
    const notJson = await t.app.inject({
      method: 'POST',
      url: '/gateway/v1/orders',
      headers: { ...bearer(alice.token), 'content-type': 'application/json' },
      payload: '{"payload":',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toMatchObject({ code: 'BAD_REQUEST', requestId: expect.any(String) });
    const oversized = await t.app.inject({
      method: 'POST',
      url: '/gateway/v1/orders',
      headers: { ...bearer(alice.token), 'content-type': 'application/json' },
      payload: JSON.stringify({ ...good, padding: 'x'.repeat(70 * 1024) }),
    });
    expect(oversized.statusCode).toBe(413);
    expect(oversized.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', requestId: expect.any(String) });
    const noSession = await t.app.inject({ method: 'POST', url: '/gateway/v1/orders', payload: good });
    expect(noSession.statusCode).toBe(401);
    expect(noSession.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
