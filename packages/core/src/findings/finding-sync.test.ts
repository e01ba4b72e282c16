import type { RuleResult } from '@ntg/contracts';
import { describe, expect, it } from 'vitest';
import type { Finding } from './finding-store.ts';
import { failingByKey, findingsToChange, syncFindingRows, syncFindings } from './finding-sync.ts';

const now = new Date('2026-06-15T02:00:00.000Z');
const today = '2026-06-15';

function failing(
  requirementId: string,
  recordId: string | null,
  reason = 'fails',
  dueDate: string | null = null,
): RuleResult {
  return {
    requirementId,
    status: 'fail',
    reason,
    recordType: recordId ? 'iot-devices' : null,
    recordId,
    recordName: recordId,
    dueDate,
  };
}

function finding(over: Partial<Finding>): Finding {
  return {
    organizationId: 'org_t',
    id: 'fnd_1',
    requirementId: 'A26',
    recordType: 'iot-devices',
    recordId: 'iot_1',
    recordName: 'iot_1',
    status: 'open',
    severity: 'high',
    reason: 'fails',
    resultStatus: 'fail',
    owner: 'GA',
    assignee: null,
    dueDate: '2026-07-15',
    acceptedBy: null,
    acceptedReason: null,
    acceptedUntil: null,
    resolvedAt: null,
    resolvedBy: null,
    firstSeenAt: '2026-06-01T00:00:00.000Z',
    lastSeenAt: '2026-06-01T00:00:00.000Z',
    revision: 1,
    updatedAt: '2026-06-01T00:00:00.000Z',
    ...over,
  };
}

function sync(existing: Finding[], results: RuleResult[]) {
  return syncFindings({
    organizationId: 'org_t',
    existing,
    results,
    obligationOf: (id) => (id === 'A17.4.5' ? 'advised' : 'shall'),
    ownerOf: () => 'General Affairs',
    now,
    today,
  });
}

describe('finding lifecycle', () => {
  it('opens a finding for each failing result, with severity from the obligation and a due date by severity', () => {
    const out = sync([], [failing('A26', 'iot_1'), failing('A17.4.5', 'iot_2')]);
    expect(out.inserts.map((f) => [f.requirementId, f.severity, f.dueDate, f.status, f.owner])).toEqual([
      ['A26', 'high', '2026-07-15', 'open', 'General Affairs'],
      ['A17.4.5', 'low', '2026-09-13', 'open', 'General Affairs'],
    ]);
    expect(out.events.map((e) => e.event)).toEqual(['opened', 'opened']);
  });

  it('does not open a second finding for a failure it already tracks', () => {
    const out = sync([finding({})], [failing('A26', 'iot_1')]);
    expect(out.inserts).toEqual([]);
    expect(out.updates).toEqual([]);
  });

  it('leaves a tracked failure whose reason is unchanged alone: no update, no event, the finding as it was', () => {
    const tracked = finding({ status: 'accepted', acceptedUntil: '2026-12-31', acceptedBy: 'CISO' });
    const out = sync([tracked], [failing('A26', 'iot_1')]);
    expect(out).toMatchObject({ inserts: [], updates: [], events: [], opened: 0, reopened: 0, fixed: 0 });
    expect(tracked).toEqual(finding({ status: 'accepted', acceptedUntil: '2026-12-31', acceptedBy: 'CISO' }));
  });

  it('rewrites a tracked failure only to take its new reason, with the next revision and no event', () => {
    const out = sync([finding({})], [failing('A26', 'iot_1', 'fails differently')]);
    expect(out.updates).toEqual([
      finding({
        reason: 'fails differently',
        revision: 2,
        lastSeenAt: now.toISOString(),
        updatedAt: now.toISOString(),
      }),
    ]);
    expect(out.events).toEqual([]);
  });

  it('marks an open finding fixed when its rule stops failing, awaiting a person to resolve it', () => {
    const out = sync([finding({})], []);
    expect(out.updates).toEqual([expect.objectContaining({ status: 'fixed', revision: 2 })]);
    expect(out.fixed).toBe(1);
  });

  it('reopens a resolved finding when its rule fails again', () => {
    const out = sync(
      [finding({ status: 'resolved', resolvedAt: '2026-06-10T00:00:00.000Z', resolvedBy: 'officer' })],
      [failing('A26', 'iot_1', 'public again')],
    );
    expect(out.updates).toEqual([
      expect.objectContaining({ status: 'open', resolvedAt: null, reason: 'public again' }),
    ]);
    expect(out.events.map((e) => e.event)).toEqual(['reopened']);
  });

  it('keeps an accepted risk until its acceptance expires, then reopens it', () => {
    const accepted = finding({
      status: 'accepted',
      acceptedBy: 'CISO',
      acceptedReason: 'replacement ordered',
      acceptedUntil: '2026-06-30',
    });
    expect(sync([accepted], [failing('A26', 'iot_1')]).updates).toEqual([]);
    const expired = finding({
      status: 'accepted',
      acceptedBy: 'CISO',
      acceptedReason: 'replacement ordered',
      acceptedUntil: '2026-06-14',
    });
    const out = sync([expired], [failing('A26', 'iot_1')]);
    expect(out.updates).toEqual([expect.objectContaining({ status: 'open' })]);
    expect(out.events.map((e) => e.event)).toEqual(['risk-acceptance-expired']);
  });

  it("takes the duty's own due date when it is later than the remediation period", () => {
    const out = sync([], [failing('A26', 'iot_1', 'fails', '2026-12-31')]);
    expect(out.inserts[0]?.dueDate).toBe('2026-12-31');
  });

  it('tracks organization-wide findings under an empty record key', () => {
    const out = sync([], [failing('A12.1', null)]);
    expect(out.inserts[0]).toMatchObject({ recordType: null, recordId: null });
  });
});

