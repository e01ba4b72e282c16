/**
 * Sign an order with the client's certificate from a .pfx file and send it to the gateway through @ntg/sdk
 * (Directions A35; docs/adr/0014): open the PKCS#12 file, log in with PIN + TOTP, then submit one limit order as
 * detached CMS with the session MAC. Against a running server with signed orders:
 *
 *   NTG_PFX=client.pfx NTG_PFX_PASSWORD=… NTG_IDENTIFIER=A123456789 NTG_PIN=… NTG_TOTP_SECRET=… \
 *     node --import tsx packages/sdk/examples/sign-order.ts
 *
 * Environment: NTG_GATEWAY_URL (default http://127.0.0.1:8080; https://… when the gateway runs with NTG_TLS=on, and
 * NODE_EXTRA_CA_CERTS=data/tls/local-cert.pem for its generated certificate), NTG_ORGANIZATION (default
 * demo-securities), NTG_ACCOUNT and NTG_SYMBOL (default 2330) for the order.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { IssuedSession, OrderPayload, OrderSignature } from '@ntg/contracts';
import {
  createGatewayClient,
  createOrdersClient,
  type FetchLike,
  loadPkcs12,
  type OrderInput,
  type OrderSession,
  type OrderSigner,
  type Pkcs12Contents,
} from '../src/index.ts';
import { authenticatorCode } from './login.ts';

/** The CMS signer of order-signer.ts (signOrderCms), holding the certificate and key from the .pfx file. */
export async function cmsSignerFor(contents: Pkcs12Contents): Promise<OrderSigner> {
  // Loaded by path at run time: the signer module is its own part of the SDK.
  const signerModule = '../src/order-signer.ts';
  const { signOrderCms } = (await import(signerModule)) as {
    signOrderCms(input: {
      payload: OrderPayload;
      certificateDer: Uint8Array;
      privateKey: Pkcs12Contents['privateKey'];
      chainDer?: Uint8Array[];
      detached: boolean;
    }): Promise<OrderSignature>;
  };
  return (payload) =>
    signOrderCms({
      payload,
      certificateDer: contents.certificateDer,
      privateKey: contents.privateKey,
      chainDer: contents.chainDer,
      detached: true,
    });
}

/**
 * What the orders client needs from the login: the gateway returns the session id and its MAC key with the
 * session (ADR 0014); the firm and the normalized client identifier come with it or from the app's own records.
 */
export function orderSessionOf(
  // An older gateway's login answer lacks the order fields; the check below names what is missing.
  session: Pick<IssuedSession, 'token'> & Partial<Pick<IssuedSession, 'sessionId' | 'orderMacKey'>>,
  known: { organizationId?: string; clientId?: string } = {},
): OrderSession {
  const fields = session as typeof session & Partial<Record<'organizationId' | 'clientId', string>>;
  const organizationId = fields.organizationId ?? known.organizationId;
  const clientId = fields.clientId ?? known.clientId;
  const missing = (
    [
      ['sessionId', fields.sessionId],
      ['orderMacKey', fields.orderMacKey],
      ['organizationId', organizationId],
      ['clientId', clientId],
    ] as const
  )
    .filter(([, value]) => value === undefined || value === '')
    .map(([name]) => name);
  if (missing.length > 0 || !fields.sessionId || !fields.orderMacKey || !organizationId || !clientId) {
    throw new Error(`The login gave no ${missing.join(', ')}: this gateway does not take signed orders yet.`);
  }
  return {
    token: session.token,
    sessionId: fields.sessionId,
    orderMacKey: fields.orderMacKey,
    organizationId,
    clientId,
  };
}

export interface SignOrderExampleOptions {
  baseUrl: string;
  fetch?: FetchLike;
  pfx: Uint8Array;
  pfxPassword: string;
  session: OrderSession;
  order: OrderInput;
  /** The signer to use for the loaded certificate; CMS through order-signer.ts by default. */
  signerFor?: (contents: Pkcs12Contents) => Promise<OrderSigner>;
  log?: (line: string) => void;
}

export async function runSignOrderExample(options: SignOrderExampleOptions) {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  // 1. The client's certificate and key from the .pfx file; the key stays a non-extractable CryptoKey.
  const contents = await loadPkcs12(options.pfx, options.pfxPassword);
  log(
    `opened the .pfx: signer certificate of ${contents.certificateDer.length} bytes, ${contents.chainDer.length} more`,
  );

  // 2. The orders client numbers, signs and MACs each order (A35.2-A35.4).
  const orders = createOrdersClient({
    baseUrl: options.baseUrl,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    session: options.session,
    signer: await (options.signerFor ?? cmsSignerFor)(contents),
  });
  const sent = await orders.submit(options.order);
  log(`order ${sent.body.payload.serial} sent (nonce ${sent.body.payload.nonce}, ${sent.body.signature.format})`);
  log(`gateway answered: ${JSON.stringify(sent.response)}`);
  return sent;
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`set ${name} (see the comment at the top of this file)`);
  return value;
}

async function main(): Promise<void> {
  const baseUrl = process.env.NTG_GATEWAY_URL ?? 'http://127.0.0.1:8080';
  const identifier = required('NTG_IDENTIFIER');
  const gateway = createGatewayClient({ baseUrl, organization: process.env.NTG_ORGANIZATION ?? 'demo-securities' });
  const pin = required('NTG_PIN');
  const totpSecret = required('NTG_TOTP_SECRET');
  const { session } = await gateway.login(identifier, async (kind) =>
    kind === 'knowledge' ? { method: 'pin', pin } : { method: 'totp', code: authenticatorCode(totpSecret) },
  );
  await runSignOrderExample({
    baseUrl,
    pfx: new Uint8Array(readFileSync(required('NTG_PFX'))),
    pfxPassword: required('NTG_PFX_PASSWORD'),
    // The gateway's normalization of the identifier (NFKC, trimmed, case-folded), in case the login omits it.
    session: orderSessionOf(session, { clientId: identifier.normalize('NFKC').trim().toLowerCase() }),
    order: {
      account: process.env.NTG_ACCOUNT ?? '9A95-1234567',
      symbol: process.env.NTG_SYMBOL ?? '2330',
      side: 'buy',
      type: 'limit',
      quantity: 1000,
      price: '1085.5',
      timeInForce: 'ROD',
    },
  });
  await gateway.logout(session.token);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `sign-order: ${error.message}` : error);
    process.exit(1);
  });
}
