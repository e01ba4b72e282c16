import { createHmac, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  canonicalJsonBytes,
  canonicalOrderBytes,
  type OrderPayload,
  type OrderSignature,
  submitOrderRequestSchema,
} from '@ntg/contracts';
import { describe, expect, it } from 'vitest';
import { toBase64url } from './base64url.ts';
import { GatewayError } from './gateway-error.ts';
import type { FetchLike } from './http.ts';
import { createOrdersClient, OrderInputError, type OrderSession } from './orders-client.ts';

const macKeyBytes = Buffer.alloc(32, 7);
const session: OrderSession = {
  token: 'ntgs_token',
  sessionId: 'ses_0123456789abc',
  organizationId: 'org_0123456789abc',
  clientId: 'a123456789',
  orderMacKey: macKeyBytes.toString('base64url'),
};
const limitOrder = {
  account: '9A95-1234567',
  symbol: '2330',
  side: 'buy',
  type: 'limit',
  quantity: 1000,
  price: '1085.5',
  timeInForce: 'ROD',
} as const;

/** A detached JWS over the canonical bytes, as a WebCrypto-key signer would make it. */
function jwsSigner() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const seen: { payload: OrderPayload; bytes: Uint8Array }[] = [];
  const sign = async (payload: OrderPayload, bytes: Uint8Array): Promise<OrderSignature> => {
    seen.push({ payload, bytes });
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', x5c: ['MIIB'] })).toString('base64url');
    const input = `${header}.${Buffer.from(bytes).toString('base64url')}`;
    const signature = nodeSign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return { format: 'jws', value: `${header}..${signature.toString('base64url')}` };
  };
  return { sign, seen };
}

function capturingFetch(status = 201, answer: unknown = { orderId: 'ord_1' }) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(answer), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, calls };
}

const hmac = (bytes: Uint8Array) => createHmac('sha256', macKeyBytes).update(bytes).digest('base64url');

