import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  canonicalOrderBytes,
  type OrderPayload,
  orderPayloadSchema,
  submitOrderRequestSchema,
} from './orders.ts';

// Fixed test vectors (ADR 0014): these exact bytes are what clients sign. The SDK's tests use the same vectors, so a
// change to either side that alters one byte fails here first (A35.5: what was signed must be reproducible).
const limitOrder: OrderPayload = {
  v: 1,
  organizationId: 'org_0123456789abc',
  clientId: 'a123456789',
  sessionId: 'ses_0123456789abc',
  serial: 7,
  nonce: 'AAECAwQFBgcICQoLDA0ODw',
  timestamp: '2026-12-07T01:02:03.456Z',
  order: {
    account: '9A95-1234567',
    symbol: '2330',
    side: 'buy',
    type: 'limit',
    quantity: '1000',
    price: '1085.5',
    timeInForce: 'ROD',
  },
};
const limitOrderCanonical =
  '{"clientId":"a123456789","nonce":"AAECAwQFBgcICQoLDA0ODw","order":{"account":"9A95-1234567","price":"1085.5","quantity":"1000","side":"buy","symbol":"2330","timeInForce":"ROD","type":"limit"},"organizationId":"org_0123456789abc","serial":7,"sessionId":"ses_0123456789abc","timestamp":"2026-12-07T01:02:03.456Z","v":1}';
const limitOrderSha256 = 'c34a14e5bd2d0f7cd666ea2374f516b90c5dfdfdce9623c5bcd7fcbec52ec287';

describe('canonical order bytes (ADR 0014, A35.5)', () => {
  it('pins the canonical bytes of a limit order', async () => {
    const bytes = canonicalOrderBytes(orderPayloadSchema.parse(limitOrder));
    expect(new TextDecoder().decode(bytes)).toBe(limitOrderCanonical);
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
    expect(digest).toBe(limitOrderSha256);
  });

  it('does not depend on the order members were written in', () => {
    const shuffled = Object.fromEntries(Object.entries(limitOrder).reverse());
    expect(canonicalJson(shuffled)).toBe(limitOrderCanonical);
  });

  it('sorts members by UTF-16 code units and escapes strings as RFC 8785 does', () => {
    expect(canonicalJson({ b: 1, a: 2, A: 3, é: 4, '\u20ac': 5, '\ud83d\ude00': 6 })).toBe(
      '{"A":3,"a":2,"b":1,"é":4,"€":5,"😀":6}',
    );
    expect(canonicalJson({ s: 'line\nbreak "quoted" \u0001 中文' })).toBe(
      '{"s":"line\\nbreak \\"quoted\\" \\u0001 中文"}',
    );
    expect(canonicalJson([true, false, null, 0, -5])).toBe('[true,false,null,0,-5]');
  });

  it('refuses floats, non-finite numbers and non-plain objects instead of guessing a form', () => {
    expect(() => canonicalJson({ price: 1.5 })).toThrow(/safe integers/);
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/plain objects/);
    expect(() => canonicalJson({ big: 10n })).toThrow();
  });
});

describe('order payload schema', () => {
  it('refuses an unknown member, so nothing unsigned rides along', () => {
    expect(orderPayloadSchema.safeParse({ ...limitOrder, extra: 1 }).success).toBe(false);
    expect(orderPayloadSchema.safeParse({ ...limitOrder, order: { ...limitOrder.order, note: 'x' } }).success).toBe(
      false,
    );
  });

  it('refuses a price given as a JSON number and a fractional quantity', () => {
    expect(orderPayloadSchema.safeParse({ ...limitOrder, order: { ...limitOrder.order, price: 1085.5 } }).success).toBe(
      false,
    );
    expect(
      orderPayloadSchema.safeParse({ ...limitOrder, order: { ...limitOrder.order, quantity: '10.5' } }).success,
    ).toBe(false);
  });

  it('needs a price on limit orders and none on market orders', () => {
    const { price: _price, ...noPrice } = limitOrder.order;
    expect(orderPayloadSchema.safeParse({ ...limitOrder, order: noPrice }).success).toBe(false);
    expect(orderPayloadSchema.safeParse({ ...limitOrder, order: { ...noPrice, type: 'market' } }).success).toBe(true);
    expect(
      orderPayloadSchema.safeParse({ ...limitOrder, order: { ...limitOrder.order, type: 'market' } }).success,
    ).toBe(false);
  });

  it('refuses a nonce shorter than 16 bytes and a serial below 1', () => {
    expect(orderPayloadSchema.safeParse({ ...limitOrder, nonce: 'AAECAwQFBgcI' }).success).toBe(false);
    expect(orderPayloadSchema.safeParse({ ...limitOrder, serial: 0 }).success).toBe(false);
  });

  it('takes detached JWS and base64 CMS, and refuses an attached JWS payload', () => {
    expect(
      submitOrderRequestSchema.safeParse({ payload: limitOrder, signature: { format: 'cms', value: 'MIIB' } }).success,
    ).toBe(true);
    expect(
      submitOrderRequestSchema.safeParse({ payload: limitOrder, signature: { format: 'jws', value: 'eyJh..c2ln' } })
        .success,
    ).toBe(true);
    expect(
      submitOrderRequestSchema.safeParse({ payload: limitOrder, signature: { format: 'jws', value: 'eyJh.cGF5.c2ln' } })
        .success,
    ).toBe(false);
    expect(
      submitOrderRequestSchema.safeParse({ payload: limitOrder, signature: { format: 'cms', value: 'not base64!' } })
        .success,
    ).toBe(false);
  });
});
