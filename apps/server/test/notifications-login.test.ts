import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArgon2SecretHasher, type IdentityEvents } from '@ntg/core';
import { checkReadiness } from '@ntg/db';
import { type TestDatabase, testDatabaseKinds } from '@ntg/db/testing';
import { createFakeClock } from '@ntg/test-kit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createGatewayServices, gatewayRoutes } from '../src/wiring/gateway-wiring.ts';
import { createNotificationServices, type NotificationServices } from '../src/wiring/notification-services.ts';
import { createServices } from '../src/wiring/services.ts';
import {
  createCountingHasher,
  createRecordingEvents,
  currentCode,
  enrolClient,
  type GatewayTestApp,
  goodPin,
  loginWithPinAndTotp,
  orgSlug,
  testGatewayConfig,
  testSecrets,
} from './gateway-test-app.ts';
import { testToken } from './test-app.ts';

describe.each(testDatabaseKinds())('login notifications through the outbox on $name (A38.2)', (kind) => {
  let db: TestDatabase;
  let t: GatewayTestApp;
  let notifications: NotificationServices;
  const dir = mkdtempSync(join(tmpdir(), 'ntg-notify-'));

  beforeAll(async () => {
    db = await kind.create();
    const clock = createFakeClock('2026-06-14T02:00:00.000Z');
    const services = createServices(db.handle, { auditKey: testSecrets.auditKey }, clock);
    notifications = createNotificationServices(db.handle, clock, {
      fileDir: join(dir, 'notifications'),
      fileFallback: true,
      audit: services.audit,
    });
    const hasher = createCountingHasher(
      createArgon2SecretHasher({ pepper: testSecrets.pepper, parameters: testGatewayConfig.argon2 }),
    );
    const gateway = createGatewayServices(db.handle, testSecrets, clock, testGatewayConfig, {
      hasher,
      events: notifications.identityEvents,
    });
    const app = await buildApp({
      services,
      readiness: () => checkReadiness(db.handle),
      apiToken: testToken,
      metrics: new Registry(),
      clock,
      rateLimitPerMinute: 100_000,
    });
    await app.register(
      gatewayRoutes({ gateway: { ...gateway, channels: notifications.channels }, apiToken: testToken }),
    );
    await app.ready();
    const org = await services.organizations.create(
      { actor: { type: 'user', id: 'usr_test' }, source: null },
      { slug: orgSlug, name: 'Alpha Securities', kind: 'securities', profile: { offersInternetTrading: true } },
    );
    t = {
      app,
      clock,
      services,
      gateway,
      handle: db.handle,
      hasher,
      events: createRecordingEvents(),
      org,
      close: async () => {
        await app.close();
      },
    };
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('queues a login-succeeded notification when a login completes, and the file sink delivers it', async () => {
    const client = await enrolClient(t, 'A123456789');
    await t.services.stores.notificationChannels.set(
      t.org.id,
      client.accountId,
      { channel: 'file', recipient: 'A123456789' },
      t.clock.now().toISOString(),
    );
    const res = await loginWithPinAndTotp(t, client, goodPin);
    expect(res.statusCode).toBe(200);
    const rows = await t.services.stores.notifications.listForAccount(t.org.id, client.accountId, 10);
    expect(rows.map((r) => [r.kind, r.channel, r.status])).toEqual([['login-succeeded', 'file', 'pending']]);
    expect(rows[0]?.payload).toMatchObject({ factorKinds: ['knowledge', 'possession'] });

    expect(await notifications.dispatcher.runOnce()).toMatchObject({ sent: 1 });
    const line = readFileSync(join(dir, 'notifications', 'notifications-2026-06-14.jsonl'), 'utf8').trim();
    expect(JSON.parse(line)).toMatchObject({ id: rows[0]?.id, kind: 'login-succeeded', recipient: 'A123456789' });
    const sent = await t.services.stores.notifications.find(t.org.id, rows[0]?.id ?? '');
    expect(sent?.status).toBe('sent');
  });

  it('threat: a crash between a login and its notice — the notice is written by the login transaction, so neither survives alone (A38.2)', async () => {
    const client = await enrolClient(t, 'M523456789');
    const inner = notifications.identityEvents;
    const failing: IdentityEvents = {
      ...inner,
      async loginSucceeded(s, e) {
        await inner.loginSucceeded(s, e);
        throw new Error('the outbox write failed');
      },
    };
    const gateway = createGatewayServices(t.handle, testSecrets, t.clock, testGatewayConfig, {
      hasher: t.hasher,
      events: failing,
    });
    const ctx = { source: '127.0.0.1' };
    const start = await gateway.login.start(ctx, { organization: orgSlug, identifier: 'M523456789' });
    if (start.status !== 'continue') throw new Error('a start without a factor asks for one');
    const first = await gateway.login.step(ctx, start.challengeId, { method: 'pin', pin: goodPin });
    if (first.status !== 'continue') throw new Error('the PIN step should ask for the second factor');
    await expect(
      gateway.login.step(ctx, first.challengeId, { method: 'totp', code: currentCode(t, client) }),
    ).rejects.toThrow('the outbox write failed');
    expect(await t.services.stores.notifications.listForAccount(t.org.id, client.accountId, 10)).toEqual([]);
    const sessions = await t.handle.db
      .selectFrom('client_sessions')
      .select('id')
      .where('account_id', '=', client.accountId)
      .execute();
    expect(sessions).toEqual([]);
  });

  it('tells the owner when failed attempts lock the account', async () => {
    const client = await enrolClient(t, 'B223456789');
    for (let i = 0; i < 3; i += 1) {
      t.clock.advance(30_000);
      const res = await loginWithPinAndTotp(t, client, 'Wrong-Pin-123!');
      expect(res.statusCode).toBe(401);
    }
    const rows = await t.services.stores.notifications.listForAccount(t.org.id, client.accountId, 10);
    expect(rows.map((r) => r.kind)).toEqual(['login-failed-locked']);
    // No channel of its own: the embedded default's file sink.
    expect(rows[0]?.channel).toBe('file');
  });

  it('threat: login alerts redirected to hide a takeover — each channel change is audited with the old and new recipient', async () => {
    const client = await enrolClient(t, 'C323456789');
    const url = `/gateway/v1/admin/accounts/${client.accountId}/channels`;
    const headers = { authorization: `Bearer ${testToken}` };
    const set = await t.app.inject({
      method: 'PUT',
      url: `${url}/file`,
      headers,
      payload: { recipient: 'C323456789' },
    });
    expect(set.json()).toEqual({ channels: [{ channel: 'file', recipient: 'C323456789' }] });
    const moved = await t.app.inject({
      method: 'PUT',
      url: `${url}/file`,
      headers,
      payload: { recipient: 'attacker' },
    });
    expect(moved.statusCode).toBe(200);
    const entries = await t.services.stores.audit.search({
      organizationId: t.org.id,
      action: 'notification.channel.set',
      objectId: client.accountId,
      limit: 10,
    });
    expect(entries.map((e) => e.details)).toEqual([
      { channel: 'file', before: 'C323456789', after: 'attacker' },
      { channel: 'file', before: null, after: 'C323456789' },
    ]);
    // Reading the channels is a use of personal data (A38.1).
    const list = await t.app.inject({ method: 'GET', url, headers });
    expect(list.json().channels).toHaveLength(1);
    const uses = await t.services.stores.audit.search({
      organizationId: t.org.id,
      action: 'personal-data.use',
      objectId: client.accountId,
      limit: 10,
    });
    expect(uses[0]?.details).toMatchObject({ function: 'admin.account.channels' });
    const removed = await t.app.inject({ method: 'DELETE', url: `${url}/file`, headers });
    expect(removed.json()).toEqual({ channels: [] });
  });

  it('refuses a channel this installation cannot deliver on, an unknown one, or a bad recipient, with 4xx', async () => {
    const client = await enrolClient(t, 'K923456789');
    const url = `/gateway/v1/admin/accounts/${client.accountId}/channels`;
    const headers = { authorization: `Bearer ${testToken}` };
    const email = await t.app.inject({ method: 'PUT', url: `${url}/email`, headers, payload: { recipient: 'a@b.tw' } });
    expect(email.statusCode).toBe(400);
    expect(email.json().message).toMatch(/does not deliver by email/);
    const sms = await t.app.inject({ method: 'PUT', url: `${url}/sms`, headers, payload: { recipient: 'x' } });
    expect(sms.statusCode).toBe(400);
    const nobody = await t.app.inject({
      method: 'PUT',
      url: '/gateway/v1/admin/accounts/cla_000000000000000000000000/channels/file',
      headers,
      payload: { recipient: 'x' },
    });
    expect(nobody.statusCode).toBe(404);
  });
});
