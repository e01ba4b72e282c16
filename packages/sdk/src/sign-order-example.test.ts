import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJsonBytes, type IssuedSession, type OrderSignature, submitOrderRequestSchema } from '@ntg/contracts';
import { buildPkcs12 } from '@ntg/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { orderSessionOf, runSignOrderExample } from '../examples/sign-order.ts';
import type { FetchLike } from './http.ts';
import type { OrderSession } from './orders-client.ts';

const opensslPresent = spawnSync('openssl', ['version'], { stdio: 'ignore' }).error === undefined;
const session: OrderSession = {
  token: 'ntgs_example',
  sessionId: 'ses_0123456789abc',
  organizationId: 'org_0123456789abc',
  clientId: 'a123456789',
  orderMacKey: Buffer.alloc(32, 9).toString('base64url'),
};

describe.skipIf(!opensslPresent)('packages/sdk/examples/sign-order.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntg-sign-order-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a legacy .pfx, signs with its key through the orders client and posts a MACed order', async () => {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-subj', '/CN=A123456789'].concat([
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]),
      { stdio: 'ignore', env: { ...process.env, OPENSSL_CONF: '/dev/null' } },
    );
    const pfx = await buildPkcs12({
      certificate: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      privateKey: readFileSync(join(dir, 'key.pem'), 'utf8'),
      password: 'pfx-password',
      protection: 'legacy',
    });
    const bodies: string[] = [];
    const macs: string[] = [];
    const fetch: FetchLike = async (_url, init) => {
      bodies.push(String(init.body));
      macs.push((init.headers as Record<string, string>)['x-ntg-mac'] ?? '');
      return new Response(JSON.stringify({ orderId: 'ord_example' }), { status: 201 });
    };
    const lines: string[] = [];
    let signedWith = '';
    const sent = await runSignOrderExample({
      baseUrl: 'https://gw.example',
      fetch,
      pfx,
      pfxPassword: 'pfx-password',
      session,
      order: {
        account: '9A95-1234567',
        symbol: '2330',
        side: 'sell',
        type: 'limit',
        quantity: 2000,
        price: '1090',
        timeInForce: 'ROD',
      },
      // An RSA signature with the key from the .pfx (the CMS wrapping is order-signer.ts's part).
      signerFor:
        async (contents) =>
        async (_payload, bytes): Promise<OrderSignature> => {
          signedWith = contents.privateKey.algorithm.name;
          const raw = await globalThis.crypto.subtle.sign('RSASSA-PKCS1-v1_5', contents.privateKey, bytes);
          return { format: 'cms', value: Buffer.from(raw).toString('base64') };
        },
      log: (line) => lines.push(line),
    });
    expect(signedWith).toBe('RSASSA-PKCS1-v1_5');
    const request = submitOrderRequestSchema.parse(JSON.parse(bodies[0] ?? '{}'));
    expect(request.payload).toMatchObject({ serial: 1, order: { quantity: '2000', price: '1090', side: 'sell' } });
    const expectedMac = (await import('node:crypto'))
      .createHmac('sha256', Buffer.alloc(32, 9))
      .update(canonicalJsonBytes(request))
      .digest('base64url');
    expect(macs[0]).toBe(expectedMac);
    expect(sent.response).toEqual({ orderId: 'ord_example' });
    expect(lines[0]).toMatch(/^opened the \.pfx: signer certificate of \d+ bytes, 0 more$/);
    expect(lines.at(-1)).toBe('gateway answered: {"orderId":"ord_example"}');
  });
});

describe('orderSessionOf', () => {
  const issued: Omit<IssuedSession, 'sessionId' | 'orderMacKey'> = {
    token: 'ntgs_x',
    accountId: 'cla_0000000000000000000000001',
    expiresAt: '2026-12-07T09:00:00.000Z',
    idleTimeoutSeconds: 900,
    authenticatedAt: {},
  };

  it('takes the session id and MAC key from the login, and the firm and client from what the app knows', () => {
    const withOrders = { ...issued, sessionId: 'ses_0123456789abc', orderMacKey: session.orderMacKey };
    expect(orderSessionOf(withOrders, { organizationId: 'org_0123456789abc', clientId: 'a123456789' })).toEqual({
      ...session,
      token: 'ntgs_x',
    });
  });

  it('names what a gateway without signed orders left out', () => {
    expect(() => orderSessionOf(issued, { clientId: 'a1' })).toThrow(
      'The login gave no sessionId, orderMacKey, organizationId: this gateway does not take signed orders yet.',
    );
  });
});
