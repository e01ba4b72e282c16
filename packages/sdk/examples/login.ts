/**
 * Enrol a client and log in with PIN + TOTP through @ntg/sdk, then step up with a device key, change the PIN and
 * log out. Against a running server (`npm start`, which serves the gateway):
 *
 *   node --import tsx packages/sdk/examples/login.ts
 *
 * Environment: NTG_GATEWAY_URL (default http://127.0.0.1:8080), NTG_API_TOKEN (default: the embedded server's
 * data/secrets.json), NTG_ORGANIZATION (default demo-securities).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createGatewayAdminClient,
  createGatewayClient,
  type FetchLike,
  generateDeviceKey,
  signChallenge,
} from '../src/index.ts';

/** RFC 6238 (SHA-1, 6 digits, 30 s): what the client's authenticator app computes from the enrolled secret. */
export function authenticatorCode(base32Secret: string, at: Date = new Date()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of base32Secret.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  }
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at.getTime() / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

export interface ExampleOptions {
  baseUrl: string;
  apiToken: string;
  organization: string;
  fetch?: FetchLike;
  /** The clock the authenticator reads (a test server may run on a fake clock). */
  now?: () => Date;
  log?: (line: string) => void;
}

export async function runLoginExample(options: ExampleOptions) {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const http = { baseUrl: options.baseUrl, ...(options.fetch === undefined ? {} : { fetch: options.fetch }) };
  const admin = createGatewayAdminClient({ ...http, apiToken: options.apiToken });
  const gateway = createGatewayClient({ ...http, organization: options.organization });

  // 1. The firm enrols the client (back office, API token): account with an initial PIN, a TOTP authenticator and
  //    the public key of a key pair the trading app made.
  const identifier = `example-${randomBytes(4).toString('hex')}`;
  let pin = 'Example-Pin-2026';
  const account = await admin.createAccount({ organization: options.organization, identifier, pin });
  const totp = await admin.enrolTotp(account.id, { label: 'authenticator app' });
  const deviceKey = await generateDeviceKey();
  const { deviceKeyId } = await admin.enrolDeviceKey(account.id, {
    label: 'trading app',
    publicKey: deviceKey.publicKey,
  });
  log(`enrolled ${identifier} (${account.id}) with PIN, TOTP ${totp.deviceId} and device key ${deviceKeyId}`);

  // 2. The client logs in: the gateway names the kinds it needs; the app proves each one.
  const { session, reminders } = await gateway.login(identifier, async (kind) =>
    kind === 'knowledge' ? { method: 'pin', pin } : { method: 'totp', code: authenticatorCode(totp.secret, now()) },
  );
  log(`logged in: session until ${session.expiresAt}, factors ${Object.keys(session.authenticatedAt).join(' + ')}`);
  for (const r of reminders) log(`reminder: ${r.message}`);

  // 3. A sensitive function wants a fresh second factor: step up with the device key.
  const stepUp = await gateway.stepUpWith(session.token, 'possession', async (_kind, challenge) => ({
    method: 'device-key',
    deviceKeyId,
    signature: await signChallenge(deviceKey.privateKey, 'step-up', challenge.challengeId, challenge.nonce),
  }));
  log(`stepped up: possession proven at ${stepUp.authenticatedAt.possession}`);

  // 4. Change the PIN (A37.6), then log out.
  const newPin = 'Example-Pin-2027';
  const changed = await gateway.changePin(session.token, { currentPin: pin, newPin });
  pin = newPin;
  log(`PIN changed at ${changed.changedAt}`);
  const view = await gateway.session(session.token);
  await gateway.logout(session.token);
  log('logged out');
  return { accountId: account.id, identifier, session: view, pin };
}

function defaultApiToken(): string {
  const given = process.env.NTG_API_TOKEN;
  if (given !== undefined && given !== '') return given;
  const file = join(resolve(process.env.NTG_DATA_DIR ?? './data'), 'secrets.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { apiToken: string }).apiToken;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runLoginExample({
    baseUrl: process.env.NTG_GATEWAY_URL ?? 'http://127.0.0.1:8080',
    apiToken: defaultApiToken(),
    organization: process.env.NTG_ORGANIZATION ?? 'demo-securities',
  }).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
