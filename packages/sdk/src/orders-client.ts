/**
 * Sends signed orders to the gateway (Directions A35; docs/adr/0014). For each order the client builds the payload
 * the person signs (the session's next serial number and a fresh random nonce against replay, A35.4; the time of
 * signing), has it signed by a pluggable signer (CMS from a .pfx certificate, JWS from a WebCrypto key: see
 * order-signer.ts and loadPkcs12), adds the session MAC over the whole request body (A35.2, A35.3) and posts it.
 * Browser and Node: WebCrypto through globalThis.crypto only.
 */
import {
  canonicalJson,
  canonicalOrderBytes,
  type OrderBody,
  type OrderPayload,
  type OrderSignature,
  orderMacHeader,
  orderPayloadSchema,
  orderSignatureSchema,
  type SubmitOrderRequest,
} from '@ntg/contracts';
import { z } from 'zod';
import { fromBase64url, toBase64url } from './base64url.ts';
import { type HttpOptions, requestJson } from './http.ts';

type Subtle = typeof globalThis.crypto.subtle;
type MacKey = Awaited<ReturnType<Subtle['importKey']>>;

/** What the login gave this session for orders; `orderMacKey` is shown once, keep it in memory only. */
export interface OrderSession {
  /** The gateway session's bearer token. */
  token: string;
  /** `ses_…`: the session the orders are sent in. */
  sessionId: string;
  /** `org_…`: the firm. */
  organizationId: string;
  /** The client identifier as the gateway normalized it. */
  clientId: string;
  /** base64url of the session's 32-byte MAC key (`session.orderMacKey` in the login response). */
  orderMacKey: string;
}

/**
 * Signs the canonical bytes of a payload; returns the `{ format, value }` the gateway takes. A function, or an object
 * with `sign` (e.g. a CMS signer holding a certificate and key from loadPkcs12).
 */
export type OrderSignFunction = (payload: OrderPayload, canonicalBytes: Uint8Array) => Promise<OrderSignature>;
export type OrderSigner = OrderSignFunction | { sign: OrderSignFunction };

/** An order as the app has it: quantity may be a whole number; price stays a decimal string, never a float. */
export type OrderInput = Omit<OrderBody, 'quantity'> & { quantity: string | number | bigint };

export interface OrdersClientOptions extends HttpOptions {
  session: OrderSession;
  signer: OrderSigner;
  /**
   * The serial of the first order this client sends; 1 for a new session. An app that restarts within a session
   * continues above the last serial it sent (the gateway refuses anything not above the last it accepted).
   */
  firstSerial?: number;
  /** The clock of the device; the gateway refuses a timestamp outside its skew window (±120 s by default). */
  now?: () => Date;
  /** Schema for the gateway's answer; by default any JSON object is returned as it came. */
  responseSchema?: z.ZodType;
}

export interface PreparedOrder {
  body: SubmitOrderRequest;
  /** The exact JSON sent: the canonical form of `body`, which the MAC covers. */
  json: string;
  /** The `x-ntg-mac` header value. */
  mac: string;
}

export interface SubmittedOrder extends PreparedOrder {
  response: unknown;
}

export interface OrdersClient {
  /** Builds, signs and MACs one order without sending it (the serial is used up). */
  prepare(order: OrderInput): Promise<PreparedOrder>;
  /** Builds, signs, MACs and posts one order. Orders are sent one after another, in serial order. */
  submit(order: OrderInput): Promise<SubmittedOrder>;
  /** The serial the next order will carry. */
  readonly nextSerial: number;
}

/** An order the SDK refuses to build or sign: the gateway would refuse it too, so it is never sent. */
export class OrderInputError extends Error {
  readonly issues: string[];
  constructor(message: string, issues: string[] = []) {
    super(issues.length === 0 ? message : `${message}: ${issues.join('; ')}`);
    this.name = 'OrderInputError';
    this.issues = issues;
  }
}

function subtle(): Subtle {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new OrderInputError('WebCrypto (globalThis.crypto.subtle) is not available');
  return s;
}

