import { z } from 'zod';
import { organizationIdSchema } from './organizations.ts';

/**
 * Signed orders (Directions A35, A36.5; docs/adr/0014). The payload a client signs, its canonical bytes and the
 * request `POST /gateway/v1/orders` takes. Shared by the server and @ntg/sdk, so both produce the same bytes; no
 * Node APIs here (the SDK runs in browsers).
 */

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'use base64url without padding');
const decimalString = (what: string) =>
  z
    .string()
    .max(32)
    .regex(/^(0|[1-9]\d{0,17})(\.\d{1,8})?$/, `${what} is a decimal string such as "12.5"`);

export const orderSessionIdSchema = z.string().regex(/^ses_[0-9a-z]{10,40}$/, 'a session id looks like ses_…');

/** The order itself: quantities and prices are decimal strings, so no float rounding changes what was signed. */
export const orderBodySchema = z
  .object({
    account: z.string().min(1).max(32),
    symbol: z.string().min(1).max(16),
    side: z.enum(['buy', 'sell']),
    type: z.enum(['limit', 'market']),
    quantity: decimalString('quantity').refine((q) => /^[1-9]\d*$/.test(q), 'quantity is a whole number of shares'),
    price: decimalString('price').optional(),
    timeInForce: z.enum(['ROD', 'IOC', 'FOK']),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.type === 'limit' && o.price === undefined) {
      ctx.addIssue({ code: 'custom', path: ['price'], message: 'a limit order needs a price' });
    }
    if (o.type === 'market' && o.price !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['price'], message: 'a market order has no price' });
    }
  });
export type OrderBody = z.infer<typeof orderBodySchema>;

/** What the client signs (ADR 0014). Unknown members are refused, so nothing unsigned rides along. */
export const orderPayloadSchema = z
  .object({
    v: z.literal(1),
    organizationId: organizationIdSchema,
    clientId: z.string().min(1).max(128),
    sessionId: orderSessionIdSchema,
    /** A35.4: strictly increasing within the session. */
    serial: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    /** A35.4: accepted once per organization, ever; 16 to 64 random bytes. */
    nonce: base64url.min(22).max(86),
    /** RFC 3339 UTC with milliseconds, e.g. 2026-12-07T01:02:03.456Z. */
    timestamp: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'a UTC timestamp such as 2026-12-07T01:02:03.456Z'),
    order: orderBodySchema,
  })
  .strict();
export type OrderPayload = z.infer<typeof orderPayloadSchema>;

export const orderSignatureFormats = ['cms', 'jws'] as const;

export const orderSignatureSchema = z.discriminatedUnion('format', [
  /** Base64 (standard alphabet) DER of a CMS ContentInfo with SignedData, detached or with the canonical bytes. */
  z
    .object({
      format: z.literal('cms'),
      value: z
        .string()
        .min(1)
        .max(32_768)
        .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'CMS is base64 DER'),
    })
    .strict(),
  /** JWS compact serialization with a detached payload: `header..signature`. */
  z
    .object({
      format: z.literal('jws'),
      value: z
        .string()
        .min(1)
        .max(32_768)
        .regex(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/, 'JWS is compact with a detached payload (header..signature)'),
    })
    .strict(),
]);
export type OrderSignature = z.infer<typeof orderSignatureSchema>;

/** `POST /gateway/v1/orders`; the `x-ntg-mac` header carries HMAC-SHA256 over `canonicalJsonBytes(body)`. */
export const submitOrderRequestSchema = z
  .object({ payload: orderPayloadSchema, signature: orderSignatureSchema })
  .strict();
export type SubmitOrderRequest = z.infer<typeof submitOrderRequestSchema>;

/** The header that carries the session MAC over the request body (A35.2, A35.3). */
export const orderMacHeader = 'x-ntg-mac';

/**
 * RFC 8785 (JSON Canonicalization Scheme) over the JSON this product signs: objects, arrays, strings, booleans,
 * null and safe integers. Members sorted by UTF-16 code units, no whitespace, strings escaped as JSON.stringify
 * does (which is what RFC 8785 prescribes). Floats, non-finite numbers and undefined members are refused rather than
 * serialized in some way the other side might not repeat.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError('canonical JSON holds safe integers only');
      return Object.is(value, -0) ? '0' : String(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new TypeError('canonical JSON holds plain objects only');
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      // Default sort compares UTF-16 code units, as RFC 8785 section 3.2.3 requires.
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

/** The UTF-8 bytes of `canonicalJson(value)`. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

/** The bytes a client signs for an order (ADR 0014): the canonical JSON of the validated payload. */
export function canonicalOrderBytes(payload: OrderPayload): Uint8Array {
  return canonicalJsonBytes(payload);
}

// Answers of the order endpoints (A35.5). An accepted order names its row in the evidence chain, so the client can
// keep a receipt an inspector can check against `ntg orders verify-evidence`.

export const orderIdSchema = z.string().regex(/^ord_[0-9a-z]{10,40}$/, 'an order id looks like ord_…');

export const submitOrderResponseSchema = z.object({
  orderId: orderIdSchema,
  acceptedAt: z.string(),
  evidenceSequence: z.number().int().min(1),
  /** SHA-256 of the evidence row, lowercase hex. */
  evidenceHash: z.string(),
});
export type SubmitOrderResponse = z.infer<typeof submitOrderResponseSchema>;

/** `GET /gateway/v1/admin/orders`: accepted orders of one organization, newest first. */
export const orderEvidenceQuerySchema = z.object({
  organizationId: organizationIdSchema,
  account: z
    .string()
    .regex(/^cla_[0-9a-z]{10,40}$/, 'a client account id looks like cla_…')
    .optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type OrderEvidenceQuery = z.infer<typeof orderEvidenceQuerySchema>;

export const acceptedOrderSchema = z.object({
  orderId: orderIdSchema,
  sequence: z.number().int(),
  accountId: z.string(),
  sessionId: z.string(),
  serial: z.number().int(),
  acceptedAt: z.string(),
  /** Null when the stored bytes are no longer an order payload: `ntg orders verify-evidence` names such a row. */
  order: orderBodySchema.nullable(),
  signatureFormat: z.enum(orderSignatureFormats),
  signerSubject: z.string(),
  signerFingerprint: z.string(),
  hash: z.string(),
});
export type AcceptedOrder = z.infer<typeof acceptedOrderSchema>;

export const acceptedOrderListSchema = z.object({ orders: z.array(acceptedOrderSchema) });

/** The outcome of re-verifying stored orders offline: every failing row is named, not only the first. */
export const orderEvidenceVerificationSchema = z.object({
  organizationId: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  rows: z.number().int(),
  ok: z.boolean(),
  failures: z.array(
    z.object({
      sequence: z.number().int(),
      orderId: z.string().nullable(),
      problems: z.array(z.string()),
    }),
  ),
});
export type OrderEvidenceVerification = z.infer<typeof orderEvidenceVerificationSchema>;
