import { describe, expect, it } from 'vitest';
import { createGatewayAdminClient } from './admin-client.ts';
import { createGatewayClient } from './gateway-client.ts';
import type { FetchLike } from './http.ts';
import {
  browserWebauthnGet,
  creationOptionsFromJson,
  credentialToJson,
  requestOptionsFromJson,
  type WebauthnJson,
  webauthnFactor,
} from './webauthn.ts';

const challenge = { challengeId: 'chl_0000000000000000000000001', nonce: 'bm9uY2Utb25l' };
const loginOptions = {
  challenge: challenge.nonce,
  rpId: 'localhost',
  allowCredentials: [{ id: 'AQID', type: 'public-key' }],
};

function answering(body: unknown, status = 200) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, calls };
}

const bytes = (...b: number[]) => new Uint8Array(b).buffer;
const headersOf = (init: RequestInit | undefined) => init?.headers as Record<string, string>;

describe('WebAuthn options through the gateway and admin clients', () => {
  it('asks for login options with the challenge id and no session, and for step-up options with the bearer', async () => {
    const { fetch, calls } = answering({ options: loginOptions });
    const gateway = createGatewayClient({ baseUrl: 'https://gw.example', organization: 'alpha', fetch });
    expect(await gateway.webauthnLoginOptions(challenge.challengeId)).toEqual(loginOptions);
    expect(await gateway.webauthnStepUpOptions('ntgs_token', challenge.challengeId)).toEqual(loginOptions);
    expect(calls.map((c) => c.url)).toEqual([
      'https://gw.example/gateway/v1/login/webauthn/options',
      'https://gw.example/gateway/v1/step-up/webauthn/options',
    ]);
    expect(calls.map((c) => JSON.parse(String(c.init.body)))).toEqual([
      { challengeId: challenge.challengeId },
      { challengeId: challenge.challengeId },
    ]);
    expect(headersOf(calls[0]?.init).authorization).toBeUndefined();
    expect(headersOf(calls[1]?.init).authorization).toBe('Bearer ntgs_token');
  });

  it('treats an answer without options as BAD_RESPONSE rather than handing it to the authenticator', async () => {
    const { fetch } = answering({ challenge: 'x' });
    const gateway = createGatewayClient({ baseUrl: 'https://gw.example', organization: 'alpha', fetch });
    await expect(gateway.webauthnLoginOptions(challenge.challengeId)).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('enrols through the account’s admin routes with the API token: options, then the registration response', async () => {
    const enrolled = { credentialId: 'wac_0123456789', aaguid: '00000000-0000-0000-0000-000000000000' };
    const { fetch, calls } = answering({
      options: { challenge: 'Y2hhbGxlbmdl' },
      ...enrolled,
      synced: false,
      inherenceEligible: false,
    });
    const admin = createGatewayAdminClient({ baseUrl: 'https://gw.example', apiToken: 'firm-token', fetch });
    expect(await admin.webauthnRegistrationOptions('cla_1/x')).toEqual({ challenge: 'Y2hhbGxlbmdl' });
    expect(await admin.enrolWebauthn('cla_1/x', { response: { id: 'AQID' } })).toMatchObject(enrolled);
    expect(calls.map((c) => c.url)).toEqual([
      'https://gw.example/gateway/v1/admin/accounts/cla_1%2Fx/webauthn/options',
      'https://gw.example/gateway/v1/admin/accounts/cla_1%2Fx/webauthn',
    ]);
    expect(calls.every((c) => headersOf(c.init).authorization === 'Bearer firm-token')).toBe(true);
  });
});

describe('webauthnFactor', () => {
  it('answers the kind asked with the authenticator’s JSON for the options of the current challenge', async () => {
    const asked: string[] = [];
    const provide = webauthnFactor(
      async (id) => {
        asked.push(id);
        return loginOptions;
      },
      async (options) => ({ id: 'AQID', echoed: options.challenge }),
    );
    expect(await provide('inherence', challenge)).toEqual({
      method: 'webauthn',
      kind: 'inherence',
      response: { id: 'AQID', echoed: challenge.nonce },
    });
    expect(asked).toEqual([challenge.challengeId]);
  });

  it('does not touch the key for options issued for another challenge', async () => {
    let touched = false;
    const provide = webauthnFactor(
      async () => ({ ...loginOptions, challenge: 'b3RoZXItbG9naW4' }),
      async () => {
        touched = true;
        return {};
      },
    );
    await expect(provide('possession', challenge)).rejects.toMatchObject({ code: 'WEBAUTHN_BAD_OPTIONS' });
    expect(touched).toBe(false);
  });

  it('refuses to stand in for the PIN: a key is not a knowledge factor (A36.1)', async () => {
    const provide = webauthnFactor(
      async () => loginOptions,
      async () => ({}),
    );
    await expect(provide('knowledge', challenge)).rejects.toMatchObject({ code: 'WEBAUTHN_WRONG_KIND' });
  });
});

describe('WebAuthn JSON conversion for browsers without parse…FromJSON and toJSON', () => {
  it('turns the request options’ challenge and credential ids into ArrayBuffers and keeps the rest', () => {
    const converted = requestOptionsFromJson({ ...loginOptions, userVerification: 'preferred' });
    expect(converted).toEqual({
      challenge: new Uint8Array(Buffer.from(challenge.nonce, 'base64url')).buffer,
      rpId: 'localhost',
      userVerification: 'preferred',
      allowCredentials: [{ id: bytes(1, 2, 3), type: 'public-key' }],
    });
    expect(converted.challenge).toBeInstanceOf(ArrayBuffer);
  });

  it('turns the creation options’ challenge, user id and excluded ids into ArrayBuffers', () => {
    const converted = creationOptionsFromJson({
      challenge: 'AAEC',
      rp: { id: 'localhost', name: 'Alpha' },
      user: { id: 'BAUG', name: 'a123', displayName: 'a123' },
      excludeCredentials: [{ id: 'BwgJ', type: 'public-key' }],
    });
    expect(converted).toEqual({
      challenge: bytes(0, 1, 2),
      rp: { id: 'localhost', name: 'Alpha' },
      user: { id: bytes(4, 5, 6), name: 'a123', displayName: 'a123' },
      excludeCredentials: [{ id: bytes(7, 8, 9), type: 'public-key' }],
    });
  });

  it('refuses options whose challenge or credential id is not base64url instead of signing other bytes', () => {
    expect(() => requestOptionsFromJson({ challenge: 'bm9u+Y2U=' })).toThrow(/challenge is not base64url/);
    expect(() => requestOptionsFromJson({ challenge: 'AAEC', allowCredentials: [{ id: 7 }] })).toThrow(
      /allowCredentials\[\]\.id is not base64url/,
    );
    expect(() => creationOptionsFromJson({ challenge: 'AAEC', user: {} })).toThrow(/user\.id is not base64url/);
  });

  it('writes an assertion’s byte fields as base64url, leaving out a null user handle', () => {
    const json = credentialToJson({
      id: 'AQID',
      rawId: bytes(1, 2, 3),
      type: 'public-key',
      authenticatorAttachment: null,
      response: {
        clientDataJSON: new TextEncoder().encode('{"type":"webauthn.get"}').buffer,
        authenticatorData: new Uint8Array([9, 9, 9, 9]).subarray(1),
        signature: bytes(0xff),
        userHandle: null,
      },
      getClientExtensionResults: () => ({}),
    });
    expect(json).toEqual({
      id: 'AQID',
      rawId: 'AQID',
      type: 'public-key',
      response: { clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0', authenticatorData: 'CQkJ', signature: '_w' },
      clientExtensionResults: {},
    });
  });

  it('writes an attestation with its transports and public key algorithm from the response’s getters', () => {
    const json = credentialToJson({
      id: 'AQID',
      rawId: bytes(1, 2, 3),
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: bytes(1),
        attestationObject: bytes(2),
        getTransports: () => ['internal'],
        getPublicKeyAlgorithm: () => -7,
        getPublicKey: () => null,
      },
    });
    expect(json).toMatchObject({
      authenticatorAttachment: 'platform',
      response: { clientDataJSON: 'AQ', attestationObject: 'Ag', transports: ['internal'], publicKeyAlgorithm: -7 },
    });
    expect(json.response).not.toHaveProperty('publicKey');
  });

  it('uses the browser’s own parseRequestOptionsFromJSON and toJSON where it has them', async () => {
    const parsed: WebauthnJson[] = [];
    const response = await browserWebauthnGet(loginOptions, {
      PublicKeyCredential: {
        parseRequestOptionsFromJSON: (json) => {
          parsed.push(json);
          return { parsedBy: 'browser' };
        },
      },
      credentials: {
        get: async ({ publicKey }) => ({ toJSON: () => ({ id: 'from-toJSON', got: publicKey }) }),
        create: async () => null,
      },
    });
    expect(parsed).toEqual([loginOptions]);
    expect(response).toEqual({ id: 'from-toJSON', got: { parsedBy: 'browser' } });
  });

  it('says so when the person dismisses the prompt, and when there is no WebAuthn at all', async () => {
    const dismissed = browserWebauthnGet(loginOptions, {
      credentials: { get: async () => null, create: async () => null },
    });
    await expect(dismissed).rejects.toMatchObject({ code: 'WEBAUTHN_NO_CREDENTIAL' });
    // Node has no navigator.credentials: the default browser is missing, and the error names it.
    await expect(browserWebauthnGet(loginOptions)).rejects.toMatchObject({ code: 'WEBAUTHN_UNAVAILABLE' });
  });
});