/** A whole number of shares as the decimal string the payload carries. */
function quantityString(quantity: OrderInput['quantity']): string {
  if (typeof quantity === 'string') return quantity;
  if (typeof quantity === 'bigint') return quantity.toString();
  if (!Number.isSafeInteger(quantity)) {
    throw new OrderInputError('quantity must be a whole number of shares', [`got ${quantity}`]);
  }
  return String(quantity);
}

/** HMAC-SHA256 of the canonical bytes of the request body, base64url (ADR 0014, A35.2). */
export async function orderRequestMac(macKey: MacKey, body: SubmitOrderRequest): Promise<string> {
  const signature = await subtle().sign('HMAC', macKey, new TextEncoder().encode(canonicalJson(body)));
  return toBase64url(new Uint8Array(signature));
}

function macKeyBytes(orderMacKey: string): Uint8Array {
  const raw = fromBase64url(orderMacKey);
  if (raw === null) throw new OrderInputError('orderMacKey is not base64url');
  if (raw.length !== 32) throw new OrderInputError(`orderMacKey must decode to 32 bytes, got ${raw.length}`);
  return raw;
}

/** Imports the session's MAC key for signing only, not extractable. */
export async function importOrderMacKey(orderMacKey: string): Promise<MacKey> {
  return subtle().importKey('raw', macKeyBytes(orderMacKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`);
}

export function createOrdersClient(options: OrdersClientOptions): OrdersClient {
  const { session } = options;
  const sign: OrderSignFunction =
    typeof options.signer === 'function' ? options.signer : options.signer.sign.bind(options.signer);
  const now = options.now ?? (() => new Date());
  const responseSchema = options.responseSchema ?? z.unknown();
  let serial = options.firstSerial ?? 1;
  if (!Number.isSafeInteger(serial) || serial < 1) throw new OrderInputError('firstSerial is a whole number from 1');
  // A malformed key is refused here, before any order; the imported key is never logged and never exported.
  const rawMacKey = macKeyBytes(session.orderMacKey);
  const macKey = subtle().importKey('raw', rawMacKey, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  // One order at a time: the gateway wants serials strictly increasing, so they must also arrive in that order.
  let queue: Promise<unknown> = Promise.resolve();

  const prepare = async (order: OrderInput): Promise<PreparedOrder> => {
    const nonce = new Uint8Array(16);
    globalThis.crypto.getRandomValues(nonce);
    const candidate = {
      v: 1,
      organizationId: session.organizationId,
      clientId: session.clientId,
      sessionId: session.sessionId,
      serial,
      nonce: toBase64url(nonce),
      timestamp: now().toISOString(),
      order: { ...order, quantity: quantityString(order.quantity) },
    };
    const parsed = orderPayloadSchema.safeParse(candidate);
    if (!parsed.success) throw new OrderInputError('The order cannot be sent', issuesOf(parsed.error));
    // The serial is spent once the payload exists: a retry after a failure carries a new serial and nonce.
    serial += 1;
    const payload = parsed.data;
    const signature = orderSignatureSchema.safeParse(await sign(payload, canonicalOrderBytes(payload)));
    if (!signature.success) {
      throw new OrderInputError('The signer returned no usable signature', issuesOf(signature.error));
    }
    const body: SubmitOrderRequest = { payload, signature: signature.data };
    return { body, json: canonicalJson(body), mac: await orderRequestMac(await macKey, body) };
  };

  const submitNow = async (order: OrderInput): Promise<SubmittedOrder> => {
    const prepared = await prepare(order);
    const response = await requestJson(options, 'POST', '/gateway/v1/orders', responseSchema, {
      json: prepared.json,
      bearer: session.token,
      headers: { [orderMacHeader]: prepared.mac },
    });
    return { ...prepared, response };
  };

  return {
    prepare,
    submit(order) {
      const result = queue.then(() => submitNow(order));
      queue = result.catch(() => undefined);
      return result;
    },
    get nextSerial() {
      return serial;
    },
  };
}
