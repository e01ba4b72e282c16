import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupCommitUnitOfWork } from './group-commit.ts';
import { createStores } from './stores.ts';
import { type TestDatabase, testDatabaseKinds } from './testing/test-databases.ts';
import { testOrganizationRow } from './testing/test-rows.ts';

const at = '2026-01-15T01:00:00.000Z';

describe.each(testDatabaseKinds())('group commit on $name', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await kind.create();
  });
  afterAll(async () => {
    await t.drop();
  });

  const org = (slug: string) => testOrganizationRow(slug, at);

  it('commits every unit of a burst and rolls back a failing unit alone', async () => {
    const uow = createGroupCommitUnitOfWork(t.handle);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        uow.run(async (s) => {
          await s.organizations.insert(org(`burst-${i}`));
          if (i === 7) throw new Error('unit 7 fails after its insert');
          return i;
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => r.value)).toHaveLength(19);
    expect(results[7]).toMatchObject({ status: 'rejected', reason: { message: 'unit 7 fails after its insert' } });
    const slugs = (await createStores(t.handle.db, t.handle.dialect).organizations.list()).map((o) => o.slug);
    expect(slugs).toHaveLength(19);
    expect(slugs).not.toContain('burst-7');
  });

  it('isolates a unit whose statement violates a constraint', async () => {
    const uow = createGroupCommitUnitOfWork(t.handle);
    const [a, b, c] = await Promise.allSettled([
      uow.run((s) => s.organizations.insert(org('unique-a'))),
      uow.run((s) => s.organizations.insert(org('unique-a'))),
      uow.run((s) => s.organizations.insert(org('unique-c'))),
    ]);
    // Grouped (SQLite), the first asked wins; on PostgreSQL the two inserts race and either may. Exactly one wins,
    // and the unrelated unit commits whatever happened to the loser.
    expect([a?.status, b?.status].sort()).toEqual(['fulfilled', 'rejected']);
    if (kind.name === 'sqlite') expect(a?.status).toBe('fulfilled');
    expect(c?.status).toBe('fulfilled');
    expect(await createStores(t.handle.db, t.handle.dialect).organizations.findBySlug('unique-c')).not.toBeNull();
  });

  // Where commits are grouped, units run in the order they were asked; PostgreSQL runs them concurrently instead.
  it.runIf(kind.name === 'sqlite')(
    'runs grouped units in order: a later unit reads what an earlier one wrote',
    async () => {
      const uow = createGroupCommitUnitOfWork(t.handle);
      const [, seen] = await Promise.all([
        uow.run((s) => s.organizations.insert(org('earlier'))),
        uow.run((s) => s.organizations.findBySlug('earlier')),
      ]);
      expect(seen?.slug).toBe('earlier');
    },
  );
});
