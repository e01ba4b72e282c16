import { sessionResponseSchema } from '@ntg/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, bodyFieldPath, createApiClient, type Fetcher, setCsrfToken, withQuery } from './client.ts';

function recording(status: number, body: unknown) {
  const calls: { input: string; init: RequestInit }[] = [];
  const fetcher: Fetcher = async (input, init) => {
    calls.push({ input, init });
    return new Response(body === undefined ? '' : JSON.stringify(body), { status });
  };
  return { calls, request: createApiClient(fetcher) };
}

const session = {
  user: {
    id: 'usr_0123456789',
    email: 'a@example.com',
    displayName: 'A',
    role: 'auditor',
    locale: 'zh-TW',
    ownerNames: [],
    organizations: [],
    secondFactors: ['totp'],
    disabled: false,
    lockedAt: null,
    createdAt: '2026-12-01T00:00:00.000Z',
  },
  csrfToken: 'tok',
  expiresAt: '2026-12-02T00:00:00.000Z',
  idleExpiresAt: '2026-12-01T01:00:00.000Z',
};

afterEach(() => setCsrfToken(null));

describe('api client', () => {
  it('sends the CSRF token on a change but not on a read', async () => {
    const { calls, request } = recording(200, {});
    setCsrfToken('abc');
    await request('/api/v1/me', { method: 'PATCH', json: { locale: 'en' } });
    await request('/api/v1/organizations');
    const headers = calls.map((c) => c.init.headers as Record<string, string>);
    expect(headers[0]?.['x-csrf-token']).toBe('abc');
    expect(headers[0]?.['content-type']).toBe('application/json');
    expect(headers[1]?.['x-csrf-token']).toBeUndefined();
    expect(calls[0]?.init.credentials).toBe('same-origin');
  });

  it('parses a successful answer with the contract schema', async () => {
    const { request } = recording(200, session);
    const result = await request('/api/v1/session', { schema: sessionResponseSchema });
    expect(result.user.role).toBe('auditor');
  });

  it('refuses an answer that does not match the contract', async () => {
    const { request } = recording(200, { user: null });
    await expect(request('/api/v1/session', { schema: sessionResponseSchema })).rejects.toMatchObject({
      code: 'UNEXPECTED_RESPONSE',
    });
  });

  it('throws the server error with its code, message, request id and field issues', async () => {
    const { request } = recording(400, {
      code: 'VALIDATION_FAILED',
      message: 'Invalid request: body.name: required',
      requestId: 'req-1',
      issues: [{ path: 'body.name', message: 'required' }],
    });
    const error = await request('/x', { method: 'POST', json: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', requestId: 'req-1' });
    expect((error as ApiError).issues).toEqual([{ path: 'body.name', message: 'required' }]);
  });

  it('reports an unreachable server as a network error', async () => {
    const request = createApiClient(async () => {
      throw new TypeError('failed to fetch');
    });
    await expect(request('/x')).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
  });
});

describe('query strings and field paths', () => {
  it('leaves out empty values and repeats lists', () => {
    expect(withQuery('/e', { q: '', owner: undefined, link: ['node:A1', 'node:A2'], limit: 5 })).toBe(
      '/e?link=node%3AA1&link=node%3AA2&limit=5',
    );
  });

  it('strips the body prefix from server issue paths', () => {
    expect(bodyFieldPath('body.operatorAccessControls.tls')).toBe('operatorAccessControls.tls');
    expect(bodyFieldPath('querystring.revision')).toBe('querystring.revision');
  });
});
