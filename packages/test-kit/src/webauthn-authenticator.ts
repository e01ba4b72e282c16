import { createHash, generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';

/**
 * A WebAuthn authenticator in software, for tests: an ES256 key made with node:crypto, authenticator data built
 * byte by byte (RP ID hash, flags, signature counter, AAGUID, COSE key), attestation format "none" and the
 * clientDataJSON a browser would send. Every response it makes is real: the server verifies it as it would a
 * security key's. Options let a test play the attacker: another origin or RP ID, a counter that goes back, a
 * synced passkey, no user verification.
 */

type CborValue = number | string | Uint8Array | boolean | CborValue[] | Map<CborValue, CborValue>;

function cborHead(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** The few CBOR types WebAuthn uses (RFC 8949): integers, byte and text strings, arrays, maps, booleans. */
export function cborEncode(value: CborValue): Buffer {
  if (typeof value === 'boolean') return Buffer.from([value ? 0xf5 : 0xf4]);
  if (typeof value === 'number') return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), Buffer.from(value)]);
  if (Array.isArray(value)) return Buffer.concat([cborHead(4, value.length), ...value.map(cborEncode)]);
  const parts: Buffer[] = [cborHead(5, value.size)];
  for (const [k, v] of value) parts.push(cborEncode(k), cborEncode(v));
  return Buffer.concat(parts);
}

const flag = { up: 0x01, uv: 0x04, be: 0x08, bs: 0x10, at: 0x40 } as const;

export interface SoftwareAuthenticatorOptions {
  /** The model it reports; a random one by default (an unlisted authenticator). */
  aaguid?: string;
  /** A synced passkey: backup eligible (BE) and backed up (BS). */
  synced?: boolean;
  /** Whether it verifies the user (PIN or biometric) and says so with the UV flag. Default true. */
  userVerification?: boolean;
  /** Added to the signature counter at each use; 0 for an authenticator without a counter. Default 1. */
  counterStep?: number;
}

/** Overrides for one ceremony: what a phishing site or a confused client would send. */
export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  challenge?: string;
  userVerified?: boolean;
  /** The counter to report instead of the next one. */
  counter?: number;
  type?: string;
}

export interface SoftwareAuthenticator {
  readonly aaguid: string;
  /** The credential id (base64url) after registration. */
  readonly credentialId: string;
  counter: number;
  /** Answers PublicKeyCredentialCreationOptionsJSON with a RegistrationResponseJSON. */
  register(options: Record<string, unknown>, overrides?: CeremonyOverrides): Record<string, unknown>;
  /** Answers PublicKeyCredentialRequestOptionsJSON (or just a challenge and RP ID) with an AuthenticationResponseJSON. */
  assert(options: Record<string, unknown>, overrides?: CeremonyOverrides): Record<string, unknown>;
  /** A copy of the key and counter, as an attacker who extracted them would hold. */
  clone(): SoftwareAuthenticator;
}

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function aaguidBytes(aaguid: string): Buffer {
  return Buffer.from(aaguid.replace(/-/g, ''), 'hex');
}

function coseKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  // COSE_Key (RFC 9053): kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
  return cborEncode(
    new Map<CborValue, CborValue>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(String(jwk.x), 'base64url')],
      [-3, Buffer.from(String(jwk.y), 'base64url')],
    ]),
  );
}

export function createSoftwareAuthenticator(options: SoftwareAuthenticatorOptions = {}): SoftwareAuthenticator {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return makeAuthenticator({
    aaguid: options.aaguid ?? randomUUID(),
    synced: options.synced ?? false,
    userVerification: options.userVerification ?? true,
    counterStep: options.counterStep ?? 1,
    privateKey,
    publicKey,
    rawId: randomBytes(32),
    counter: 0,
  });
}

interface AuthenticatorState {
  aaguid: string;
  synced: boolean;
  userVerification: boolean;
  counterStep: number;
  privateKey: KeyObject;
  publicKey: KeyObject;
  rawId: Buffer;
  counter: number;
}

function makeAuthenticator(state: AuthenticatorState): SoftwareAuthenticator {
  function flags(uv: boolean, attested: boolean): number {
    let f = flag.up;
    if (uv) f |= flag.uv;
    if (state.synced) f |= flag.be | flag.bs;
    if (attested) f |= flag.at;
    return f;
  }

  function authData(rpId: string, f: number, counter: number, attested: Buffer | null): Buffer {
    const head = Buffer.alloc(37);
    createHash('sha256').update(rpId, 'utf8').digest().copy(head, 0);
    head[32] = f;
    head.writeUInt32BE(counter, 33);
    return attested === null ? head : Buffer.concat([head, attested]);
  }

  function clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }

  function nextCounter(o: CeremonyOverrides): number {
    if (o.counter !== undefined) return o.counter;
    state.counter += state.counterStep;
    return state.counter;
  }

  const authenticator: SoftwareAuthenticator = {
    get aaguid() {
      return state.aaguid;
    },
    get credentialId() {
      return b64u(state.rawId);
    },
    get counter() {
      return state.counter;
    },
    set counter(value: number) {
      state.counter = value;
    },

    register(options, o = {}) {
      const rp = options.rp as { id?: string } | undefined;
      const rpId = o.rpId ?? rp?.id ?? 'localhost';
      const challenge = o.challenge ?? String(options.challenge);
      const origin = o.origin ?? `https://${rpId}`;
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(state.rawId.length);
      const attested = Buffer.concat([aaguidBytes(state.aaguid), idLength, state.rawId, coseKey(state.publicKey)]);
      const data = authData(rpId, flags(o.userVerified ?? state.userVerification, true), nextCounter(o), attested);
      const attestationObject = cborEncode(
        new Map<CborValue, CborValue>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', data],
        ]),
      );
      return {
        id: b64u(state.rawId),
        rawId: b64u(state.rawId),
        type: 'public-key',
        response: {
          clientDataJSON: b64u(clientData(o.type ?? 'webauthn.create', challenge, origin)),
          attestationObject: b64u(attestationObject),
          transports: ['usb'],
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'cross-platform',
      };
    },

    assert(options, o = {}) {
      const rpId = o.rpId ?? (typeof options.rpId === 'string' ? options.rpId : 'localhost');
      const challenge = o.challenge ?? String(options.challenge);
      const origin = o.origin ?? `https://${rpId}`;
      const data = authData(rpId, flags(o.userVerified ?? state.userVerification, false), nextCounter(o), null);
      const cdj = clientData(o.type ?? 'webauthn.get', challenge, origin);
      // ES256 as WebAuthn carries it: an ASN.1 DER signature over authenticatorData || SHA-256(clientDataJSON).
      const signature = sign(
        'sha256',
        Buffer.concat([data, createHash('sha256').update(cdj).digest()]),
        state.privateKey,
      );
      return {
        id: b64u(state.rawId),
        rawId: b64u(state.rawId),
        type: 'public-key',
        response: {
          clientDataJSON: b64u(cdj),
          authenticatorData: b64u(data),
          signature: b64u(signature),
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'cross-platform',
      };
    },

    clone() {
      return makeAuthenticator({ ...state });
    },
  };
  return authenticator;
}
