import type { RevocationStatus } from '@ntg/core';
import { testDatabaseKinds } from '@ntg/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, orgSlug } from './gateway-test-app.ts';
import {
  createOrderTestApp,
  createSecondInstance,
  orderRequest,
  submitOrder,
  testVerification,
  tradingClient,
} from './orders-test-app.ts';

type OrderTestApp = Awaited<ReturnType<typeof createOrderTestApp>>;

/**
 * What the gateway remembers between orders (parsed certificates by DER hash, the path found for a signer, groups of
 * orders committed together) must never let an order through on a verdict that is no longer true: revocation is asked
 * per order, the approved CAs and the binding are read per order, on every instance (A35, A36.5).
 */
describe.each(testDatabaseKinds())('order verdicts stay current on $name (A35, A36.5)', (kind) => {
  let t: OrderTestApp;
  /** Another instance on the same database, with its own connections, as a PostgreSQL deployment runs several. */
  let second: OrderTestApp;
  let status: RevocationStatus = { status: 'good', source: 'crl' };
  const revocation = { check: async () => status };

  beforeAll(async () => {
    t = await createOrderTestApp(kind, { verification: testVerification({ revocation }) });
    second = await createSecondInstance(t, kind, { verification: testVerification({ revocation }) });
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  it('a certificate revoked after its first order is refused on the next order', async () => {
    status = { status: 'good', source: 'crl' };
    const client = await tradingClient(t, 'fresh-revoked');
    expect((await submitOrder(t, client, orderRequest(t, client))).statusCode).toBe(201);
    status = { status: 'revoked', source: 'crl', detail: 'revoked on 2026-01-15T00:00:00.000Z' };
    const refused = await submitOrder(t, client, orderRequest(t, client));
    expect(refused.json()).toMatchObject({ code: 'ORDER_CERTIFICATE_REVOKED' });
    // A35: when revocation cannot be established after a good answer, the default still fails closed.
    status = { status: 'unknown', source: 'crl', detail: 'the CRL could not be loaded' };
    const unknown = await submitOrder(t, client, orderRequest(t, client));
    expect(unknown.json()).toMatchObject({ code: 'ORDER_REVOCATION_UNKNOWN' });
    status = { status: 'good', source: 'crl' };
  });

  it('removing an approved CA on one instance refuses orders from certificates it issued at once on another', async () => {
    const client = await tradingClient(t, 'fresh-removed-ca');
    // Both instances have verified this signer, so each has its path and parsed certificates in memory.
    expect((await submitOrder(t, client, orderRequest(t, client))).statusCode).toBe(201);
    expect((await submitOrder(second, client, orderRequest(t, client))).statusCode).toBe(201);
    const url = `/api/v1/organizations/${orgSlug}/approved-cas`;
    const list = (await second.app.inject({ method: 'GET', url, headers: auth })).json() as {
      approvedCas: { id: string }[];
    };
    for (const ca of list.approvedCas) {
      const removed = await second.app.inject({ method: 'DELETE', url: `${url}/${ca.id}`, headers: auth });
      expect(removed.statusCode).toBe(200);
    }
    const refused = await submitOrder(t, client, orderRequest(t, client));
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'ORDER_CERTIFICATE_UNTRUSTED' });
  });
});
