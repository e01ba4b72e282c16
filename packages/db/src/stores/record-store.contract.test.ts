import { createAuditTrail, createOrganizationService, createRegisterService, type RegisterService } from '@ntg/core';
import { createFakeClock, testActor } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores, createUnitOfWork } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';

describe.each(testDatabaseKinds())('register records on $name', (kind) => {
  let t: TestDatabase;
  let registers: RegisterService;
  let org = '';
  const changes: string[] = [];

  beforeAll(async () => {
    t = await kind.create();
    const clock = createFakeClock();
    const stores = createStores(t.handle.db, t.handle.dialect);
    const uow = createUnitOfWork(t.handle);
    const audit = createAuditTrail({ clock, auditKey: Buffer.alloc(32, 1) });
    const orgs = createOrganizationService({ uow, organizations: stores.organizations, audit, clock });
    org = (await orgs.create(testActor, { slug: 'rec-test', name: 'Records Test', kind: 'securities', profile: {} }))
      .id;
    registers = createRegisterService({
      uow,
      records: stores.records,
      audit,
      clock,
      listener: { recordsChanged: (o) => changes.push(o) },
    });
    for (let i = 0; i < 30; i++) {
      await registers.create(testActor, org, 'mobile-devices', {
        name: `Phone ${String(i).padStart(2, '0')}`,
        owner: i % 2 === 0 ? 'Trading Dept.' : 'IT Dept.',
        ownership: i % 3 === 0 ? 'byod' : 'business',
        holder: `Holder ${i}`,
        jailbrokenOrRooted: i === 7 ? true : i % 5 === 0 ? null : false,
        osExaminedDate: `2026-0${(i % 9) + 1}-15`,
      });
    }
  });
  afterAll(async () => {
    await t.drop();
  });

  it('stores a record with defaults for every field not given, and reports the change', async () => {
    const rec = await registers.create(testActor, org, 'iot-devices', {
      name: 'Copier 3F',
      owner: 'General Affairs',
      kind: 'copier',
    });
    expect(rec).toMatchObject({
      name: 'Copier 3F',
      kind: 'copier',
      publicAddress: null,
      openServices: [],
      revision: 1,
    });
    expect(rec.id).toMatch(/^iot_/);
    expect(await registers.get(org, 'iot-devices', rec.id)).toEqual(rec);
    expect(changes).toContain(org);
  });

  it('pages, sorts by a field and filters by field values on the server', async () => {
    const page = await registers.page(org, 'mobile-devices', {
      sort: 'name',
      order: 'desc',
      offset: 0,
      limit: 5,
      filter: 'ownership:byod',
    });
    expect(page.total).toBe(10);
    expect(page.records.map((r) => r.name)).toEqual(['Phone 27', 'Phone 24', 'Phone 21', 'Phone 18', 'Phone 15']);
    const rooted = await registers.page(org, 'mobile-devices', {
      sort: 'name',
      order: 'asc',
      offset: 0,
      limit: 50,
      filter: 'jailbrokenOrRooted:true',
    });
    expect(rooted.records.map((r) => r.name)).toEqual(['Phone 07']);
    const unknown = await registers.page(org, 'mobile-devices', {
      sort: 'name',
      order: 'asc',
      offset: 0,
      limit: 50,
      filter: 'jailbrokenOrRooted:null',
    });
    expect(unknown.total).toBe(6);
    const byDate = await registers.page(org, 'mobile-devices', {
      sort: 'osExaminedDate',
      order: 'asc',
      offset: 0,
      limit: 1,
    });
    expect(byDate.records[0]?.osExaminedDate).toBe('2026-01-15');
  });

  it('searches name and owner case-insensitively, treating % and _ literally', async () => {
    const it1 = await registers.page(org, 'mobile-devices', {
      sort: 'name',
      order: 'asc',
      offset: 0,
      limit: 50,
      q: 'it dept',
    });
    expect(it1.total).toBe(15);
    const literal = await registers.page(org, 'mobile-devices', {
      sort: 'name',
      order: 'asc',
      offset: 0,
      limit: 50,
      q: '%',
    });
    expect(literal.total).toBe(0);
  });

  it('gives the count of all matches on every page of a search, and past the last page too', async () => {
    const pages = [0, 5, 10, 100].map((offset) =>
      registers.page(org, 'mobile-devices', { sort: 'name', order: 'asc', offset, limit: 5, q: 'it dept' }),
    );
    const [first, second, third, beyond] = await Promise.all(pages);
    expect([first?.total, second?.total, third?.total, beyond?.total]).toEqual([15, 15, 15, 15]);
    expect(beyond?.records).toEqual([]);
    const names = [...(first?.records ?? []), ...(second?.records ?? []), ...(third?.records ?? [])].map((r) => r.name);
    expect(new Set(names).size).toBe(15);
  });

  it('refuses to sort or filter by a name that is not a field of the register', async () => {
    await expect(
      registers.page(org, 'mobile-devices', { sort: 'password', order: 'asc', offset: 0, limit: 5 }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(
      registers.page(org, 'mobile-devices', {
        sort: 'name',
        order: 'asc',
        offset: 0,
        limit: 5,
        filter: "x') or 1=1 --:1",
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('replaces a record at the expected revision and audits the changed fields', async () => {
    const [first] = (await registers.page(org, 'mobile-devices', { sort: 'name', order: 'asc', offset: 0, limit: 1 }))
      .records;
    if (first === undefined) throw new Error('no record');
    const { id, revision, createdAt, updatedAt, ...rest } = first;
    const updated = await registers.replace(
      testActor,
      org,
      'mobile-devices',
      id,
      { ...rest, screenLock: true },
      revision,
    );
    expect(updated.revision).toBe(revision + 1);
    expect(updated.screenLock).toBe(true);
  });

  it('refuses a stale revision with CONFLICT and keeps the newer data (lost-update protection)', async () => {
    const [first] = (await registers.page(org, 'mobile-devices', { sort: 'name', order: 'asc', offset: 0, limit: 1 }))
      .records;
    if (first === undefined) throw new Error('no record');
    const { id, revision, createdAt, updatedAt, ...rest } = first;
    await expect(
      registers.replace(testActor, org, 'mobile-devices', id, { ...rest, screenLock: false }, revision - 1),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await registers.get(org, 'mobile-devices', id)).screenLock).toBe(true);
  });

  it('rejects an unknown field, a wrong type and a dangling reference without storing anything', async () => {
    const before = (await registers.counts(org))['app-releases'];
    await expect(
      registers.create(testActor, org, 'mobile-devices', {
        name: 'X',
        owner: 'Y',
        ownership: 'byod',
        holder: 'Z',
        colour: 'red',
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(
      registers.create(testActor, org, 'mobile-devices', { name: 'X', owner: 'Y', ownership: 'rented', holder: 'Z' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(
      registers.create(testActor, org, 'app-releases', {
        name: '1.0',
        owner: 'Apps',
        appId: 'app_doesnotexist000',
        version: '1.0',
        releaseDate: '2026-01-01',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/appId/) });
    expect((await registers.counts(org))['app-releases']).toBe(before);
  });

  it('deletes a record at the expected revision and keeps the whole record in the audit trail', async () => {
    const rec = await registers.create(testActor, org, 'trainings', {
      name: 'IoT basics',
      owner: 'HR',
      date: '2026-03-01',
      topics: ['iot-security'],
    });
    await registers.remove(testActor, org, 'trainings', rec.id, 1);
    await expect(registers.get(org, 'trainings', rec.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const stores = createStores(t.handle.db, t.handle.dialect);
    const [entry] = await stores.audit.search({
      organizationId: org,
      objectType: 'trainings',
      objectId: rec.id,
      limit: 1,
    });
    expect(entry).toMatchObject({
      action: 'register.delete',
      details: { name: 'IoT basics', fields: { topics: ['iot-security'] } },
    });
  });

  it("keeps each organization's records apart", async () => {
    expect(
      (
        await registers.page('org_someoneelse0000000000', 'mobile-devices', {
          sort: 'name',
          order: 'asc',
          offset: 0,
          limit: 5,
        })
      ).total,
    ).toBe(0);
  });
});
