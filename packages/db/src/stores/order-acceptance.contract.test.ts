import {
  createAuditTrail,
  createNotificationOutbox,
  createOrderAcceptanceWriter,
  evidenceGenesisHash,
  evidenceRowHash,
  newId,
  type OrderAcceptanceStores,
  type OrderAcceptanceWriter,
  systemClock,
  type UnitOfWork,
  type VerifiedOrder,
} from '@ntg/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupCommitUnitOfWork } from '../group-commit.ts';
import { createStores, type Stores } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';
import { testClientAccountRow, testClientSessionRow, testOrganizationRow } from '../testing/test-rows.ts';

/**
 * The group commit of accepted orders (order-acceptance-writer.ts) against both databases: several orders decided and
 * written in one transaction must keep every per-order rule of A35.4 and A35.5, and a group that does not commit must
 * answer none of its orders as accepted.
 */

const at = '2026-01-15T01:00:00.000Z';

describe.each(testDatabaseKinds())('order group commit on $name', (kind) => {
  let t: TestDatabase;
  let stores: Stores;
  let orgId = '';
  const audit = createAuditTrail({ clock: systemClock, auditKey: Buffer.alloc(32, 7) });
  const outbox = createNotificationOutbox({
    clock: systemClock,
    fallback: (_org, accountId) => ({ channel: 'file', recipient: accountId }),
  });

  function uowOf(
    patch: (s: OrderAcceptanceStores) => OrderAcceptanceStores = (s) => s,
  ): UnitOfWork<OrderAcceptanceStores> {
    const group = createGroupCommitUnitOfWork(t.handle);
    return {
      run: (work) =>
        group.run((s) =>
          work(
            patch({
              orders: s.orders,
              notifications: s.notifications,
              channels: s.notificationChannels,
              audit: s.audit,
            }),
          ),
        ),
    };
  }

  async function newSession(): Promise<{ accountId: string; sessionId: string }> {
    const account = testClientAccountRow(orgId, newId('cli'), at);
    await stores.identity.accounts.insert(account);
    const session = testClientSessionRow(account, at);
    await stores.identity.sessions.insert(session);
    return { accountId: account.id, sessionId: session.id };
  }

  function order(s: { accountId: string; sessionId: string }, serial: number, nonce: string): VerifiedOrder {
    return {
      evidence: {
        organizationId: orgId,
        orderId: newId('ord'),
        accountId: s.accountId,
        sessionId: s.sessionId,
        serial,
        nonce,
        canonicalBytes: new TextEncoder().encode(`{"nonce":"${nonce}","serial":${serial}}`),
        signature: { format: 'jws', value: 'aGVhZGVy..c2ln' },
        signerCertificateDer: new Uint8Array([0x30, 1, 2, 3]),
        signerFingerprint: 'f'.repeat(64),
        verification: { algorithm: 'jws:ES256' },
        acceptedAt: at,
      },
      actor: { actor: { type: 'client', id: s.accountId }, source: '203.0.113.9' },
      notification: { symbol: '2330', serial },
      auditDetails: { sessionId: s.sessionId, serial },
    };
  }

  /** Submits every order in the same turn, so they form one group. */
  function together(writer: OrderAcceptanceWriter, orders: VerifiedOrder[]) {
    return Promise.allSettled(orders.map((o) => writer.record(o)));
  }

  async function counts() {
    const n = async (table: 'order_evidence' | 'audit_entries' | 'notifications_outbox') =>
      Number(
        (
          await t.handle.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('organization_id', '=', orgId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      evidence: await n('order_evidence'),
      audit: await n('audit_entries'),
      outbox: await n('notifications_outbox'),
    };
  }

  beforeAll(async () => {
    t = await kind.create();
    stores = createStores(t.handle.db, t.handle.dialect);
    const org = testOrganizationRow('group-securities', at);
    await stores.organizations.insert(org);
    orgId = org.id;
  });
  afterAll(async () => {
    await t.drop();
  });

  it('A35.4: two orders in one group commit with the same nonce: exactly one accepted, the other named a replay', async () => {
    const writer = createOrderAcceptanceWriter({ uow: uowOf(), outbox, audit });
    const a = await newSession();
    const b = await newSession();
    const [first, second] = await together(writer, [order(a, 1, 'twin-nonce'), order(b, 1, 'twin-nonce')]);
    expect(first?.status).toBe('fulfilled');
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'ORDER_REPLAYED' } });
    const rows = await t.handle.db
      .selectFrom('order_evidence')
      .select('session_id')
      .where('nonce', '=', 'twin-nonce')
      .execute();
    expect(rows).toEqual([{ session_id: a.sessionId }]);
  });

  it('A35.4: a nonce accepted in an earlier group is a replay in a later one', async () => {
    const writer = createOrderAcceptanceWriter({ uow: uowOf(), outbox, audit });
    const s = await newSession();
    await writer.record(order(s, 1, 'earlier-nonce'));
    const [again] = await together(writer, [order(s, 2, 'earlier-nonce')]);
    expect(again).toMatchObject({ status: 'rejected', reason: { code: 'ORDER_REPLAYED' } });
  });

  it('A35.4: serials within one group must increase per session; the one that does not is refused alone', async () => {
    const writer = createOrderAcceptanceWriter({ uow: uowOf(), outbox, audit });
    const s = await newSession();
    const results = await together(writer, [order(s, 5, 'serial-a'), order(s, 5, 'serial-b'), order(s, 6, 'serial-c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[1]).toMatchObject({ reason: { code: 'ORDER_SERIAL_OUT_OF_ORDER' } });
    expect((await stores.orders.sessions.lastSerials([s.sessionId])).get(s.sessionId)).toBe(6);
    // And a later group cannot go back below what this one accepted.
    const [back] = await together(writer, [order(s, 4, 'serial-d')]);
    expect(back).toMatchObject({ status: 'rejected', reason: { code: 'ORDER_SERIAL_OUT_OF_ORDER' } });
  });

  it('A35.5: a group extends one unbroken chain, and each order has its audit entry and trade notification (A38.2)', async () => {
    const writer = createOrderAcceptanceWriter({ uow: uowOf(), outbox, audit });
    const before = await counts();
    const sessions = await Promise.all(Array.from({ length: 5 }, () => newSession()));
    const accepted = await Promise.all(sessions.map((s, i) => writer.record(order(s, 1, `chain-${i}`))));
    expect(await counts()).toEqual({
      evidence: before.evidence + 5,
      audit: before.audit + 5,
      outbox: before.outbox + 5,
    });
    const rows = await stores.orders.evidence.page(orgId, 0, 1000);
    let prev = evidenceGenesisHash(orgId);
    rows.forEach((row, i) => {
      expect(row.sequence).toBe(i + 1);
      expect(row.prevHash).toBe(prev);
      expect(evidenceRowHash(row)).toBe(row.hash);
      prev = row.hash;
    });
    expect((await stores.orders.evidence.head(orgId))?.hash).toBe(prev);
    const bySequence = new Map(rows.map((r) => [r.sequence, r.hash]));
    for (const a of accepted) expect(bySequence.get(a.evidenceSequence)).toBe(a.evidenceHash);
    expect((await audit.verify(stores.audit, orgId)).ok).toBe(true);
  });

  it('a failed group commit answers no order as accepted, stores nothing, and the same orders go through afterwards', async () => {
    const failing = createOrderAcceptanceWriter({
      uow: uowOf((s) => ({
        ...s,
        audit: {
          ...s.audit,
          async appendMany(entries) {
            await s.audit.appendMany(entries);
            throw new Error('disk full');
          },
        },
      })),
      outbox,
      audit,
    });
    const sessions = await Promise.all(Array.from({ length: 4 }, () => newSession()));
    const orders = sessions.map((s, i) => order(s, 1, `failing-${i}`));
    const before = await counts();
    const results = await together(failing, orders);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(await counts()).toEqual(before);
    const writer = createOrderAcceptanceWriter({ uow: uowOf(), outbox, audit });
    const retried = await together(writer, orders);
    expect(retried.every((r) => r.status === 'fulfilled')).toBe(true);
  });

  it('A35.4: the database still refuses a duplicate nonce the pre-check missed, failing the whole group', async () => {
    const s = await newSession();
    const writer = createOrderAcceptanceWriter({ uow: uowOf(), outbox, audit });
    await writer.record(order(s, 1, 'blind-nonce'));
    // A writer whose nonce check sees nothing: the unique constraint is what stops the duplicate.
    const blind = createOrderAcceptanceWriter({
      uow: uowOf((st) => ({
        ...st,
        orders: { ...st.orders, evidence: { ...st.orders.evidence, acceptedNonces: async () => new Set<string>() } },
      })),
      outbox,
      audit,
    });
    const other = await newSession();
    const before = await counts();
    const results = await together(blind, [order(other, 1, 'blind-fresh'), order(s, 2, 'blind-nonce')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await counts()).toEqual(before);
  });

  it('a group waits for an announced order still being verified, and a cancelled announcement holds nothing', async () => {
    const writer = createOrderAcceptanceWriter({ uow: uowOf(), outbox, audit, maxWaitMs: 60_000 });
    const s1 = await newSession();
    const s2 = await newSession();
    const later = writer.reserve();
    const refused = writer.reserve();
    const first = writer.record(order(s1, 1, 'announced-1'));
    let firstDone = false;
    void first.then(() => {
      firstDone = true;
    });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(firstDone).toBe(false);
    refused.cancel();
    const second = later.record(order(s2, 1, 'announced-2'));
    const [a, b] = await Promise.all([first, second]);
    // One group: consecutive places in the chain.
    expect(b.evidenceSequence).toBe(a.evidenceSequence + 1);
  });
});
