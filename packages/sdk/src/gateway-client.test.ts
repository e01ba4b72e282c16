import { createPublicKey, verify } from 'node:crypto';
import { deviceKeySigningInput } from '@ntg/contracts';
import { describe, expect, it } from 'vitest';
import { generateDeviceKey, signChallenge } from './device-key.ts';
import { createGatewayClient } from './gateway-client.ts';
import { GatewayError } from './gateway-error.ts';
import type { FetchLike } from './http.ts';

function fakeFetch(answers: { status: number; body: unknown }[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    const answer = answers.shift() ?? { status: 500, body: {} };
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' },
    });
  };
  return { fetch, calls };
}

const challenge = {
  challengeId: 'chl_0000000000000000000000001',
  nonce: 'bm9uY2U',
  expiresAt: '2026-01-15T01:02:00.000Z',
  requiredKinds: ['knowledge', 'possession'],
  satisfiedKinds: [],
  remainingKinds: ['knowledge', 'possession'],
};

describe('gateway client', () => {
  it('asks the provider for each remaining kind until the session is issued', async () => {
    const session = {
      token: 'ntgs_x',
      accountId: 'cla_0000000000000000000000001',
      sessionId: 'ses_0000000000000000000000001',
      orderMacKey: 'a'.repeat(43),
      expiresAt: 'x',
      idleTimeoutSeconds: 900,
      authenticatedAt: { knowledge: 'a', possession: 'b' },
    };
    const { fetch, calls } = fakeFetch([
      { status: 200, body: challenge },
      {
        status: 200,
        body: { ...challenge, status: 'continue', satisfiedKinds: ['knowledge'], remainingKinds: ['possession'] },
      },
      { status: 200, body: { status: 'complete', session, reminders: [] } },
    ]);
    const client = createGatewayClient({ baseUrl: 'https://gw.example/', organization: 'alpha', fetch });
    const asked: string[] = [];
    const result = await client.login('A123', async (kind) => {
      asked.push(kind);
      return kind === 'knowledge' ? { method: 'pin', pin: 'p' } : { method: 'totp', code: '123456' };
    });
    expect(asked).toEqual(['knowledge', 'possession']);
    expect(result.session.token).toBe('ntgs_x');
    expect(calls.map((c) => c.url)).toEqual([
      'https://gw.example/gateway/v1/login/start',
      'https://gw.example/gateway/v1/login/steps',
      'https://gw.example/gateway/v1/login/steps',
    ]);
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({ organization: 'alpha', identifier: 'A123' });
  });

  it('sends the first factor with the start when given, and asks the provider only for the rest', async () => {
    const next = {
      challengeId: 'chl_0000000000000000000000002',
      nonce: 'bm9uY2U',
      expiresAt: '2026-12-07T00:05:00.000Z',
      requiredKinds: ['knowledge', 'possession'],
      satisfiedKinds: ['knowledge'],
      remainingKinds: ['possession'],
      status: 'continue',
    };
    const session = {
      token: 'ntgs_y',
      accountId: 'cla_0000000000000000000000001',
      sessionId: 'ses_1',
      orderMacKey: 'a2V5',
      expiresAt: '2026-12-07T08:00:00.000Z',
      idleTimeoutSeconds: 900,
      authenticatedAt: { knowledge: 'a', possession: 'b' },
    };
    const { fetch, calls } = fakeFetch([
      { status: 200, body: next },
      { status: 200, body: { status: 'complete', session, reminders: [] } },
    ]);
    const client = createGatewayClient({ baseUrl: 'https://gw.example', organization: 'alpha', fetch });
    const asked: string[] = [];
    const result = await client.login(
      'A123',
      async (kind, challenge) => {
        asked.push(`${kind}@${challenge.challengeId}`);
        return { method: 'totp', code: '123456' };
      },
      { firstFactor: { method: 'pin', pin: 'p' } },
    );
    expect(result.session.token).toBe('ntgs_y');
    expect(asked).toEqual(['possession@chl_0000000000000000000000002']);
    expect(calls.map((c) => c.url)).toEqual([
      'https://gw.example/gateway/v1/login/start',
      'https://gw.example/gateway/v1/login/steps',
    ]);
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({
      organization: 'alpha',
      identifier: 'A123',
      factor: { method: 'pin', pin: 'p' },
    });
  });

  it('turns an error body into a GatewayError with its code, and a malformed answer into BAD_RESPONSE', async () => {
    const { fetch } = fakeFetch([
      { status: 401, body: { code: 'LOGIN_FAILED', message: 'Authentication failed.', requestId: 'req-9' } },
      { status: 200, body: { surprise: true } },
    ]);
    const client = createGatewayClient({ baseUrl: 'https://gw.example', organization: 'alpha', fetch });
    const failed = await client
      .submitFactor('chl_0000000000000000000000001', { method: 'pin', pin: 'x' })
      .catch((e) => e);
    expect(failed).toBeInstanceOf(GatewayError);
    expect(failed).toMatchObject({ code: 'LOGIN_FAILED', status: 401, requestId: 'req-9' });
    await expect(client.startLogin('x')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });
});

describe('device key through WebCrypto', () => {
  it('signs the challenge in the raw r||s form the gateway verifies', async () => {
    const key = await generateDeviceKey();
    const signature = await signChallenge(key.privateKey, 'login', 'chl_1', 'nonce');
    const publicKey = createPublicKey({ key: key.publicKey, format: 'jwk' });
    const ok = verify(
      'sha256',
      Buffer.from(deviceKeySigningInput('login', 'chl_1', 'nonce')),
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    expect(ok).toBe(true);
  });
});
