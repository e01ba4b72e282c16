import { type LoginStepResponse, type OrderPayload, orderMacHeader, type SubmitOrderRequest } from '@ntg/contracts';
import {
  createArgon2SecretHasher,
  createNotificationOutbox,
  type NotificationOutbox,
  parseApprovedCaCertificate,
  validateSigningCertificate,
  verifyOrderSignature,
} from '@ntg/core';
import { checkReadiness, type DatabaseHandle, openDatabase } from '@ntg/db';
import type { TestDatabase, TestDatabaseKind } from '@ntg/db/testing';
import { createFakeClock, type FakeClock } from '@ntg/test-kit';
import {
  createTestCa,
  fixedRevocation,
  issueTestSigner,
  newOrderNonce,
  orderMac,
  signOrderJws,
  type TestCa,
  type TestSigner,
} from '@ntg/test-kit/orders';
import type { LightMyRequestResponse } from 'fastify';
import { Registry } from 'prom-client';
import { buildApp } from '../src/app.ts';
import { createGatewayServices } from '../src/wiring/gateway-wiring.ts';
import { createOrderConsoleServices, createOrderGatewayServices } from '../src/wiring/order-services.ts';
import type { OrderVerificationDeps } from '../src/wiring/order-verification-wiring.ts';
import { createServices } from '../src/wiring/services.ts';
import {
  auth,
  bearer,
  createCountingHasher,
  createRecordingEvents,
  enrolClient,
  type GatewayTestApp,
  loginWithPinAndTotp,
  nextTimeStep,
  orgSlug,
  testGatewayConfig,
  testSecrets,
} from './gateway-test-app.ts';
import { testToken } from './test-app.ts';

export { auth, bearer };

/** The product's verifier (orders/signature/), with revocation answered by a fixed checker unless a test sets one. */
export function testVerification(patch: Partial<OrderVerificationDeps> = {}): OrderVerificationDeps {
  return {
    verify: verifyOrderSignature,
    parseApprovedCaCertificate,
    validateSigningCertificate,
    revocation: fixedRevocation('good'),
    ...patch,
  };
}

export interface OrderTestApp extends GatewayTestApp {
  ca: TestCa;
  close(): Promise<void>;
}

export interface OrderTestOptions {
  handle?: DatabaseHandle;
  clock?: FakeClock;
  verification?: OrderVerificationDeps;
  /** Replaces the notifications outbox (a test makes it fail after writing). */
  outbox?: (real: NotificationOutbox) => NotificationOutbox;
  /** An approved CA already made (a second instance on the same database shares it). */
  ca?: TestCa;
  skewSeconds?: number;
}

/**
 * The real application with the gateway and the order routes, the approved-CA routes under the console guard, and
 * the test doubles of the verification seam; over a fresh database or one shared with another instance.
 */
export async function createOrderTestApp(
  kind: TestDatabaseKind,
  options: OrderTestOptions = {},
): Promise<OrderTestApp> {
  let owned: TestDatabase | null = null;
  let handle = options.handle;
  if (handle === undefined) {
    owned = await kind.create();
    handle = owned.handle;
  }
  const clock = options.clock ?? createFakeClock();
  const services = createServices(handle, { auditKey: testSecrets.auditKey }, clock);
  const hasher = createCountingHasher(
    createArgon2SecretHasher({ pepper: testSecrets.pepper, parameters: testGatewayConfig.argon2 }),
  );
  const events = createRecordingEvents();
  const gateway = createGatewayServices(handle, testSecrets, clock, testGatewayConfig, { hasher, events });
  const realOutbox = createNotificationOutbox({
    clock,
    fallback: (_organizationId, accountId) => ({ channel: 'file', recipient: accountId }),
  });
  const verification = options.verification ?? testVerification();
  const orders = createOrderGatewayServices(handle, testSecrets, clock, {
    verification,
    outbox: options.outbox === undefined ? realOutbox : options.outbox(realOutbox),
    ...(options.skewSeconds === undefined ? {} : { skewSeconds: options.skewSeconds }),
  });
  const consoleOrders = createOrderConsoleServices(handle, testSecrets, clock, verification);
  const db = handle;
  const app = await buildApp({
    services,
    gateway,
    orders,
    approvedCas: consoleOrders.approvedCas,
    readiness: () => checkReadiness(db),
    apiToken: testToken,
    metrics: new Registry(),
    clock,
    rateLimitPerMinute: 100_000,
  });
  await app.ready();
  const existing = (await services.organizations.list()).find((o) => o.slug === orgSlug);
  const org =
    existing ??
    (await services.organizations.create(
      { actor: { type: 'user', id: 'usr_test' }, source: null },
      { slug: orgSlug, name: 'Alpha Securities', kind: 'securities', profile: { offersInternetTrading: true } },
    ));
  let ca = options.ca;
  if (ca === undefined) {
    ca = await createTestCa('Alpha Test CA');
    const added = await app.inject({
      method: 'POST',
      url: `/api/v1/organizations/${orgSlug}/approved-cas`,
      headers: auth,
      payload: { name: 'Alpha Test CA', certificate: ca.pem, crlUrls: ['http://crl.example.com.tw/alpha.crl'] },
    });
    if (added.statusCode !== 201) throw new Error(`approving the test CA failed: ${added.body}`);
  }
  return {
    app,
    clock,
    services,
    gateway,
    handle,
    hasher,
    events,
    org,
    ca,
    async close() {
      await app.close();
      if (owned !== null) await owned.drop();
    },
  };
}

