import type { RuleResult } from '@ntg/contracts';
import { testDatabaseKinds } from '@ntg/db/testing';
import { systemActor } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDemoBundle } from '../src/demo/demo-bundle.ts';
import { createImportExportTestApp, type ImportExportTestApp } from './import-export-app.ts';

const chaptersWithRegisters = [2, 3, 4, 5];

describe.each(testDatabaseKinds())('demo bundle on $name', (kind) => {
  let t: ImportExportTestApp;
  let organizationId = '';
  let results: RuleResult[] = [];
  let chapters: { chapter: number; counts: Record<string, number> }[] = [];
  const chapterOf = (result: RuleResult) => t.services.catalog.catalog().get(result.requirementId)?.chapter.number;

  beforeAll(async () => {
    // The demo's dates are set around this day.
    t = await createImportExportTestApp(kind, '2026-11-28T02:00:00.000Z');
    const imported = await t.services.bundles.importBundle(systemActor, readDemoBundle(), { mode: 'replace' });
    organizationId = imported.organization.id;
    const run = await t.services.evaluation.run(systemActor, organizationId, 'import');
    chapters = run.summary.chapters;
    results = await t.services.stores.evaluations.results(organizationId, {});
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates a demo organization that answers the scope questions and fills every register', async () => {
    const org = await t.services.organizations.get('demo-securities');
    expect(org).toMatchObject({ name: 'Demo Securities Co. (demo data)', demo: true });
    expect(
      Object.entries(org.profile)
        .filter(([, yes]) => !yes)
        .map(([flag]) => flag),
    ).toEqual(['onlyPrivateInternalCloud']);
    const counts = await t.services.registers.counts(organizationId);
    expect(Object.entries(counts).filter(([, n]) => n === 0)).toEqual([]);
  });

  it.each(chaptersWithRegisters)('shows passes and failures and no errors in chapter %i', (chapter) => {
    const summary = chapters.find((c) => c.chapter === chapter);
    expect(summary?.counts.pass, `passes in chapter ${chapter}`).toBeGreaterThan(0);
    expect(summary?.counts.fail, `failures in chapter ${chapter}`).toBeGreaterThan(0);
    expect(summary?.counts.error, `errors in chapter ${chapter}`).toBe(0);
  });

  it('gives every failure in chapters II-V a reason that names its record', () => {
    const fails = results.filter((r) => r.status === 'fail' && chaptersWithRegisters.includes(chapterOf(r) ?? 0));
    expect(fails.length).toBeGreaterThan(0);
    for (const f of fails) {
      expect(f.recordName, `${f.requirementId}: ${f.reason}`).not.toBeNull();
      expect(f.reason).toContain(f.recordName ?? '');
    }
  });

  it('reports the deliberate gaps with readable reasons', () => {
    const failing = (requirementId: string) =>
      results.filter((r) => r.requirementId === requirementId && r.status === 'fail').map((r) => r.reason);
    expect(failing('A5.3').join(' ')).toMatch(/HiCloud.*FTP/);
    expect(failing('A8').join(' ')).toMatch(/AWS.*authorization/);
    expect(failing('A12.1').join(' ')).toMatch(/2025-09-28/);
    expect(failing('A13.3').join(' ')).toMatch(/Facebook.*license number/);
    expect(failing('A17.4.3').join(' ')).toMatch(/jailbroken or rooted/);
    expect(failing('A20.1').join(' ')).toMatch(/"location"/);
    expect(failing('A26').join(' ')).toMatch(/Telnet on port 23/);
    expect(failing('A26').join(' ')).toMatch(/203\.0\.113\.45/);
    const unsigned = results.find((r) => r.requirementId === 'A18.2' && r.recordName?.includes('林美玲'));
    expect(unsigned?.reason).toMatch(/signed/);
  });

  it('imports again without changing anything (ids make the demo repeatable)', async () => {
    const again = await t.services.bundles.importBundle(systemActor, readDemoBundle(), { mode: 'replace' });
    for (const counts of Object.values(again.registers)) {
      expect(counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    }
    expect(again.attestations).toEqual({ added: 0, unchanged: 2 });
  });
});
