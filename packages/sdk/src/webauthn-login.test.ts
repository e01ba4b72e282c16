import { randomBytes } from 'node:crypto';
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../../e2e/server-process.ts';
import { createGatewayAdminClient, type GatewayAdminClient } from './admin-client.ts';
import { createGatewayClient, type GatewayClient } from './gateway-client.ts';
import { GatewayError } from './gateway-error.ts';
import { browserWebauthnCreate, browserWebauthnGet, type WebauthnBrowser, webauthnFactor } from './webauthn.ts';

// The SDK against the product itself: `apps/server/src/main.ts` in a child process on a fresh SQLite data folder
// (packages may not import apps), its labelled demo organization, the SDK over real HTTP. The authenticator is the
// test-kit's software one (ES256, "none" attestation), behind a fake navigator.credentials that hands out
// ArrayBuffers and has neither parse…FromJSON nor toJSON: the SDK's own conversion is on the path the server checks.
const origin = 'http://localhost:8080';
const organization = 'demo-securities';
const pin = 'Webauthn-Pin-2026';

const b64u = (bytes: ArrayBuffer | Uint8Array) => Buffer.from(bytes as Uint8Array).toString('base64url');
const buffer = (text: unknown) => new Uint8Array(Buffer.from(String(text), 'base64url')).buffer;

/** The browser's credential objects: byte fields as ArrayBuffers, the transports behind a getter. */
function asBrowserCredential(json: Record<string, unknown>) {
  const r = json.response as Record<string, unknown>;
  const response: Record<string, unknown> = { getTransports: () => r.transports ?? [] };
  for (const field of ['clientDataJSON', 'authenticatorData', 'signature', 'attestationObject']) {
    if (typeof r[field] === 'string') response[field] = buffer(r[field]);
  }
  return {
    id: json.id,
    rawId: buffer(json.rawId),
    type: 'public-key',
    authenticatorAttachment: 'cross-platform',
    response,
    getClientExtensionResults: () => ({}),
  };
}

/** navigator.credentials in front of a software authenticator; records the options it was given. */
function browserWith(authenticator: SoftwareAuthenticator) {
  const seen: Record<string, unknown>[] = [];
  const browser: WebauthnBrowser = {
    credentials: {
      async get({ publicKey }) {
        const o = publicKey as Record<string, unknown>;
        seen.push(o);
        return asBrowserCredential(
          authenticator.assert({ ...o, challenge: b64u(o.challenge as ArrayBuffer) }, { origin }),
        );
      },
      async create({ publicKey }) {
        const o = publicKey as Record<string, unknown>;
        seen.push(o);
        return asBrowserCredential(
          authenticator.register({ ...o, challenge: b64u(o.challenge as ArrayBuffer) }, { origin }),
        );
      },
    },
  };
  return {
    seen,
    get: (options: Record<string, unknown>) => browserWebauthnGet(options, browser),
    create: (options: Record<string, unknown>) => browserWebauthnCreate(options, browser),
  };
}