describe('orders client: payload, signature and session MAC (ADR 0014)', () => {
  it('posts the signed payload with the MAC over the canonical body to /gateway/v1/orders', async () => {
    const signer = jwsSigner();
    const { fetch, calls } = capturingFetch();
    const client = createOrdersClient({
      baseUrl: 'https://gw.example/',
      fetch,
      session,
      signer,
      now: () => new Date('2026-12-07T01:02:03.456Z'),
    });
    const sent = await client.submit(limitOrder);
    expect(sent.response).toEqual({ orderId: 'ord_1' });
    const call = calls[0];
    expect(call?.url).toBe('https://gw.example/gateway/v1/orders');
    expect(call?.init.method).toBe('POST');
    const headers = call?.init.headers as Record<string, string>;
    expect(headers.authorization).toBe('Bearer ntgs_token');
    expect(headers['content-type']).toBe('application/json');
    const body = JSON.parse(String(call?.init.body));
    // The exact shape the gateway takes (strict: nothing unsigned rides along).
    const request = submitOrderRequestSchema.parse(body);
    expect(request.payload).toEqual({
      v: 1,
      organizationId: 'org_0123456789abc',
      clientId: 'a123456789',
      sessionId: 'ses_0123456789abc',
      serial: 1,
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      timestamp: '2026-12-07T01:02:03.456Z',
      order: { ...limitOrder, quantity: '1000' },
    });
    // The body is sent in its canonical form, and the MAC (checked with node:crypto) covers exactly those bytes.
    expect(String(call?.init.body)).toBe(new TextDecoder().decode(canonicalJsonBytes(body)));
    expect(headers['x-ntg-mac']).toBe(hmac(canonicalJsonBytes(body)));
    // The signer was given the payload and its canonical bytes (what the gateway re-creates and verifies).
    expect(signer.seen[0]?.payload).toEqual(request.payload);
    expect(Buffer.from(signer.seen[0]?.bytes ?? []).toString()).toBe(
      Buffer.from(canonicalOrderBytes(request.payload)).toString(),
    );
  });

  it('numbers orders 1, 2, 3 in the session with a fresh 16-byte nonce each (A35.4), sent in serial order', async () => {
    const { fetch, calls } = capturingFetch();
    const client = createOrdersClient({ baseUrl: 'https://gw.example', fetch, session, signer: jwsSigner() });
    await Promise.all([client.submit(limitOrder), client.submit(limitOrder), client.submit(limitOrder)]);
    const payloads = calls.map((c) => JSON.parse(String(c.init.body)).payload);
    expect(payloads.map((p) => p.serial)).toEqual([1, 2, 3]);
    const nonces = payloads.map((p) => p.nonce as string);
    expect(new Set(nonces).size).toBe(3);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64url').length).toBe(16);
    expect(client.nextSerial).toBe(4);
  });

  it('continues above a given serial, and a failed order still spends its serial (never reused)', async () => {
    const { fetch, calls } = capturingFetch(422, {
      code: 'ORDER_SIGNATURE_INVALID',
      message: 'The order signature does not verify.',
      requestId: 'req-7',
    });
    const client = createOrdersClient({
      baseUrl: 'https://gw.example',
      fetch,
      session,
      signer: jwsSigner(),
      firstSerial: 41,
    });
    const failed = await client.submit(limitOrder).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(GatewayError);
    expect(failed).toMatchObject({ code: 'ORDER_SIGNATURE_INVALID', status: 422, requestId: 'req-7' });
    await client.submit(limitOrder).catch(() => undefined);
    expect(calls.map((c) => JSON.parse(String(c.init.body)).payload.serial)).toEqual([41, 42]);
  });

  it('refuses an order the gateway would refuse before signing or sending it', async () => {
    const { fetch, calls } = capturingFetch();
    const signer = jwsSigner();
    const client = createOrdersClient({ baseUrl: 'https://gw.example', fetch, session, signer });
    const bad = [
      { ...limitOrder, quantity: 10.5 },
      { ...limitOrder, price: undefined },
      { ...limitOrder, type: 'market' as const },
      { ...limitOrder, price: '1,085.5' },
    ];
    for (const order of bad) {
      await expect(client.submit(order)).rejects.toBeInstanceOf(OrderInputError);
    }
    const error = await client.prepare({ ...limitOrder, price: undefined }).catch((e: unknown) => e);
    expect((error as OrderInputError).issues).toEqual(['order.price: a limit order needs a price']);
    expect(calls).toHaveLength(0);
    expect(signer.seen).toHaveLength(0);
  });

  it('refuses a signer answer that is not a signature, and a MAC key that is not 32 bytes', async () => {
    const { fetch, calls } = capturingFetch();
    const client = createOrdersClient({
      baseUrl: 'https://gw.example',
      fetch,
      session,
      signer: { sign: async () => ({ format: 'cms', value: 'not base64!' }) as OrderSignature },
    });
    await expect(client.submit(limitOrder)).rejects.toThrow(
      /The signer returned no usable signature: value: CMS is base64 DER/,
    );
    expect(calls).toHaveLength(0);
    expect(() =>
      createOrdersClient({
        baseUrl: 'x',
        session: { ...session, orderMacKey: toBase64url(new Uint8Array(16)) },
        signer: jwsSigner(),
      }),
    ).toThrow(/orderMacKey must decode to 32 bytes, got 16/);
    expect(() =>
      createOrdersClient({ baseUrl: 'x', session: { ...session, orderMacKey: 'a+b/' }, signer: jwsSigner() }),
    ).toThrow(/orderMacKey is not base64url/);
  });

  it('speaks real HTTP: a local server receives the canonical body and a MAC it can verify', async () => {
    const received: { headers: IncomingMessage['headers']; body: string; url: string | undefined }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        received.push({ headers: request.headers, body, url: request.url });
        const parsed = submitOrderRequestSchema.safeParse(JSON.parse(body));
        const macOk = request.headers['x-ntg-mac'] === hmac(canonicalJsonBytes(JSON.parse(body)));
        response.writeHead(parsed.success && macOk ? 201 : 401, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify(macOk ? { orderId: 'ord_2' } : { code: 'ORDER_MAC_INVALID', message: 'x', requestId: 'r' }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const client = createOrdersClient({ baseUrl: `http://127.0.0.1:${port}`, session, signer: jwsSigner() });
      const sent = await client.submit({ ...limitOrder, type: 'market', price: undefined, timeInForce: 'IOC' });
      expect(sent.response).toEqual({ orderId: 'ord_2' });
      expect(received[0]?.url).toBe('/gateway/v1/orders');
      expect(JSON.parse(received[0]?.body ?? '{}').payload.order).toEqual({
        account: '9A95-1234567',
        symbol: '2330',
        side: 'buy',
        type: 'market',
        quantity: '1000',
        timeInForce: 'IOC',
      });
      // A MAC made with another session's key is what a stolen request replayed elsewhere would carry.
      const other = createOrdersClient({
        baseUrl: `http://127.0.0.1:${port}`,
        session: { ...session, orderMacKey: Buffer.alloc(32, 8).toString('base64url') },
        signer: jwsSigner(),
      });
      await expect(other.submit(limitOrder)).rejects.toMatchObject({ code: 'ORDER_MAC_INVALID', status: 401 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
