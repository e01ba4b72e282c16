/**
 * Security keys and passkeys (WebAuthn, ADR 0016) as a login or step-up factor. The gateway sends its options as
 * JSON (the WebAuthn Level 3 form, byte fields in base64url) and takes the credential back as JSON; the browser's
 * PublicKeyCredential.parse…FromJSON and toJSON do that conversion where they exist, and the small conversion below
 * does it in browsers that lack them. No Node API and no dependency: the module runs wherever the SDK does.
 */
import type { FactorProofInput } from '@ntg/contracts';
import { fromBase64url, toBase64url } from './base64url.ts';
import type { FactorProvider } from './gateway-client.ts';

/** Options or a credential in their JSON form, as the gateway sends and takes them. */
export type WebauthnJson = Record<string, unknown>;

/**
 * The authenticator's part: options JSON in, the credential's JSON out. In a browser `browserWebauthnGet` (or
 * `browserWebauthnCreate` for enrolment); a native app calls its platform's passkey API; tests use a software
 * authenticator.
 */
export type WebauthnCeremony = (options: WebauthnJson) => Promise<WebauthnJson>;

export type WebauthnErrorCode =
  | 'WEBAUTHN_UNAVAILABLE'
  | 'WEBAUTHN_NO_CREDENTIAL'
  | 'WEBAUTHN_BAD_OPTIONS'
  | 'WEBAUTHN_WRONG_KIND';

export class WebauthnError extends Error {
  constructor(
    readonly code: WebauthnErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WebauthnError';
  }
}

/**
 * A FactorProvider answer for possession or inherence with a security key or passkey: the options for the current
 * challenge from `options` (`(id) => gateway.webauthnLoginOptions(id)` at login, `webauthnStepUpOptions(token, id)`
 * at step-up), the assertion from `getCredential`. Whether it counts as inherence is the gateway's decision (user
 * verification on a reviewed model, A36.1.3); the app only says which kind it offers.
 */