describe('WebAuthn through the SDK against a running gateway', () => {
  let server: RunningServer;
  let admin: GatewayAdminClient;
  let gateway: GatewayClient;

  beforeAll(async () => {
    const apiToken = randomBytes(32).toString('base64url');
    server = await startServer({
      NTG_API_TOKEN: apiToken,
      NTG_WEBAUTHN_ORIGINS: origin,
      NTG_SCHEDULED_SCANS: 'false',
    });
    admin = createGatewayAdminClient({ baseUrl: server.url, apiToken });
    gateway = createGatewayClient({ baseUrl: server.url, organization });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** The firm's procedure: account with a PIN, then the client's key enrolled through the admin client. */
  async function enrolClient() {
    const identifier = `webauthn-${randomBytes(4).toString('hex')}`;
    const account = await admin.createAccount({ organization, identifier, pin });
    const authenticator = createSoftwareAuthenticator();
    const browser = browserWith(authenticator);
    const options = await admin.webauthnRegistrationOptions(account.id);
    const enrolled = await admin.enrolWebauthn(account.id, {
      label: 'security key',
      response: await browser.create(options),
    });
    return { identifier, account, authenticator, browser, enrolled };
  }

  it('enrols a security key and logs in with PIN + WebAuthn possession, bytes converted by the SDK itself', async () => {
    const { identifier, account, browser, enrolled } = await enrolClient();
    expect(enrolled).toMatchObject({ synced: false, inherenceEligible: false });
    // The creation options reached navigator.credentials.create with their byte fields as ArrayBuffers.
    expect(browser.seen[0]?.challenge).toBeInstanceOf(ArrayBuffer);
    expect((browser.seen[0]?.user as { id?: unknown } | undefined)?.id).toBeInstanceOf(ArrayBuffer);

    const webauthn = webauthnFactor((id) => gateway.webauthnLoginOptions(id), browser.get);
    const asked: string[] = [];
    const { session } = await gateway.login(identifier, async (kind, challenge) => {
      asked.push(kind);
      return kind === 'knowledge' ? { method: 'pin', pin } : webauthn(kind, challenge);
    });
    expect(asked).toEqual(['knowledge', 'possession']);
    expect(Object.keys(session.authenticatedAt).sort()).toEqual(['knowledge', 'possession']);
    expect((await gateway.session(session.token)).accountId).toBe(account.id);
    const view = await admin.account(account.id);
    expect(view.factors.webauthn).toHaveLength(1);
    expect(view.factors.webauthn[0]?.lastUsedAt).not.toBeNull();
    expect(view.failedAttempts).toBe(0);
  });

  it('steps up with the same key on options that only the session can fetch', async () => {
    const { identifier, browser } = await enrolClient();
    const webauthn = webauthnFactor((id) => gateway.webauthnLoginOptions(id), browser.get);
    const { session } = await gateway.login(identifier, async (kind, challenge) =>
      kind === 'knowledge' ? { method: 'pin', pin } : webauthn(kind, challenge),
    );
    const stepUp = await gateway.stepUpWith(
      session.token,
      'possession',
      webauthnFactor((id) => gateway.webauthnStepUpOptions(session.token, id), browser.get),
    );
    expect(stepUp.authenticatedAt.possession).toBeDefined();

    const challenge = await gateway.stepUpChallenge(session.token);
    await expect(gateway.webauthnStepUpOptions('ntgs_not-a-session', challenge.challengeId)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      status: 401,
    });
  });

  it('an assertion for another challenge is refused and counts as a failed attempt; it still answers its own', async () => {
    const { identifier, account, authenticator } = await enrolClient();
    const afterPin = async () => {
      const started = await gateway.startLogin(identifier);
      const step = await gateway.submitFactor(started.challengeId, { method: 'pin', pin });
      if (step.status !== 'continue') throw new Error('expected a second step');
      return step;
    };
    const first = await afterPin();
    const second = await afterPin();
    // A relaying site shows the person the first login's key prompt and submits the answer to the second login.
    const response = await browserWith(authenticator).get(await gateway.webauthnLoginOptions(first.challengeId));
    const refused = await gateway
      .submitFactor(second.challengeId, { method: 'webauthn', response, kind: 'possession' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused).toMatchObject({ code: 'LOGIN_FAILED', status: 401 });
    expect((await admin.account(account.id)).failedAttempts).toBe(1);
    // The same assertion is good for the challenge it was made for: the refusal was the binding, not the bytes.
    const own = await gateway.submitFactor(first.challengeId, { method: 'webauthn', response, kind: 'possession' });
    expect(own.status).toBe('complete');
  });

  it('offers login options to anyone holding a challenge id, the same shape for a stranger (A37.7)', async () => {
    const { identifier } = await enrolClient();
    const known = await gateway.webauthnLoginOptions((await gateway.startLogin(identifier)).challengeId);
    const stranger = await gateway.webauthnLoginOptions((await gateway.startLogin('nobody-here')).challengeId);
    expect(Object.keys(stranger).sort()).toEqual(Object.keys(known).sort());
    expect(known).toMatchObject({ rpId: 'localhost' });
  });
});
