import { testDatabaseKinds } from '@ntg/db/testing';
import { systemActor, testActor } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseDueDays } from '../src/wiring/monitoring-services.ts';
import { auth, createTestApp, type TestApp } from './test-app.ts';

describe.each(testDatabaseKinds())('the daily failed-login analysis job on $name (A37.7)', (kind) => {
  let t: TestApp;
  let orgId = '';
  const job = () => analyseDueDays({ ...t.services, clock: t.clock });
  const a377Failures = async () => {
    await t.services.evaluation.run(systemActor, orgId, 'manual');
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/organizations/daily-watch/results?requirementId=A37.7',
      headers: auth,
    });
    return (res.json().results as { status: string; reason: string }[]).filter((r) => r.status === 'fail');
  };

  beforeAll(async () => {
    t = await createTestApp(kind);
    t.clock.set('2026-06-10T02:00:00.000Z');
    orgId = (
      await t.services.organizations.create(testActor, {
        slug: 'daily-watch',
        name: 'Daily Watch Securities',
        profile: { offersInternetTrading: true },
      })
    ).id;
    await t.services.organizations.create(testActor, { slug: 'no-gateway', name: 'No Gateway', profile: {} });
    await t.services.stores.identity.attempts.record({
      id: 'lat_first000001',
      at: '2026-06-07T03:00:00.000Z',
      organizationId: orgId,
      identifier: 'c1',
      accountId: null,
      source: '203.0.113.9',
      purpose: 'login',
      factorKind: 'knowledge',
      outcome: 'unknown-identifier',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('writes a report for each day since the gateway first served the organization, and none twice', async () => {
    const first = await job();
    expect(first).toEqual([{ organizationId: orgId, generated: ['2026-06-07', '2026-06-08', '2026-06-09'] }]);
    expect(await job()).toEqual([{ organizationId: orgId, generated: [] }]);
    expect(await a377Failures()).toEqual([]);
  });

  it('threat: every instance down for days — the next run catches the missed days up from the stored attempts', async () => {
    t.clock.set('2026-06-13T02:00:00.000Z');
    expect((await job())[0]?.generated).toEqual(['2026-06-10', '2026-06-11', '2026-06-12']);
  });

  it('threat: the daily job never runs — a day without a report becomes an A37.7 finding', async () => {
    t.clock.set('2026-06-16T02:00:00.000Z');
    const failures = await a377Failures();
    expect(failures).toHaveLength(1);
    expect(failures[0]?.reason).toMatch(/No daily failed-login analysis for 2026-06-13, 2026-06-14/);
    await job();
    expect(await a377Failures()).toEqual([]);
  });
});
