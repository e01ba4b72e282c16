import {
  createAuditTrail,
  createNotificationDispatcher,
  createNotificationOutbox,
  createOrganizationService,
  createOutboxIdentityEvents,
  type NotificationAdapter,
  notificationBackoffMs,
  type OutboxNotification,
} from '@ntg/core';
import { createFakeClock, testActor } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores, createUnitOfWork, type Stores } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';

function recordingAdapter(): NotificationAdapter & { sent: OutboxNotification[] } {
  const sent: OutboxNotification[] = [];
  return {
    sent,
    async send(n) {
      // A delivery that takes a moment, so racing dispatchers overlap.
      await new Promise((r) => setTimeout(r, 2));
      sent.push(n);
    },
  };
}

describe.each(testDatabaseKinds())('notifications outbox on $name (A38.2)', (kind) => {
  let t: TestDatabase;
  let stores: Stores;
  let org = '';
  const clock = createFakeClock('2026-06-14T02:00:00.000Z');
  const audit = createAuditTrail({ clock, auditKey: Buffer.alloc(32, 5) });
  const outbox = createNotificationOutbox({ clock });

  beforeAll(async () => {
    t = await kind.create();
    stores = createStores(t.handle.db, t.handle.dialect);
    const uow = createUnitOfWork(t.handle);
    const organizations = createOrganizationService({ uow, organizations: stores.organizations, audit, clock });
    org = (await organizations.create(testActor, { slug: 'notify-co', name: '通知證券', profile: {} })).id;
  });
  afterAll(async () => {
    await t.drop();
  });

  function uow() {
    return createUnitOfWork(t.handle);
  }

  async function enqueueFor(accountId: string, count = 1) {
    await stores.notificationChannels.set(
      org,
      accountId,
      { channel: 'file', recipient: accountId },
      clock.now().toISOString(),
    );
    const rows: OutboxNotification[] = [];
    for (let i = 0; i < count; i += 1) {
      rows.push(
        ...(await uow().run((s) =>
          outbox.enqueue(
            { notifications: s.notifications, channels: s.notificationChannels },
            { organizationId: org, accountId, kind: 'trade', payload: { order: i } },
          ),
        )),
      );
    }
    return rows;
  }

  it('enqueues one pending row per channel of the account when a login succeeds', async () => {
    const at = clock.now().toISOString();
    await stores.notificationChannels.set(org, 'cla_1', { channel: 'email', recipient: 'wang@example.tw' }, at);
    await stores.notificationChannels.set(
      org,
      'cla_1',
      { channel: 'webhook', recipient: 'https://hooks.example.tw/x' },
      at,
    );
    const events = createOutboxIdentityEvents({ outbox });
    await uow().run((s) =>
      events.loginSucceeded(s, {
        accountId: 'cla_1',
        organizationId: org,
        at,
        source: '203.0.113.9',
        factorKinds: ['knowledge', 'possession'],
      }),
    );
    const rows = await stores.notifications.listForAccount(org, 'cla_1', 10);
    expect(rows.map((r) => [r.channel, r.recipient, r.kind, r.status]).sort()).toEqual([
      ['email', 'wang@example.tw', 'login-succeeded', 'pending'],
      ['webhook', 'https://hooks.example.tw/x', 'login-succeeded', 'pending'],
    ]);
    expect(rows[0]?.payload).toEqual({ at, source: '203.0.113.9', factorKinds: ['knowledge', 'possession'] });
  });

  it('sends nothing for an account without a channel unless a fallback is configured', async () => {
    const none = await uow().run((s) =>
      outbox.enqueue(
        { notifications: s.notifications, channels: s.notificationChannels },
        { organizationId: org, accountId: 'cla_none', kind: 'trade', payload: {} },
      ),
    );
    expect(none).toEqual([]);
    const withFallback = createNotificationOutbox({ clock, fallback: (_o, a) => ({ channel: 'file', recipient: a }) });
    const rows = await uow().run((s) =>
      withFallback.enqueue(
        { notifications: s.notifications, channels: s.notificationChannels },
        { organizationId: org, accountId: 'cla_none', kind: 'trade', payload: {} },
      ),
    );
    expect(rows.map((r) => r.channel)).toEqual(['file']);
  });

  it('rolls the notification back with the change it belongs to', async () => {
    await stores.notificationChannels.set(
      org,
      'cla_rb',
      { channel: 'file', recipient: 'x' },
      clock.now().toISOString(),
    );
    await expect(
      uow().run(async (s) => {
        await outbox.enqueue(
          { notifications: s.notifications, channels: s.notificationChannels },
          { organizationId: org, accountId: 'cla_rb', kind: 'trade', payload: {} },
        );
        throw new Error('the trade failed');
      }),
    ).rejects.toThrow('the trade failed');
    expect(await stores.notifications.listForAccount(org, 'cla_rb', 10)).toEqual([]);
  });

  it('retries a failing delivery after 1 min, 5 min, 30 min, 2 h and 12 h, then marks it failed', async () => {
    // Drain everything queued by the earlier tests first.
    await createNotificationDispatcher({
      store: stores.notifications,
      adapters: { file: recordingAdapter(), email: recordingAdapter(), webhook: recordingAdapter() },
      clock,
    }).runOnce();
    const [n] = await enqueueFor('cla_retry');
    if (n === undefined) throw new Error('nothing enqueued');
    let calls = 0;
    const failing: NotificationAdapter = {
      async send() {
        calls += 1;
        throw new Error('mail server said 451');
      },
    };
    const dispatcher = createNotificationDispatcher({
      store: stores.notifications,
      adapters: { file: failing },
      clock,
    });
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    for (const wait of notificationBackoffMs) {
      const row = await stores.notifications.find(org, n.id);
      expect(row?.nextAttemptAt).toBe(new Date(clock.now().getTime() + wait).toISOString());
      clock.advance(wait - 1);
      expect((await dispatcher.runOnce()).claimed).toBe(0);
      clock.advance(1);
      await dispatcher.runOnce();
    }
    const row = await stores.notifications.find(org, n.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 6, lastError: 'mail server said 451', sentAt: null });
    expect(calls).toBe(6);
    const deliveries = await stores.notifications.deliveries(org, n.id);
    expect(deliveries.map((d) => [d.attempt, d.outcome])).toEqual([1, 2, 3, 4, 5, 6].map((a) => [a, 'error']));
    clock.advanceDays(7);
    expect((await dispatcher.runOnce()).claimed).toBe(0);
  });

  it('marks a delivered notification sent and keeps its delivery record', async () => {
    const [n] = await enqueueFor('cla_ok');
    if (n === undefined) throw new Error('nothing enqueued');
    const adapter = recordingAdapter();
    await createNotificationDispatcher({ store: stores.notifications, adapters: { file: adapter }, clock }).runOnce();
    expect(adapter.sent.map((s) => s.id)).toEqual([n.id]);
    expect(await stores.notifications.find(org, n.id)).toMatchObject({
      status: 'sent',
      sentAt: clock.now().toISOString(),
    });
    expect((await stores.notifications.deliveries(org, n.id)).map((d) => d.outcome)).toEqual(['sent']);
  });

  it('delivers each notification once when several dispatchers race', async () => {
    const rows = await enqueueFor('cla_race', 40);
    const adapter = recordingAdapter();
    // Each dispatcher on its own stores over the same database (separate connections on PostgreSQL).
    const dispatchers = Array.from({ length: 4 }, () =>
      createNotificationDispatcher({
        store: createStores(t.handle.db, t.handle.dialect).notifications,
        adapters: { file: adapter },
        clock,
        batchSize: 7,
      }),
    );
    for (let round = 0; round < 10; round += 1) await Promise.all(dispatchers.map((d) => d.runOnce()));
    const ids = adapter.sent.map((s) => s.id).sort();
    expect(ids).toEqual(rows.map((r) => r.id).sort());
    expect(new Set(ids).size).toBe(40);
  });

  it('lets only the claim holder settle a row: a stale dispatcher cannot mark it again', async () => {
    const [n] = await enqueueFor('cla_stale');
    if (n === undefined) throw new Error('nothing enqueued');
    const now = clock.now().toISOString();
    const [claimed] = await stores.notifications.claimDue(now, now, 10, 'first');
    if (claimed === undefined) throw new Error('nothing claimed');
    // The lease ran out (it ended at `now`): another dispatcher claims the row again.
    const [again] = await stores.notifications.claimDue(
      now,
      new Date(Date.parse(now) + 60_000).toISOString(),
      10,
      'second',
    );
    expect(again?.id).toBe(n.id);
    expect(await stores.notifications.markSent(claimed, now)).toBe(false);
    if (again === undefined) throw new Error('nothing claimed');
    expect(await stores.notifications.markSent(again, now)).toBe(true);
  });
});
