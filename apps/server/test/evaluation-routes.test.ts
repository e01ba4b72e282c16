import { testDatabaseKinds } from '@ntg/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createTestApp, type TestApp } from './test-app.ts';

interface Finding {
  id: string;
  requirementId: string;
  recordId: string | null;
  status: string;
  revision: number;
}

describe.each(testDatabaseKinds())('compliance engine over HTTP on $name', (kind) => {
  let t: TestApp;
  const org = '/api/v1/organizations/eval-co';
  let serviceId = '';

  async function evaluate() {
    const res = await t.app.inject({ method: 'POST', url: `${org}/evaluations`, headers: auth });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; nodes: { nodeId: string; status: string; reason: string }[] };
  }
  async function findingsFor(requirementId: string): Promise<Finding[]> {
    const res = await t.app.inject({
      method: 'GET',
      url: `${org}/findings?requirementId=${requirementId}`,
      headers: auth,
    });
    return (res.json() as { findings: Finding[] }).findings;
  }
  const cloud = (extra: Record<string, unknown>) => ({
    name: 'Core ledger on IaaS',
    owner: 'IT Operations',
    provider: 'Example Cloud',
    serviceModel: 'IaaS',
    ...extra,
  });

  beforeAll(async () => {
    t = await createTestApp(kind);
    t.clock.set('2026-06-15T02:00:00.000Z');
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations',
      headers: auth,
      payload: { slug: 'eval-co', name: 'Eval Co.', profile: { usesCloudServices: true } },
    });
    const res = await t.app.inject({
      method: 'POST',
      url: `${org}/registers/cloud-services`,
      headers: auth,
      payload: cloud({ riskEvaluationDate: '2026-05-01', riskEvaluationResult: 'not-acceptable', exitPlan: false }),
    });
    serviceId = (res.json() as { id: string }).id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('fails A4.1 for a cloud service in use whose prior risk evaluation found it not acceptable, and opens a finding naming the record', async () => {
    const run = await evaluate();
    expect(run.nodes.find((n) => n.nodeId === 'A4.1')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/Core ledger/),
    });
    const [f] = await findingsFor('A4.1');
    expect(f).toMatchObject({ status: 'open', recordId: serviceId });
  });

  it('serves the assessment: per-node status with reasons, and the findings list', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/assessment?org=eval-co', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      nodes: { nodeId: string; status: string }[];
      findings: { requirementId: string; recordType: string; dueDate: string }[];
      run: { scores: { overall: number } };
    };
    expect(body.nodes.find((n) => n.nodeId === 'A26')?.status).toBe('not-applicable');
    expect(body.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ requirementId: 'A4.1', recordType: 'cloud-services', dueDate: '2026-07-15' }),
      ]),
    );
    expect(body.run.scores.overall).toBeGreaterThanOrEqual(0);
  });

  it('refuses to resolve a finding whose rule still fails', async () => {
    const [f] = await findingsFor('A4.1');
    if (f === undefined) throw new Error('no finding');
    const res = await t.app.inject({
      method: 'POST',
      url: `${org}/findings/${f.id}/resolve?revision=${f.revision}`,
      headers: auth,
      payload: { note: 'done' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/still fails/) });
  });

  it('marks the finding fixed after the record is fixed, then lets a person resolve it, with history and audit', async () => {
    await t.app.inject({
      method: 'PUT',
      url: `${org}/registers/cloud-services/${serviceId}?revision=1`,
      headers: auth,
      payload: cloud({
        riskEvaluationDate: '2026-05-01',
        riskEvaluationResult: 'acceptable',
        involvesCore: true,
        lastReviewDate: '2026-05-01',
        exitPlan: false,
      }),
    });
    await evaluate();
    const [f] = await findingsFor('A4.1');
    expect(f?.status).toBe('fixed');
    if (f === undefined) throw new Error('no finding');
    const res = await t.app.inject({
      method: 'POST',
      url: `${org}/findings/${f.id}/resolve?revision=${f.revision}`,
      headers: auth,
      payload: { note: 'evaluation filed' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'resolved', resolvedBy: 'api-token' });
    const detail = await t.app.inject({ method: 'GET', url: `${org}/findings/${f.id}`, headers: auth });
    expect((detail.json() as { events: { event: string }[] }).events.map((e) => e.event)).toEqual([
      'opened',
      'fixed',
      'resolved',
    ]);
    const audit = await t.app.inject({ method: 'GET', url: `${org}/audit?objectType=finding`, headers: auth });
    expect((audit.json() as { entries: { action: string }[] }).entries.map((e) => e.action)).toContain(
      'finding.resolved',
    );
  });

  it('keeps an accepted risk until it expires, then reopens the finding (time alone)', async () => {
    const [f] = await findingsFor('A9.2');
    if (f === undefined) throw new Error('expected an A9.2 finding (no exit plan recorded)');
    const accept = await t.app.inject({
      method: 'POST',
      url: `${org}/findings/${f.id}/accept-risk?revision=${f.revision}`,
      headers: auth,
      payload: {
        approver: 'Chief Information Security Officer',
        reason: 'Exit plan drafted, approval due next month.',
        until: '2026-06-25',
      },
    });
    expect(accept.statusCode).toBe(200);
    await evaluate();
    expect((await findingsFor('A9.2'))[0]?.status).toBe('accepted');
    t.clock.set('2026-06-26T02:00:00.000Z');
    await evaluate();
    expect((await findingsFor('A9.2'))[0]?.status).toBe('open');
  });

  it('refuses a risk acceptance without an end in the future', async () => {
    const [f] = await findingsFor('A9.2');
    if (f === undefined) throw new Error('no finding');
    const res = await t.app.inject({
      method: 'POST',
      url: `${org}/findings/${f.id}/accept-risk?revision=${f.revision}`,
      headers: auth,
      payload: { approver: 'CISO', reason: 'Because we said so, really.', until: '2026-01-01' },
    });
    expect(res.statusCode).toBe(400);
  });

  it('turns the periodic review (A4.4) into a failure when time passes its due date', async () => {
    t.clock.set('2027-04-30T02:00:00.000Z');
    let run = await evaluate();
    expect(run.nodes.find((n) => n.nodeId === 'A4.4')?.status).toBe('pass');
    t.clock.set('2027-05-02T02:00:00.000Z');
    run = await evaluate();
    expect(run.nodes.find((n) => n.nodeId === 'A4.4')?.status).toBe('fail');
    t.clock.set('2026-06-26T02:00:00.000Z');
  });

  it('lists duties due soon and overdue', async () => {
    t.clock.set('2027-04-20T02:00:00.000Z');
    await evaluate();
    const res = await t.app.inject({ method: 'GET', url: `${org}/duties`, headers: auth });
    const body = res.json() as { duties: { requirementId: string; state: string; dueDate: string }[] };
    expect(body.duties).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ requirementId: 'A4.4', state: 'due-soon', dueDate: '2027-05-01' }),
      ]),
    );
    const all = body.duties.length;
    const limited = await t.app.inject({ method: 'GET', url: `${org}/duties?limit=1`, headers: auth });
    const one = limited.json() as { duties: { dueDate: string }[]; overdue: number; dueSoon: number };
    // At 100,000 devices the dashboard asks for the soonest few; the counts still cover all of them.
    expect(one.duties).toHaveLength(1);
    expect(one.overdue + one.dueSoon).toBe(all);
    expect(one.duties[0]?.dueDate).toBe([...body.duties.map((d) => d.dueDate)].sort()[0]);
  });

  it('leaves the stored results untouched when a re-evaluation finds nothing new, and rewrites them when a record changes', async () => {
    const runIds = async () => [
      ...new Set(
        (
          await t.db.handle.db
            .selectFrom('evaluation_results')
            .innerJoin('organizations', 'organizations.id', 'evaluation_results.organization_id')
            .select('run_id')
            .where('organizations.slug', '=', 'eval-co')
            .execute()
        ).map((r) => r.run_id),
      ),
    ];
    await evaluate();
    const stored = await runIds();
    expect(stored).toHaveLength(1);
    const again = await evaluate();
    // Nothing changed: the rows still carry the run that last changed them, not the newest run.
    expect(await runIds()).toEqual(stored);
    expect(stored).not.toContain(again.id);
    const before = await findingsFor('A4.1');
    const res = await t.app.inject({
      method: 'POST',
      url: `${org}/registers/cloud-services`,
      headers: auth,
      payload: cloud({ name: 'Another unevaluated service' }),
    });
    expect(res.statusCode).toBe(201);
    const third = await evaluate();
    expect(await runIds()).toEqual([third.id]);
    expect((await findingsFor('A4.1')).length).toBeGreaterThanOrEqual(before.length);
  });

  it("serves a requirement's history across runs, newest first, and 404 for a node that was never evaluated", async () => {
    const res = await t.app.inject({ method: 'GET', url: `${org}/nodes/A4.1/history?limit=5`, headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { nodeId: string; history: { evaluatedAt: string; status: string; reason: string }[] };
    expect(body.nodeId).toBe('A4.1');
    expect(body.history.length).toBe(5);
    const times = body.history.map((h) => h.evaluatedAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(body.history.every((h) => h.status !== undefined && h.reason.length > 0)).toBe(true);
    const unknown = await t.app.inject({ method: 'GET', url: `${org}/nodes/A99.9/history`, headers: auth });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'CATALOG_NODE_NOT_FOUND', requestId: expect.any(String) });
    const bad = await t.app.inject({ method: 'GET', url: `${org}/nodes/A4.1/history?limit=0`, headers: auth });
    expect(bad.statusCode).toBe(400);
  });

  it('counts findings by severity and owner over all of them, not a first page', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: `${org}/registers/cloud-services`,
        headers: auth,
        payload: cloud({
          name: `Summary service ${i}`,
          owner: 'Summary Owner',
          riskEvaluationDate: '2026-05-01',
          riskEvaluationResult: 'not-acceptable',
        }),
      });
      expect(res.statusCode).toBe(201);
    }
    await evaluate();
    const res = await t.app.inject({ method: 'GET', url: `${org}/findings/summary`, headers: auth });
    expect(res.statusCode).toBe(200);
    const summary = res.json() as {
      total: number;
      bySeverity: { severity: string; count: number }[];
      byOwner: { owner: string; count: number }[];
    };
    const page = await t.app.inject({
      method: 'GET',
      url: `${org}/findings?status=open,accepted&limit=500`,
      headers: auth,
    });
    const all = page.json() as { findings: { severity: string; owner: string }[]; total: number };
    expect(summary.total).toBe(all.total);
    expect(summary.bySeverity.reduce((s, r) => s + r.count, 0)).toBe(all.total);
    const owned = all.findings.filter((f) => f.owner === 'Summary Owner').length;
    expect(summary.byOwner.find((o) => o.owner === 'Summary Owner')?.count).toBe(owned);
    expect(owned).toBeGreaterThanOrEqual(3);
    const bad = await t.app.inject({ method: 'GET', url: `${org}/findings/summary?status=bogus`, headers: auth });
    expect(bad.statusCode).toBe(400);
  });

  it('serves the results of one node and the nodes under it, and refuses a malformed node id', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${org}/results?under=A4&limit=5`, headers: auth });
    expect(res.statusCode).toBe(200);
    const { results } = res.json() as { results: { requirementId: string }[] };
    expect(results.length).toBeGreaterThan(0);
    expect(results.length).toBeLessThanOrEqual(5);
    expect(results.every((r) => r.requirementId === 'A4' || r.requirementId.startsWith('A4.'))).toBe(true);
    const bad = await t.app.inject({ method: 'GET', url: `${org}/results?under=A4%25`, headers: auth });
    expect(bad.statusCode).toBe(400);
  });

  it('keeps every run for the trend', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${org}/evaluations`, headers: auth });
    expect((res.json() as { runs: unknown[] }).runs.length).toBeGreaterThanOrEqual(6);
  });

  it('refuses an attestation for a requirement that a rule evaluates', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `${org}/attestations`,
      headers: auth,
      payload: { nodeId: 'A4.1', answer: 'yes', statement: 'We evaluate every provider.' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('asks which organization when several exist and none is named', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations',
      headers: auth,
      payload: { slug: 'other-co', name: 'Other Co.' },
    });
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/assessment', headers: auth });
    expect(res.statusCode).toBe(400);
  });
});
