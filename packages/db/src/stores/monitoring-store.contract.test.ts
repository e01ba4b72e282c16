import { createHash } from 'node:crypto';
import {
  type AttemptOutcome,
  canonicalJson,
  createAuditTrail,
  createMonitoringService,
  createOrganizationService,
  type MonitoringService,
} from '@ntg/core';
import { createFakeClock, systemActor, testActor } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores, createUnitOfWork, type Stores } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';

describe.each(testDatabaseKinds())('daily failed-login report on $name (A37.7)', (kind) => {
  let t: TestDatabase;
  let stores: Stores;
  let monitoring: MonitoringService;
  let org = '';
  let otherOrg = '';
  // 2026-06-15 09:00 Taipei: "yesterday" is 2026-06-14.
  const clock = createFakeClock('2026-06-15T01:00:00.000Z');
  const audit = createAuditTrail({ clock, auditKey: Buffer.alloc(32, 5) });
  let n = 0;

  async function attempt(
    organizationId: string,
    at: string,
    identifier: string,
    source: string,
    outcome: AttemptOutcome,
  ) {
    n += 1;
    await stores.identity.attempts.record({
      id: `lat_${String(n).padStart(4, '0')}`,
      at,
      organizationId,
      identifier,
      accountId: outcome === 'unknown-identifier' ? null : `cla_${identifier}`,
      source,
      purpose: 'login',
      factorKind: 'knowledge',
      outcome,
    });
  }

  beforeAll(async () => {
    t = await kind.create();
    stores = createStores(t.handle.db, t.handle.dialect);
    const uow = createUnitOfWork(t.handle);
    const organizations = createOrganizationService({ uow, organizations: stores.organizations, audit, clock });
    org = (await organizations.create(testActor, { slug: 'watch-co', name: '監控證券', profile: {} })).id;
    otherOrg = (await organizations.create(testActor, { slug: 'other-co', name: 'Other', profile: {} })).id;
    monitoring = createMonitoringService({ uow, reads: stores.monitoring, audit, clock });
    // Credential stuffing from one address during the Taipei day 2026-06-14 (16:00Z on the 13th to 16:00Z on the 14th).
    for (let i = 0; i < 12; i += 1) {
      await attempt(
        org,
        `2026-06-14T0${i % 10}:00:00.000Z`,
        `c${i}`,
        '203.0.113.7',
        i % 3 === 0 ? 'unknown-identifier' : 'failure',
      );
    }
    await attempt(org, '2026-06-13T16:00:00.000Z', 'a1', '10.0.0.1', 'success');
    // Outside the day, and another organization's attempts: not counted.
    await attempt(org, '2026-06-13T15:59:59.999Z', 'a1', '10.0.0.1', 'failure');
    await attempt(org, '2026-06-14T16:00:00.000Z', 'a1', '10.0.0.1', 'failure');
    await attempt(otherOrg, '2026-06-14T03:00:00.000Z', 'z1', '10.0.0.1', 'failure');
    // One account locked that day, as the lockout records it.
    clock.set('2026-06-14T05:00:00.000Z');
    await uow.run((s) =>
      audit.record(s.audit, systemActor, {
        organizationId: org,
        action: 'identity.account.lock',
        objectType: 'client-account',
        objectId: 'cla_c1',
      }),
    );
    clock.set('2026-06-15T01:00:00.000Z');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('analyses yesterday in Asia/Taipei by default and keeps the report with the hash of its canonical JSON', async () => {
    const report = await monitoring.generateDaily(testActor, org);
    expect(report.date).toBe('2026-06-14');
    expect(report.summary.counts).toEqual({
      attempts: 13,
      successes: 1,
      failures: 8,
      lockedRefusals: 0,
      unknownIdentifier: 4,
      locks: 1,
    });
    expect(report.summary.patterns.map((p) => p.type)).toContain('credential-stuffing');
    expect(report.sha256).toBe(createHash('sha256').update(canonicalJson(report.summary)).digest('hex'));
    expect(await monitoring.getDaily(org, '2026-06-14')).toEqual(report);
  });

  it('audits the generation as monitoring.daily-report with the same hash', async () => {
    clock.advance(60_000);
    const report = await monitoring.generateDaily(testActor, org, '2026-06-14');
    const head = await stores.audit.head(org);
    const [entry] = await stores.audit.page(org, (head?.seq ?? 1) - 1, 1);
    expect(entry).toMatchObject({
      action: 'monitoring.daily-report',
      objectType: 'monitoring-report',
      objectId: report.id,
      details: expect.objectContaining({ date: '2026-06-14', sha256: report.sha256 }),
    });
    expect((await monitoring.getDaily(org, '2026-06-14')).id).toBe(report.id);
  });

  it('answers NOT_FOUND for a day without a report, and BAD_REQUEST for a malformed date', async () => {
    await expect(monitoring.getDaily(org, '2026-06-01')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(monitoring.generateDaily(testActor, org, '2026-02-30')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('tells when the gateway first saw the organization and which days have a report (for the A37.7 check)', async () => {
    expect(await stores.monitoring.firstAttemptAt(org)).toBe('2026-06-13T15:59:59.999Z');
    const unused = (
      await createOrganizationService({
        uow: createUnitOfWork(t.handle),
        organizations: stores.organizations,
        audit,
        clock,
      }).create(testActor, { slug: 'unused-co', name: 'Unused', profile: {} })
    ).id;
    expect(await stores.monitoring.firstAttemptAt(unused)).toBeNull();
    await monitoring.generateDaily(systemActor, org, '2026-06-12');
    await monitoring.generateDaily(systemActor, org, '2026-06-12');
    expect(await stores.monitoring.reportDates(org, '2026-06-01', '2026-06-30')).toEqual(
      expect.arrayContaining(['2026-06-12', '2026-06-14']),
    );
    const dates = await stores.monitoring.reportDates(org, '2026-06-01', '2026-06-13');
    expect(dates).toContain('2026-06-12');
    expect(dates).not.toContain('2026-06-14');
    expect(new Set(dates).size).toBe(dates.length);
  });

  it('keeps organizations apart', async () => {
    const report = await monitoring.generateDaily(testActor, otherOrg, '2026-06-14');
    expect(report.summary.counts.attempts).toBe(1);
    expect(report.summary.counts.locks).toBe(0);
  });
});
