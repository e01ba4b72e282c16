import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArgon2SecretHasher } from '@ntg/core';
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
  const errors: unknown[] = [];

  beforeAll(async () => {
    db = await kind.create();
    const clock = createFakeClock('2026-06-14T02:00:00.000Z');
    const services = createServices(db.handle, { auditKey: testSecrets.auditKey }, clock);
    notifications = createNotificationServices(db.handle, clock, {
      fileDir: join(dir, 'notifications'),
      fileFallback: true,
      onEventError: (e) => errors.push(e),
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
    await app.register(gatewayRoutes({ gateway, apiToken: testToken }));
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
    await notifications.identityEvents.flush();
    expect(errors).toEqual([]);
    const rows = await t.services.stores.notifications.listForAccount(t.org.id, client.accountId, 10);
    expect(rows.map((r) => [r.kind, r.channel, r.status])).toEqual([['login-succeeded', 'file', 'pending']]);
    expect(rows[0]?.payload).toMatchObject({ factorKinds: ['knowledge', 'possession'] });

    expect(await notifications.dispatcher.runOnce()).toMatchObject({ sent: 1 });
    const line = readFileSync(join(dir, 'notifications', 'notifications-2026-06-14.jsonl'), 'utf8').trim();
    expect(JSON.parse(line)).toMatchObject({ id: rows[0]?.id, kind: 'login-succeeded', recipient: 'A123456789' });
    const sent = await t.services.stores.notifications.find(t.org.id, rows[0]?.id ?? '');
    expect(sent?.status).toBe('sent');
  });

  it('tells the owner when failed attempts lock the account', async () => {
    const client = await enrolClient(t, 'B223456789');
    for (let i = 0; i < 3; i += 1) {
      t.clock.advance(30_000);
      const res = await loginWithPinAndTotp(t, client, 'Wrong-Pin-123!');
      expect(res.statusCode).toBe(401);
    }
    await notifications.identityEvents.flush();
    const rows = await t.services.stores.notifications.listForAccount(t.org.id, client.accountId, 10);
    expect(rows.map((r) => r.kind)).toEqual(['login-failed-locked']);
    // No channel of its own: the embedded default's file sink.
    expect(rows[0]?.channel).toBe('file');
  });
});
