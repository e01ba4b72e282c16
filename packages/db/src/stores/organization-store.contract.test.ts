import { createAuditTrail, createOrganizationService, emptyProfile } from '@ntg/core';
import { createFakeClock, testActor } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores, createUnitOfWork } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';

describe.each(testDatabaseKinds())('organization store on $name', (kind) => {
  let t: TestDatabase;
  const clock = createFakeClock();
  const audit = createAuditTrail({ clock, auditKey: Buffer.alloc(32, 7) });
  let service: ReturnType<typeof createOrganizationService>;

  beforeAll(async () => {
    t = await kind.create();
    const stores = createStores(t.handle.db, t.handle.dialect);
    service = createOrganizationService({
      uow: createUnitOfWork(t.handle),
      organizations: stores.organizations,
      audit,
      clock,
    });
  });
  afterAll(async () => {
    await t.drop();
  });

  it('stores an organization with its profile and reads it back by id and by slug', async () => {
    const created = await service.create(testActor, {
      slug: 'alpha-securities',
      name: 'Alpha Securities 甲證券',
      kind: 'securities',
      profile: { usesCloudServices: true, offersInternetTrading: true },
    });
    expect(created.profile).toEqual({ ...emptyProfile(), usesCloudServices: true, offersInternetTrading: true });
    expect(await service.get(created.id)).toEqual(created);
    expect(await service.get('alpha-securities')).toEqual(created);
  });

  it('refuses a second organization with the same slug and leaves the first intact', async () => {
    await expect(
      service.create(testActor, { slug: 'alpha-securities', name: 'Other', kind: 'futures', profile: {} }),
    ).rejects.toMatchObject({ code: 'ORGANIZATION_SLUG_TAKEN' });
    const all = await service.list();
    expect(all.filter((o) => o.slug === 'alpha-securities')).toHaveLength(1);
  });

  it('updates the profile and audits which answers changed in the same transaction', async () => {
    const org = await service.updateProfile(testActor, 'alpha-securities', { allowsByod: true });
    expect(org.profile.allowsByod).toBe(true);
    const stores = createStores(t.handle.db, t.handle.dialect);
    const entries = await stores.audit.search({ organizationId: org.id, limit: 10 });
    expect(entries.map((e) => e.action)).toEqual(['organization.profile.update', 'organization.create']);
    expect(entries[0]?.details).toEqual({ changed: { allowsByod: { from: false, to: true } } });
  });

  it('rejects an unknown profile question with a validation error naming it', async () => {
    await expect(
      service.updateProfile(testActor, 'alpha-securities', { usesQuantumCloud: true } as never),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('names an unknown organization in a not-found error', async () => {
    await expect(service.get('no-such-firm')).rejects.toMatchObject({ code: 'ORGANIZATION_NOT_FOUND' });
  });
});
