import type { AddressInfo } from 'node:net';
import { testDatabaseKinds } from '@ntg/db/testing';
import { createGatewayAdminClient, createGatewayClient, GatewayError } from '@ntg/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticatorCode, runLoginExample } from '../../../packages/sdk/examples/login.ts';
import { createGatewayTestApp, type GatewayTestApp, nextTimeStep, orgSlug } from './gateway-test-app.ts';
import { testToken } from './test-app.ts';

// The SDK over real HTTP: the server listens on 127.0.0.1:0 in this process; the SDK uses Node's fetch.
describe.each(testDatabaseKinds())('@ntg/sdk against an in-process gateway on $name', (kind) => {
  let t: GatewayTestApp;
  let baseUrl = '';
  beforeAll(async () => {
    t = await createGatewayTestApp(kind);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs the login example end to end: enrol, PIN + TOTP, device-key step-up, PIN change, logout', async () => {
    const lines: string[] = [];
    const result = await runLoginExample({
      baseUrl,
      apiToken: testToken,
      organization: orgSlug,
      now: () => t.clock.now(),
      log: (l) => lines.push(l),
    });
    expect(result.session.accountId).toBe(result.accountId);
    expect(lines.at(-1)).toBe('logged out');
    expect(lines.some((l) => l.startsWith('stepped up'))).toBe(true);
    const audit = await t.services.stores.audit.search({
      organizationId: t.org.id,
      objectId: result.accountId,
      limit: 10,
    });
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'identity.enrol.account',
        'identity.enrol.knowledge',
        'identity.enrol.totp',
        'identity.enrol.device-key',
        'identity.credential.change',
      ]),
    );
  });

  it('logs in with the PIN carried by the start, then TOTP: two round trips', async () => {
    const admin = createGatewayAdminClient({ baseUrl, apiToken: testToken });
    const gateway = createGatewayClient({ baseUrl, organization: orgSlug });
    const account = await admin.createAccount({ organization: orgSlug, identifier: 'sdk-first', pin: 'Sdk-Pin-67890' });
    const totp = await admin.enrolTotp(account.id);
    nextTimeStep(t);
    const asked: string[] = [];
    const ok = await gateway.login(
      'sdk-first',
      async (kind) => {
        asked.push(kind);
        return { method: 'totp', code: authenticatorCode(totp.secret, t.clock.now()) };
      },
      { firstFactor: { method: 'pin', pin: 'Sdk-Pin-67890' } },
    );
    expect(ok.session.accountId).toBe(account.id);
    expect(ok.session.authenticatedAt).toMatchObject({ knowledge: expect.any(String), possession: expect.any(String) });
    expect(asked).toEqual(['possession']);
  });

  it('throws a typed GatewayError with the code for a failed login and for a missing session', async () => {
    const admin = createGatewayAdminClient({ baseUrl, apiToken: testToken });
    const gateway = createGatewayClient({ baseUrl, organization: orgSlug });
    const account = await admin.createAccount({
      organization: orgSlug,
      identifier: 'sdk-errors',
      pin: 'Sdk-Pin-12345',
    });
    const totp = await admin.enrolTotp(account.id);
    const failed = await gateway
      .login('sdk-errors', async (kind) =>
        kind === 'knowledge' ? { method: 'pin', pin: 'Wrong-Pin-999' } : { method: 'totp', code: '000000' },
      )
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(GatewayError);
    expect(failed).toMatchObject({ code: 'LOGIN_FAILED', status: 401 });
    nextTimeStep(t);
    const ok = await gateway.login('SDK-ERRORS', async (kind) =>
      kind === 'knowledge'
        ? { method: 'pin', pin: 'Sdk-Pin-12345' }
        : { method: 'totp', code: authenticatorCode(totp.secret, t.clock.now()) },
    );
    expect(ok.session.accountId).toBe(account.id);
    await gateway.logout(ok.session.token);
    await expect(gateway.session(ok.session.token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect((await admin.account(account.id)).failedAttempts).toBe(0);
  });
});