export function webauthnFactor(
  options: (challengeId: string) => Promise<WebauthnJson>,
  getCredential: WebauthnCeremony = browserWebauthnGet,
): FactorProvider {
  return async (kind, challenge): Promise<FactorProofInput> => {
    if (kind === 'knowledge') {
      throw new WebauthnError('WEBAUTHN_WRONG_KIND', 'A security key proves possession or inherence, not knowledge.');
    }
    const requestOptions = await options(challenge.challengeId);
    // The assertion signs the options' challenge: a key touched for options of another challenge would answer a
    // login or step-up the person did not start here, so options that are not for this challenge go unused.
    if (requestOptions.challenge !== challenge.nonce) {
      throw new WebauthnError('WEBAUTHN_BAD_OPTIONS', 'The WebAuthn options are not for the current challenge.');
    }
    return { method: 'webauthn', response: await getCredential(requestOptions), kind };
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The browser's side (navigator.credentials), typed structurally: the SDK compiles without the DOM library.
// ---------------------------------------------------------------------------------------------------------------

export interface WebauthnBrowser {
  credentials: {
    get(options: { publicKey: unknown }): Promise<unknown>;
    create(options: { publicKey: unknown }): Promise<unknown>;
  };
  /** window.PublicKeyCredential; its JSON parsers are used where the browser has them (WebAuthn Level 3). */
  PublicKeyCredential?: {
    parseRequestOptionsFromJSON?: (json: WebauthnJson) => unknown;
    parseCreationOptionsFromJSON?: (json: WebauthnJson) => unknown;
  };
}

function globalBrowser(): WebauthnBrowser {
  const g = globalThis as {
    navigator?: { credentials?: WebauthnBrowser['credentials'] };
    PublicKeyCredential?: WebauthnBrowser['PublicKeyCredential'];
  };
  const credentials = g.navigator?.credentials;
  if (credentials === undefined || g.PublicKeyCredential === undefined) {
    throw new WebauthnError('WEBAUTHN_UNAVAILABLE', 'This environment has no WebAuthn (navigator.credentials).');
  }
  return { credentials, PublicKeyCredential: g.PublicKeyCredential };
}

/** The two ceremonies: which browser parser, which own conversion and which navigator.credentials call. */
const ceremonies = {
  get: { parser: 'parseRequestOptionsFromJSON', convert: (o: WebauthnJson) => requestOptionsFromJson(o) },
  create: { parser: 'parseCreationOptionsFromJSON', convert: (o: WebauthnJson) => creationOptionsFromJson(o) },
} as const;

async function runCeremony(kind: keyof typeof ceremonies, options: WebauthnJson, browser: WebauthnBrowser) {
  const { parser, convert } = ceremonies[kind];
  const parse = browser.PublicKeyCredential?.[parser];
  // A static method of PublicKeyCredential: called on it, as the browser defines it.
  const publicKey = parse === undefined ? convert(options) : parse.call(browser.PublicKeyCredential, options);
  return credentialToJson(await browser.credentials[kind]({ publicKey }));
}

/** navigator.credentials.get for the gateway's login or step-up options; answers the AuthenticationResponseJSON. */
export async function browserWebauthnGet(
  options: WebauthnJson,
  browser: WebauthnBrowser = globalBrowser(),
): Promise<WebauthnJson> {
  return runCeremony('get', options, browser);
}

/** navigator.credentials.create for the gateway's enrolment options; answers the RegistrationResponseJSON. */
export async function browserWebauthnCreate(
  options: WebauthnJson,
  browser: WebauthnBrowser = globalBrowser(),
): Promise<WebauthnJson> {
  return runCeremony('create', options, browser);
}

// ---------------------------------------------------------------------------------------------------------------
// The conversion for browsers without parse…FromJSON / toJSON: base64url fields to ArrayBuffers and back.
// ---------------------------------------------------------------------------------------------------------------

function bufferOf(value: unknown, field: string): ArrayBuffer {
  const bytes = typeof value === 'string' ? fromBase64url(value) : null;
  if (bytes === null)
    throw new WebauthnError('WEBAUTHN_BAD_OPTIONS', `The WebAuthn options' ${field} is not base64url.`);
  return bytes.buffer as ArrayBuffer;
}

function withBufferIds(list: unknown, field: string): unknown {
  if (list === undefined) return undefined;
  if (!Array.isArray(list))
    throw new WebauthnError('WEBAUTHN_BAD_OPTIONS', `The WebAuthn options' ${field} is no list.`);
  return list.map((c: { id?: unknown }) => ({ ...c, id: bufferOf(c.id, `${field}[].id`) }));
}

/** PublicKeyCredentialRequestOptionsJSON to the options navigator.credentials.get takes. */
export function requestOptionsFromJson(json: WebauthnJson): WebauthnJson {
  const { allowCredentials, ...rest } = json;
  const allow = withBufferIds(allowCredentials, 'allowCredentials');
  return {
    ...rest,
    challenge: bufferOf(json.challenge, 'challenge'),
    ...(allow === undefined ? {} : { allowCredentials: allow }),
  };
}

/** PublicKeyCredentialCreationOptionsJSON to the options navigator.credentials.create takes. */
export function creationOptionsFromJson(json: WebauthnJson): WebauthnJson {
  const { excludeCredentials, ...rest } = json;
  const user = json.user as { id?: unknown } | undefined;
  const exclude = withBufferIds(excludeCredentials, 'excludeCredentials');
  return {
    ...rest,
    challenge: bufferOf(json.challenge, 'challenge'),
    user: { ...user, id: bufferOf(user?.id, 'user.id') },
    ...(exclude === undefined ? {} : { excludeCredentials: exclude }),
  };
}

function bytesOf(value: unknown): Uint8Array | null {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

interface CredentialLike {
  id?: unknown;
  rawId?: unknown;
  type?: unknown;
  authenticatorAttachment?: unknown;
  response?: Record<string, unknown>;
  getClientExtensionResults?: () => unknown;
  toJSON?: () => unknown;
}

/** The byte fields of an assertion's or attestation's response, and the getters that carry the rest. */
const responseBytes = ['clientDataJSON', 'authenticatorData', 'signature', 'userHandle', 'attestationObject'];
const responseGetters = {
  transports: 'getTransports',
  authenticatorData: 'getAuthenticatorData',
  publicKey: 'getPublicKey',
  publicKeyAlgorithm: 'getPublicKeyAlgorithm',
} as const;

/** A PublicKeyCredential as JSON: its toJSON() where the browser has it, else the same fields converted here. */
export function credentialToJson(credential: unknown): WebauthnJson {
  if (credential === null || typeof credential !== 'object') {
    throw new WebauthnError('WEBAUTHN_NO_CREDENTIAL', 'No security key or passkey answered.');
  }
  const c = credential as CredentialLike;
  if (typeof c.toJSON === 'function') return c.toJSON() as WebauthnJson;
  const rawId = bytesOf(c.rawId);
  if (rawId === null || c.response === undefined) {
    throw new WebauthnError('WEBAUTHN_NO_CREDENTIAL', 'The authenticator answered no public-key credential.');
  }
  const source = c.response;
  const response: WebauthnJson = {};
  for (const [field, getter] of Object.entries(responseGetters)) {
    const get = source[getter];
    if (typeof get !== 'function') continue;
    const value: unknown = get.call(source);
    const bytes = bytesOf(value);
    if (bytes !== null) response[field] = toBase64url(bytes);
    else if (value !== null && value !== undefined) response[field] = value;
  }
  for (const field of responseBytes) {
    const bytes = bytesOf(source[field]);
    if (bytes !== null) response[field] = toBase64url(bytes);
  }
  return {
    id: typeof c.id === 'string' ? c.id : toBase64url(rawId),
    rawId: toBase64url(rawId),
    type: c.type ?? 'public-key',
    response,
    clientExtensionResults: c.getClientExtensionResults?.() ?? {},
    ...(typeof c.authenticatorAttachment === 'string' ? { authenticatorAttachment: c.authenticatorAttachment } : {}),
  };
}
