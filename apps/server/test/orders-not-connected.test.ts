import { certificateFingerprint, newId } from '@ntg/core';
import { createStores } from '@ntg/db';
import { testDatabaseKinds } from '@ntg/db/testing';
import { createTestCa, issueTestSigner } from '@ntg/test-kit/orders';
import { describe, expect, it } from 'vitest';
import { orderVerification } from '../src/wiring/order-verification-wiring.ts';
import { enrolClient } from './gateway-test-app.ts';
import {
  auth,
  bindCertificate,
  createOrderTestApp,
  login,
  orderRequest,
  storedCounts,
  submitOrder,
  type TradingClient,
} from './orders-test-app.ts';

describe.each(testDatabaseKinds().slice(0, 1))('order verification not yet connected ($name)', (kind) => {
  it('fails closed: CAs, certificates and orders are refused with NOT_READY, never accepted unverified', async () => {
    const ca = await createTestCa('Unconnected CA');
    // The production wiring; the test app approves no CA itself when given one.
    const t = await createOrderTestApp(kind, { verification: orderVerification(), ca });
    try {
      const added = await t.app.inject({
        method: 'POST',
        url: '/api/v1/organizations/alpha-securities/approved-cas',
        headers: auth,
        payload: { name: 'Unconnected CA', certificate: ca.pem },
      });
      expect(added.statusCode).toBe(503);
      expect(added.json()).toMatchObject({ code: 'NOT_READY', requestId: expect.any(String) });
      const listed = await t.app.inject({
        method: 'GET',
        url: '/api/v1/organizations/alpha-securities/approved-cas',
        headers: auth,
      });
      expect(listed.json()).toEqual({ approvedCas: [] });

      // A CA written straight into the store, so the order path reaches the verifier.
      const stores = createStores(t.handle.db, t.handle.dialect);
      await stores.orders.approvedCas.insert({
        id: newId('aca'),
        organizationId: t.org.id,
        name: 'Unconnected CA',
        certificateDer: ca.der,
        fingerprint: certificateFingerprint(ca.der),
        subject: 'CN=Unconnected CA',
        notAfter: '2031-01-01T00:00:00.000Z',
        crlUrls: [],
        ocspUrl: null,
        unknownRevocation: 'fail-closed',
        addedBy: 'usr_test',
        addedAt: t.clock.now().toISOString(),
        removedBy: null,
        removedAt: null,
      });
      const enrolled = await enrolClient(t, 'unconnected-client');
      const signer = await issueTestSigner(ca, 'unconnected-client');
      const bound = await bindCertificate(t, enrolled.accountId, signer);
      expect(bound.json()).toMatchObject({ code: 'NOT_READY' });
      const session = await login(t, enrolled);
      const client: TradingClient = { ...enrolled, ...session, signer, serial: 0 };
      const before = await storedCounts(t);
      const order = await submitOrder(t, client, orderRequest(t, client));
      expect(order.statusCode).toBe(503);
      expect(order.json()).toMatchObject({ code: 'NOT_READY' });
      expect(await storedCounts(t)).toEqual(before);
    } finally {
      await t.close();
    }
  });
});
