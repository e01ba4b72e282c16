import type { CollectorRun } from '@ntg/contracts';
import {
  type CollectorRunLog,
  createAuditTrail,
  createCollectorRunLog,
  createEvidenceService,
  createOrganizationService,
} from '@ntg/core';
import { createFakeClock, testActor } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores, createUnitOfWork, type Stores } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';
import { createDatabaseBlobStore } from './evidence-blob-stores.ts';

describe.each(testDatabaseKinds())('collector run store on $name', (kind) => {
  let t: TestDatabase;
  let stores: Stores;
  let log: CollectorRunLog;
  let org = '';
  let otherOrg = '';
  const changed: string[] = [];
  const clock = createFakeClock('2026-06-14T02:00:00.000Z');
  const audit = createAuditTrail({ clock, auditKey: Buffer.alloc(32, 5) });

  function tick() {
    clock.advance(1000);
    return clock.now();
  }

  async function record(
    organizationId: string,
    kind: CollectorRun['kind'],
    target: string,
    summary: object,
    status: 'ok' | 'error' = 'ok',
  ) {
    return log.record(testActor, organizationId, {
      kind,
      target,
      startedAt: tick(),
      status,
      rawSha256: 'a'.repeat(64),
      evidence: {
        bytes: Buffer.from(JSON.stringify({ target, summary })),
        filename: `${kind}.json`,
        contentType: 'application/json',
        description: `${kind} of ${target}`,
        effectiveDate: '2026-06-14',
        links: [{ targetType: 'node', targetId: 'A35.1' }],
      },
      summary: summary as Record<string, unknown>,
    });
  }

  beforeAll(async () => {
    t = await kind.create();
    stores = createStores(t.handle.db, t.handle.dialect);
    const uow = createUnitOfWork(t.handle);
    const organizations = createOrganizationService({ uow, organizations: stores.organizations, audit, clock });
    org = (await organizations.create(testActor, { slug: 'collector-co', name: '收集證券', profile: {} })).id;
    otherOrg = (await organizations.create(testActor, { slug: 'other-co', name: 'Other', profile: {} })).id;
    const evidence = createEvidenceService({
      uow,
      evidence: stores.evidence,
      blobs: createDatabaseBlobStore(t.handle.db),
      audit,
      clock,
    });
    log = createCollectorRunLog({
      uow,
      runs: stores.collectorRuns,
      evidence,
      audit,
      clock,
      listener: { recordsChanged: (id) => changed.push(id) },
    });
  });
  afterAll(async () => {
    await t.drop();
  });

  it('stores a run with its evidence and reads it back as it was written', async () => {
    const run = await record(org, 'tls-scan', 'trade.example.com.tw:443', { b: 1, a: ['x', { z: null }] });
    expect(await stores.collectorRuns.findById(org, run.id)).toEqual(run);
    expect(run).toMatchObject({ kind: 'tls-scan', status: 'ok', actor: 'user:usr_test', error: null });
    const evidence = await stores.evidence.findById(org, run.evidenceId ?? '');
    expect(evidence).toMatchObject({ collectedBy: 'collector:tls-scan', effectiveDate: '2026-06-14' });
    expect(evidence?.links.map((l) => `${l.targetType}:${l.targetId}`)).toEqual(['node:A35.1']);
    expect(changed).toContain(org);
  });

  it('audits each run in the same transaction, and the chain still verifies', async () => {
    const run = await record(org, 'nmap-import', 'scan.xml', {}, 'error');
    const entries = await stores.audit.search({
      organizationId: org,
      objectType: 'collector-run',
      objectId: run.id,
      limit: 5,
    });
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([['collector.run', 'failure']]);
    expect(await audit.verify(stores.audit, org)).toMatchObject({ ok: true });
  });

  it("lists newest first, by kind, and never another organization's runs", async () => {
    await record(otherOrg, 'tls-scan', 'other.example.com:443', {});
    const all = await log.list(org, { limit: 10 });
    expect(all.map((r) => r.kind)).toEqual(['nmap-import', 'tls-scan']);
    expect((await log.list(org, { kind: 'tls-scan', limit: 10 })).map((r) => r.target)).toEqual([
      'trade.example.com.tw:443',
    ]);
    expect(await stores.collectorRuns.findById(otherOrg, all[0]?.id ?? '')).toBeNull();
    await expect(log.get(otherOrg, all[0]?.id ?? '')).rejects.toThrow(/No collector run/);
  });

  it('finds the newest run of a kind, whatever its status', async () => {
    await record(org, 'mdm-import', 'intune.csv', { n: 1 });
    const newest = await record(org, 'mdm-import', 'intune.csv', { n: 2 }, 'error');
    expect((await log.latest(org, 'mdm-import'))?.id).toBe(newest.id);
    expect(await log.latest(otherOrg, 'mdm-import')).toBeNull();
  });

  it('finds the newest run of each target', async () => {
    await record(org, 'tls-scan', 'a.example.com:443', { n: 1 });
    const a2 = await record(org, 'tls-scan', 'a.example.com:443', { n: 2 }, 'error');
    const b = await record(org, 'tls-scan', 'b.example.com:443', { n: 3 });
    const latest = await stores.collectorRuns.latestPerTarget(org, 'tls-scan');
    expect(latest.map((r) => [r.target, r.id])).toEqual([
      ['a.example.com:443', a2.id],
      ['b.example.com:443', b.id],
      ['trade.example.com.tw:443', expect.any(String)],
    ]);
  });
});
