import { type AuditTrail, canonicalJson, createAuditTrail, entryHash } from '@ntg/core';
import { createFakeClock, testActor } from '@ntg/test-kit';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStores, createUnitOfWork, type Stores } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';

const auditKey = Buffer.alloc(32, 9);

describe.each(testDatabaseKinds())('audit trail on $name', (kind) => {
  let t: TestDatabase;
  let stores: Stores;
  let audit: AuditTrail;
  let org = '';
  let counter = 0;

  /** The attacker in these tests has database administrator rights: first they remove the append-only triggers. */
  async function dropAppendOnlyGuards() {
    if (t.handle.dialect.name === 'sqlite') {
      await sql`drop trigger if exists audit_entries_no_update`.execute(t.handle.db);
      await sql`drop trigger if exists audit_entries_no_delete`.execute(t.handle.db);
    } else {
      await sql`drop trigger if exists audit_entries_no_change on audit_entries`.execute(t.handle.db);
    }
  }

  async function writeChain(n: number) {
    const uow = createUnitOfWork(t.handle);
    for (let i = 0; i < n; i++) {
      await uow.run((s) =>
        audit.record(s.audit, testActor, {
          organizationId: org,
          action: 'test.change',
          objectType: 'thing',
          objectId: `thing-${i}`,
          details: { i, note: `change ${i}` },
        }),
      );
    }
  }

  beforeAll(async () => {
    t = await kind.create();
    stores = createStores(t.handle.db, t.handle.dialect);
    audit = createAuditTrail({ clock: createFakeClock(), auditKey });
  });
  afterAll(async () => {
    await t.drop();
  });
  beforeEach(async () => {
    counter += 1;
    org = `org_chain${String(counter).padStart(6, '0')}`;
    await writeChain(5);
  });

  it('verifies an untouched chain', async () => {
    expect(await audit.verify(stores.audit, org)).toEqual({
      organizationId: org,
      entries: 5,
      ok: true,
      firstBroken: null,
    });
  });

  it('refuses to update or delete audit entries through the database itself', async () => {
    await expect(
      sql`update audit_entries set action = 'x' where organization_id = ${org}`.execute(t.handle.db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_entries where organization_id = ${org}`.execute(t.handle.db)).rejects.toThrow(
      /append-only/,
    );
  });

  it('detects an edited entry and names it', async () => {
    await dropAppendOnlyGuards();
    await sql`update audit_entries set details = ${canonicalJson({ i: 2, note: 'nothing happened' })} where organization_id = ${org} and seq = 3`.execute(
      t.handle.db,
    );
    const result = await audit.verify(stores.audit, org);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toEqual({ seq: 3, problem: expect.stringMatching(/edited/) });
  });

  it('detects an entry whose hash was recomputed by someone without the audit key', async () => {
    await dropAppendOnlyGuards();
    const [row] = await stores.audit.page(org, 3, 1);
    if (row === undefined) throw new Error('entry 4 missing');
    const forged = { ...row, action: 'test.forged' };
    const hash = entryHash(forged);
    await sql`update audit_entries set action = 'test.forged', hash = ${hash} where organization_id = ${org} and seq = 4`.execute(
      t.handle.db,
    );
    // The next link would also need rewriting; stop at the MAC, which fails first.
    const result = await audit.verify(stores.audit, org);
    expect(result.firstBroken).toEqual({ seq: 4, problem: expect.stringMatching(/MAC/) });
  });

  it('detects a deleted entry in the middle of the chain', async () => {
    await dropAppendOnlyGuards();
    await sql`delete from audit_entries where organization_id = ${org} and seq = 2`.execute(t.handle.db);
    const result = await audit.verify(stores.audit, org);
    expect(result.firstBroken).toEqual({ seq: 2, problem: expect.stringMatching(/missing/) });
  });

  it('detects the newest entries deleted (truncation) through the chain head', async () => {
    await dropAppendOnlyGuards();
    await sql`delete from audit_entries where organization_id = ${org} and seq >= 4`.execute(t.handle.db);
    const result = await audit.verify(stores.audit, org);
    expect(result.firstBroken).toEqual({ seq: 4, problem: expect.stringMatching(/truncated/) });
  });

  it('detects two entries swapped (reordered)', async () => {
    await dropAppendOnlyGuards();
    // Swap the contents of entries 2 and 3 while keeping their sequence numbers.
    await sql`update audit_entries set seq = -2 where organization_id = ${org} and seq = 2`.execute(t.handle.db);
    await sql`update audit_entries set seq = 2 where organization_id = ${org} and seq = 3`.execute(t.handle.db);
    await sql`update audit_entries set seq = 3 where organization_id = ${org} and seq = -2`.execute(t.handle.db);
    const result = await audit.verify(stores.audit, org);
    expect(result.ok).toBe(false);
    expect(result.firstBroken?.seq).toBe(2);
  });

  it('keeps one unbroken chain when many writers append at once', async () => {
    const uow = createUnitOfWork(t.handle);
    const parallelOrg = `${org}p`;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        uow.run((s) =>
          audit.record(s.audit, testActor, {
            organizationId: parallelOrg,
            action: 'test.parallel',
            objectType: 'thing',
            objectId: String(i),
          }),
        ),
      ),
    );
    expect(await audit.verify(stores.audit, parallelOrg)).toMatchObject({ ok: true, entries: 40 });
  });

  it('rolls back the audit entry with the change when the change fails', async () => {
    const uow = createUnitOfWork(t.handle);
    await expect(
      uow.run(async (s) => {
        await audit.record(s.audit, testActor, {
          organizationId: org,
          action: 'test.doomed',
          objectType: 'thing',
          objectId: 'x',
        });
        throw new Error('the change failed after its audit entry was written');
      }),
    ).rejects.toThrow(/change failed/);
    const result = await audit.verify(stores.audit, org);
    expect(result).toMatchObject({ ok: true, entries: 5 });
  });

  it('finds entries by actor, object and period', async () => {
    const byObject = await stores.audit.search({
      organizationId: org,
      objectType: 'thing',
      objectId: 'thing-1',
      limit: 10,
    });
    expect(byObject.map((e) => e.seq)).toEqual([2]);
    const byActor = await stores.audit.search({ organizationId: org, actorId: testActor.actor.id, limit: 3 });
    expect(byActor.map((e) => e.seq)).toEqual([5, 4, 3]);
    const none = await stores.audit.search({ organizationId: org, from: '2030-01-01T00:00:00.000Z', limit: 10 });
    expect(none).toEqual([]);
  });
});