describe('sync over stored sync columns (syncFindingRows)', () => {
  const stored = [
    finding({ id: 'fnd_same', recordId: 'iot_1' }),
    finding({ id: 'fnd_reason', recordId: 'iot_2', reason: 'old reason' }),
    finding({ id: 'fnd_fixed', recordId: 'iot_3' }),
    finding({ id: 'fnd_resolved', recordId: 'iot_4', status: 'resolved', resolvedAt: '2026-06-02', resolvedBy: 'u' }),
    finding({ id: 'fnd_expired', recordId: 'iot_5', status: 'accepted', acceptedBy: 'u', acceptedUntil: '2026-06-01' }),
    finding({
      id: 'fnd_accepted',
      recordId: 'iot_6',
      status: 'accepted',
      acceptedBy: 'u',
      acceptedUntil: '2026-12-31',
    }),
    finding({ id: 'fnd_gone', recordId: 'iot_7', status: 'resolved', resolvedAt: '2026-06-02', resolvedBy: 'u' }),
  ];
  const results = [
    failing('A26', 'iot_1'),
    failing('A26', 'iot_2', 'new reason'),
    failing('A26', 'iot_4'),
    failing('A26', 'iot_5'),
    failing('A26', 'iot_6'),
    failing('A26', 'iot_8'),
  ];
  const rows = stored.map(
    ({ id, requirementId, recordType, recordId, status, reason, resultStatus, acceptedUntil }) => ({
      id,
      requirementId,
      recordType,
      recordId,
      status,
      reason,
      resultStatus,
      acceptedUntil,
    }),
  );
  const base = {
    organizationId: 'org_t',
    results,
    obligationOf: () => 'shall' as const,
    ownerOf: () => 'General Affairs',
    now,
    today,
  };

  it('asks for the full rows of only the findings the run changes', () => {
    expect(findingsToChange(rows, failingByKey(results), today)).toEqual([
      'fnd_reason',
      'fnd_fixed',
      'fnd_resolved',
      'fnd_expired',
    ]);
  });

  it('gives the same updates, inserts and events as the sync over full findings', () => {
    const full = new Map(
      stored.filter((f) => findingsToChange(rows, failingByKey(results), today).includes(f.id)).map((f) => [f.id, f]),
    );
    const fromRows = syncFindingRows({ ...base, existing: rows, full });
    const fromFull = syncFindings({ ...base, existing: stored });
    // New findings get fresh ids: compare them, and their events, without.
    const sansIds = (o: typeof fromRows) => {
      const fresh = new Set(o.inserts.map((f) => f.id));
      return {
        ...o,
        inserts: o.inserts.map((f) => ({ ...f, id: '' })),
        events: o.events.map((e) => ({ ...e, findingId: fresh.has(e.findingId) ? '' : e.findingId })),
      };
    };
    expect(sansIds(fromRows)).toEqual(sansIds(fromFull));
    expect(fromRows.updates.map((f) => f.id)).toEqual(['fnd_reason', 'fnd_fixed', 'fnd_resolved', 'fnd_expired']);
    expect(fromRows).toMatchObject({ opened: 1, reopened: 2, fixed: 1 });
  });

  it('refuses to change a finding whose full row was not read, rather than write a partial one', () => {
    expect(() => syncFindingRows({ ...base, existing: rows, full: new Map() })).toThrow(/fnd_reason/);
  });
});
