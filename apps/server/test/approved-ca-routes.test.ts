import type { ApprovedCaView } from '@ntg/contracts';
import { testDatabaseKinds } from '@ntg/db/testing';
import { createTestCa, issueTestSigner } from '@ntg/test-kit/orders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionFor, roleMay } from '../src/http/console-access.ts';
import { enrolClient, orgSlug } from './gateway-test-app.ts';
import {
  auth,
  bindCertificate,
  createOrderTestApp,
  login,
  type OrderTestApp,
  orderRequest,
  submitOrder,
  type TradingClient,
} from './orders-test-app.ts';

describe('who may change the approved CAs (A36.5)', () => {
  it('administrators and compliance officers change them; auditors and asset owners only read', () => {
    const list = '/api/v1/organizations/:org/approved-cas';
    const one = '/api/v1/organizations/:org/approved-cas/:id';
    expect(permissionFor('GET', list)).toBe('read');
    expect(permissionFor('POST', list)).toBe('manage');
    expect(permissionFor('DELETE', one)).toBe('manage');
    expect(roleMay('administrator', 'manage')).toBe(true);
    expect(roleMay('compliance-officer', 'manage')).toBe(true);
    expect(roleMay('auditor', 'manage')).toBe(false);
    expect(roleMay('asset-owner', 'manage')).toBe(false);
    expect(roleMay('auditor', 'read')).toBe(true);
  });
});

describe.each(testDatabaseKinds())('approved-CA routes on $name (A36.5)', (kind) => {
  let t: OrderTestApp;
  const url = `/api/v1/organizations/${orgSlug}/approved-cas`;
  beforeAll(async () => {
    t = await createOrderTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('adds a CA from base64 DER, lists it, refuses it twice, removes it softly, each change audited', async () => {
    const ca = await createTestCa('Beta Root CA');
    const added = await t.app.inject({
      method: 'POST',
      url,
      headers: auth,
      payload: {
        name: 'Beta Root CA',
        certificate: Buffer.from(ca.der).toString('base64'),
        crlUrls: ['file:/var/lib/ntg/crl/beta.crl'],
        ocspUrl: 'http://ocsp.example.com.tw',
      },
    });
    expect(added.statusCode).toBe(201);
    const view = added.json() as ApprovedCaView;
    expect(view).toMatchObject({
      name: 'Beta Root CA',
      subject: expect.stringContaining('Beta Root CA'),
      unknownRevocation: 'fail-closed',
      crlUrls: ['file:/var/lib/ntg/crl/beta.crl'],
      removedAt: null,
    });
    expect(Buffer.from(view.certificateDer, 'base64').equals(Buffer.from(ca.der))).toBe(true);
    const twice = await t.app.inject({
      method: 'POST',
      url,
      headers: auth,
      payload: { name: 'again', certificate: ca.pem },
    });
    expect(twice.statusCode).toBe(409);
    const listed = (await t.app.inject({ method: 'GET', url, headers: auth })).json() as {
      approvedCas: ApprovedCaView[];
    };
    expect(listed.approvedCas.map((c) => c.id)).toContain(view.id);
    const removed = await t.app.inject({ method: 'DELETE', url: `${url}/${view.id}`, headers: auth });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toMatchObject({ removedAt: expect.any(String) });
    const again = await t.app.inject({ method: 'DELETE', url: `${url}/${view.id}`, headers: auth });
    expect(again.statusCode).toBe(404);
    const after = (await t.app.inject({ method: 'GET', url, headers: auth })).json() as {
      approvedCas: ApprovedCaView[];
    };
    expect(after.approvedCas.map((c) => c.id)).not.toContain(view.id);
    const all = (await t.app.inject({ method: 'GET', url: `${url}?includeRemoved=true`, headers: auth })).json() as {
      approvedCas: ApprovedCaView[];
    };
    expect(all.approvedCas.map((c) => c.id)).toContain(view.id);
    const actions = (
      await t.handle.db
        .selectFrom('audit_entries')
        .select('action')
        .where('object_id', '=', view.id)
        .orderBy('seq')
        .execute()
    ).map((r) => r.action);
    expect(actions).toEqual(['orders.approved-ca.add', 'orders.approved-ca.remove']);
  });

  it('refuses a certificate that is not a CA, text that is not a certificate, and unknown fields, with 400', async () => {
    const leaf = await issueTestSigner(t.ca, 'not-a-ca');
    const notCa = await t.app.inject({
      method: 'POST',
      url,
      headers: auth,
      payload: { name: 'leaf', certificate: leaf.pem },
    });
    expect(notCa.statusCode).toBe(400);
    expect(notCa.json()).toMatchObject({ code: 'APPROVED_CA_INVALID', requestId: expect.any(String) });
    const junk = await t.app.inject({
      method: 'POST',
      url,
      headers: auth,
      payload: { name: 'junk', certificate: 'x'.repeat(100) },
    });
    expect(junk.json()).toMatchObject({ code: 'APPROVED_CA_INVALID' });
    const extra = await t.app.inject({
      method: 'POST',
      url,
      headers: auth,
      payload: { name: 'x', certificate: leaf.pem, trustEverything: true },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    const anonymous = await t.app.inject({ method: 'GET', url });
    expect(anonymous.statusCode).toBe(401);
  });

  it('orders signed under a removed CA are refused from then on, and so are new bindings under it', async () => {
    const ca = await createTestCa('Gamma CA');
    const added = (
      await t.app.inject({ method: 'POST', url, headers: auth, payload: { name: 'Gamma CA', certificate: ca.pem } })
    ).json() as ApprovedCaView;
    const enrolled = await enrolClient(t, 'gamma-client');
    const signer = await issueTestSigner(ca, 'gamma-client');
    expect((await bindCertificate(t, enrolled.accountId, signer)).statusCode).toBe(201);
    const session = await login(t, enrolled);
    const client: TradingClient = { ...enrolled, ...session, signer, serial: 0 };
    expect((await submitOrder(t, client, orderRequest(t, client))).statusCode).toBe(201);
    await t.app.inject({ method: 'DELETE', url: `${url}/${added.id}`, headers: auth });
    const refused = await submitOrder(t, client, orderRequest(t, client));
    expect(refused.json()).toMatchObject({ code: 'ORDER_CERTIFICATE_UNTRUSTED' });
    const second = await bindCertificate(t, enrolled.accountId, await issueTestSigner(ca, 'gamma-2'));
    expect(second.json()).toMatchObject({ code: 'ORDER_CERTIFICATE_UNTRUSTED' });
  });
});