/** A client logged in with PIN and TOTP whose signing certificate is bound to the account. */
export interface TradingClient {
  accountId: string;
  identifier: string;
  token: string;
  sessionId: string;
  orderMacKey: string;
  signer: TestSigner;
  serial: number;
}

export async function bindCertificate(t: OrderTestApp, accountId: string, signer: TestSigner) {
  return t.app.inject({
    method: 'POST',
    url: `/gateway/v1/admin/accounts/${accountId}/certificates`,
    headers: auth,
    payload: { label: 'TWCA signing', certificate: signer.pem },
  });
}

export async function login(t: OrderTestApp, client: Awaited<ReturnType<typeof enrolClient>>) {
  nextTimeStep(t);
  const res = await loginWithPinAndTotp(t, client);
  const body = res.json() as LoginStepResponse;
  if (body.status !== 'complete') throw new Error(`login did not complete: ${res.body}`);
  return body.session;
}

export async function tradingClient(t: OrderTestApp, identifier: string): Promise<TradingClient> {
  const enrolled = await enrolClient(t, identifier);
  const signer = await issueTestSigner(t.ca, identifier);
  const bound = await bindCertificate(t, enrolled.accountId, signer);
  if (bound.statusCode !== 201) throw new Error(`binding failed: ${bound.body}`);
  const session = await login(t, enrolled);
  return {
    accountId: enrolled.accountId,
    identifier,
    token: session.token,
    sessionId: session.sessionId,
    orderMacKey: session.orderMacKey,
    signer,
    serial: 0,
  };
}

/** The next order of a client: a fresh nonce and the next serial, timestamped now, signed by its certificate. */
export function orderRequest(
  t: OrderTestApp,
  client: TradingClient,
  patch: Partial<OrderPayload> = {},
  signer: TestSigner = client.signer,
): SubmitOrderRequest {
  client.serial += 1;
  const payload: OrderPayload = {
    v: 1,
    organizationId: t.org.id,
    clientId: client.identifier,
    sessionId: client.sessionId,
    serial: client.serial,
    nonce: newOrderNonce(),
    timestamp: t.clock.now().toISOString(),
    order: {
      account: '9801-000123',
      symbol: '2330',
      side: 'buy',
      type: 'limit',
      quantity: '1000',
      price: '580.5',
      timeInForce: 'ROD',
    },
    ...patch,
  };
  return { payload, signature: signOrderJws(payload, signer) };
}

export function submitOrder(
  t: OrderTestApp,
  client: Pick<TradingClient, 'token' | 'orderMacKey'>,
  body: SubmitOrderRequest | Record<string, unknown>,
  mac: string | null = orderMac(client.orderMacKey, body),
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/gateway/v1/orders',
    headers: { ...bearer(client.token), ...(mac === null ? {} : { [orderMacHeader]: mac }) },
    payload: body,
  });
}

/** What the database holds for an organization: evidence rows, trade notifications, order audit entries. */
export async function storedCounts(t: OrderTestApp) {
  const db = t.handle.db;
  const count = async (q: Promise<{ n: number | string | bigint }>) => Number((await q).n);
  return {
    evidence: await count(
      db
        .selectFrom('order_evidence')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('organization_id', '=', t.org.id)
        .executeTakeFirstOrThrow(),
    ),
    trades: await count(
      db
        .selectFrom('notifications_outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('organization_id', '=', t.org.id)
        .where('kind', '=', 'trade')
        .executeTakeFirstOrThrow(),
    ),
    audits: await count(
      db
        .selectFrom('audit_entries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('organization_id', '=', t.org.id)
        .where('action', '=', 'orders.order.accept')
        .executeTakeFirstOrThrow(),
    ),
  };
}

/**
 * Another instance of the server on the same database with its own connections (a second SQLite connection to the
 * file, or a second PostgreSQL pool), as another process of a multi-instance deployment; closing it closes them.
 */
export async function createSecondInstance(
  t: OrderTestApp,
  kind: TestDatabaseKind,
  options: Omit<OrderTestOptions, 'handle' | 'clock' | 'ca'> = {},
): Promise<OrderTestApp> {
  const description = t.handle.description;
  const handle = description.startsWith('sqlite:')
    ? openDatabase({ kind: 'sqlite', file: description.slice('sqlite:'.length) })
    : openDatabase({ kind: 'postgres', url: description, poolMax: 4 });
  const second = await createOrderTestApp(kind, { ...options, handle, clock: t.clock, ca: t.ca });
  return {
    ...second,
    async close() {
      await second.close();
      await handle.close();
    },
  };
}
