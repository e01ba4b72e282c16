import type { RuleResult } from '@ntg/contracts';
import { emptyProfile, type Finding, newId, syncFindings } from '@ntg/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores, type Stores } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';

const at = '2026-06-15T01:00:00.000Z';

/** Findings as an evaluation opens them (one per failing result), then made to vary where the store must keep it. */
function opened(orgId: string, n: number): Finding[] {
  const results: RuleResult[] = Array.from({ length: n }, (_, i) => ({
    requirementId: 'A26',
    status: 'fail',
    reason: `Device ${i} is public without a firewall`,
    recordType: 'iot-devices',
    recordId: `iot_${i}`,
    recordName: `Device ${i}`,
    dueDate: null,
  }));
  results.push({
    ...results[0],
    requirementId: 'A3',
    recordType: null,
    recordId: null,
    recordName: null,
  } as RuleResult);
  const { inserts } = syncFindings({
    organizationId: orgId,
    existing: [],
    results,
    obligationOf: () => 'shall',
    ownerOf: () => 'General Affairs',
    now: new Date(at),
    today: at.slice(0, 10),
  });
  const accepted = inserts[1] as Finding;
  Object.assign(accepted, {
    status: 'accepted',
    acceptedBy: 'usr_2',
    acceptedReason: 'next quarter',
    acceptedUntil: '2026-09-30',
  });
  return inserts;
}

describe.each(testDatabaseKinds())('finding store sync reads on $name', (kind) => {
  let t: TestDatabase;
  let stores: Stores;
  let orgId: string;
  let stored: Finding[];
  beforeAll(async () => {
    t = await kind.create();
    stores = createStores(t.handle.db, t.handle.dialect);
    orgId = newId('org');
    const org = { slug: 'finding-securities', name: 'Finding Securities', kind: 'securities' } as const;
    await stores.organizations.insert({
      ...org,
      id: orgId,
      demo: false,
      profile: emptyProfile(),
      createdAt: at,
      updatedAt: at,
    });
    // More than one batch of ids, an organization-wide finding and an accepted risk.
    stored = opened(orgId, 310);
    await stores.findings.insertMany(stored);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('reads every finding by its sync columns, matching the full rows', async () => {
    const rows = await stores.findings.syncRows(orgId);
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(rows.sort(byId)).toEqual(
      (await stores.findings.all(orgId)).sort(byId).map((f) => ({
        id: f.id,
        requirementId: f.requirementId,
        recordType: f.recordType,
        recordId: f.recordId,
        status: f.status,
        reason: f.reason,
        resultStatus: f.resultStatus,
        acceptedUntil: f.acceptedUntil,
      })),
    );
    expect(rows.filter((r) => r.recordType === null && r.recordId === null)).toHaveLength(1);
    expect(rows.find((r) => r.id === stored[1]?.id)).toMatchObject({ status: 'accepted', acceptedUntil: '2026-09-30' });
  });

  it('reads the full rows of the findings asked for, across batches, and none of another organization', async () => {
    const ids = [0, 1, 305, 310].map((i) => stored[i]?.id ?? '').concat('fnd_missing');
    const found = await stores.findings.byIds(orgId, ids);
    const byId = (a: Finding, b: Finding) => a.id.localeCompare(b.id);
    expect(found.sort(byId)).toEqual(stored.filter((f) => ids.includes(f.id)).sort(byId));
    const many = stored.map((f) => f.id);
    expect(await stores.findings.byIds(orgId, many)).toHaveLength(stored.length);
    expect(await stores.findings.byIds('org_other', many)).toEqual([]);
    expect(await stores.findings.byIds(orgId, [])).toEqual([]);
  });
});
