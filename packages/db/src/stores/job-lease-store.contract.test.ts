import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores, type Stores } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';

describe.each(testDatabaseKinds())('jobs run once per period across instances on $name', (kind) => {
  let t: TestDatabase;
  let stores: Stores;
  beforeAll(async () => {
    t = await kind.create();
    stores = createStores(t.handle.db, t.handle.dialect);
  });
  afterAll(async () => {
    await t.drop();
  });

  const at = (hh: string) => `2026-06-15T${hh}:00:00.000Z`;

  it('threat: two instances racing for the same day — exactly one claims it', async () => {
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        stores.jobs.claim({ job: 'race', period: '2026-06-15', holder: `i${i}`, now: at('01'), leaseUntil: at('02') }),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('a done period is not claimed again; the next period is', async () => {
    const claim = (holder: string, period: string, now: string) =>
      stores.jobs.claim({ job: 'daily', period, holder, now, leaseUntil: at('23') });
    expect(await claim('a', '2026-06-15', at('01'))).toBe(true);
    await stores.jobs.complete({ job: 'daily', period: '2026-06-15', holder: 'a', now: at('01') });
    expect(await claim('b', '2026-06-15', at('02'))).toBe(false);
    expect(await stores.jobs.get('daily')).toMatchObject({ donePeriod: '2026-06-15', holder: null, leaseUntil: null });
    expect(await claim('b', '2026-06-16', at('03'))).toBe(true);
  });

  it('threat: a crashed holder — its lease expires and another instance takes the period over', async () => {
    const claim = (holder: string, now: string, leaseUntil: string) =>
      stores.jobs.claim({ job: 'crash', period: '2026-06-15', holder, now, leaseUntil });
    expect(await claim('a', at('01'), at('02'))).toBe(true);
    expect(await claim('b', at('01'), at('03'))).toBe(false);
    expect(await claim('b', at('04'), at('05'))).toBe(true);
    // The late holder cannot mark the period done over the new holder's lease.
    await stores.jobs.complete({ job: 'crash', period: '2026-06-15', holder: 'a', now: at('04') });
    expect(await stores.jobs.get('crash')).toMatchObject({ donePeriod: null, holder: 'b' });
  });

  it('a failure keeps everyone off until the retry time and records the error', async () => {
    const claim = (holder: string, now: string) =>
      stores.jobs.claim({ job: 'flaky', period: '2026-06-15', holder, now, leaseUntil: at('23') });
    expect(await claim('a', at('01'))).toBe(true);
    await stores.jobs.fail({ job: 'flaky', holder: 'a', now: at('01'), error: 'scanner crashed', retryAt: at('02') });
    expect(await claim('b', at('01'))).toBe(false);
    expect(await stores.jobs.get('flaky')).toMatchObject({ lastError: 'scanner crashed', leaseUntil: at('02') });
    expect(await claim('b', at('03'))).toBe(true);
  });
});
