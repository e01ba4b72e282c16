import { loadCatalog } from '@ntg/catalog';
import { emptySnapshot, makeRecord, snapshotWith, testOrganization } from '@ntg/test-kit';
import { describe, expect, it } from 'vitest';
import type { Attestation } from './attestation.ts';
import { defaultCadencePolicy } from './cadence.ts';
import { type EngineInput, evaluateOrganization, worstStatus } from './evaluation-engine.ts';
import { emptyEvidenceIndex } from './register-snapshot.ts';
import { type AttestationSpec, about, defineRule, dutyVerdict, fail, pass, type Rule } from './rule.ts';
import { allAttestationSpecs, allRules } from './rules/rule-registry.ts';

const catalog = loadCatalog('2022-05-11');
const now = new Date('2026-06-15T02:00:00.000Z');

function input(overrides: Partial<EngineInput> = {}): EngineInput {
  return {
    organization: testOrganization(),
    catalog,
    registers: emptySnapshot(),
    evidence: emptyEvidenceIndex,
    attestations: new Map(),
    now,
    rules: [],
    attestationSpecs: [],
    cadencePolicy: defaultCadencePolicy,
    ...overrides,
  };
}

const a26: Rule = defineRule({
  nodeIds: ['A26'],
  registers: ['iot-devices'],
  evaluate: (ctx) =>
    ctx.registers['iot-devices'].map((d) =>
      d.publicAddress === true && d.frontFirewall !== true
        ? fail(`${d.name} is public without a firewall`, about('iot-devices', d))
        : pass(`${d.name} ok`, about('iot-devices', d)),
    ),
});

const lobbyCamera = () =>
  makeRecord('iot-devices', { name: 'Lobby camera', kind: 'surveillance', publicAddress: true, frontFirewall: false });
const copier = () => makeRecord('iot-devices', { name: 'Copier', kind: 'copier', publicAddress: false });

describe('evaluation engine', () => {
  it('orders statuses so that any fail fails and an error never counts as a fail', () => {
    expect(worstStatus(['pass', 'fail', 'error'])).toBe('fail');
    expect(worstStatus(['pass', 'error', 'needs-evidence'])).toBe('error');
    expect(worstStatus(['pass', 'needs-evidence'])).toBe('needs-evidence');
    expect(worstStatus([])).toBe('not-applicable');
  });

  it('gives one verdict per record and keeps the failing one with a reason naming the record', () => {
    const registers = snapshotWith({ 'iot-devices': [lobbyCamera(), copier()] });
    const out = evaluateOrganization(input({ registers, rules: [a26] }));
    const node = out.nodes.find((n) => n.nodeId === 'A26');
    expect(node).toMatchObject({ status: 'fail', method: 'rule', counts: { fail: 1, pass: 1 } });
    expect(out.results.filter((r) => r.requirementId === 'A26').map((r) => r.recordName)).toEqual(['Lobby camera']);
  });

  it('marks a node not applicable with the profile reason, without running its rule', () => {
    let ran = false;
    const rule = defineRule({
      nodeIds: ['A26'],
      registers: [],
      evaluate: () => {
        ran = true;
        return [];
      },
    });
    const org = testOrganization({ profile: { ...testOrganization().profile, hasIotEquipment: false } });
    const out = evaluateOrganization(input({ organization: org, rules: [rule] }));
    expect(ran).toBe(false);
    expect(out.nodes.find((n) => n.nodeId === 'A26')).toMatchObject({
      status: 'not-applicable',
      reason: expect.stringMatching(/IoT/),
    });
  });

  it('turns a rule that throws into an error result, never a fail', () => {
    const broken = defineRule({
      nodeIds: ['A26'],
      registers: [],
      evaluate: () => {
        throw new Error('boom');
      },
    });
    const out = evaluateOrganization(input({ rules: [broken] }));
    expect(out.nodes.find((n) => n.nodeId === 'A26')).toMatchObject({
      status: 'error',
      reason: expect.stringMatching(/boom/),
    });
  });

  it('reports a requirement with neither rule nor attestation as an error: nothing is silently unevaluated', () => {
    const out = evaluateOrganization(input());
    expect(out.nodes.find((n) => n.nodeId === 'A26')).toMatchObject({
      status: 'error',
      reason: expect.stringMatching(/no rule and no attestation/),
    });
  });

  it('rolls a lead-in up from its items (A17.4 from A17.4.1-A17.4.7)', () => {
    const items = catalog.children('A17.4').map((c) => c.id);
    const rules = items.map((id, i) =>
      defineRule({
        nodeIds: [id],
        registers: [],
        evaluate: () => [i === 2 ? fail(`${id} fails`) : pass(`${id} passes`)],
      }),
    );
    const out = evaluateOrganization(input({ rules }));
    expect(out.nodes.find((n) => n.nodeId === 'A17.4')).toMatchObject({
      status: 'fail',
      method: 'rollup',
      reason: expect.stringContaining('A17.4.3'),
    });
  });

  it('passes an attestation answered yes until it expires, then fails it', () => {
    const spec: AttestationSpec = { nodeId: 'A37.1', question: 'Are regulations for e-trading identity established?' };
    const att: Attestation = {
      organizationId: 'org_x',
      id: 'att_1',
      nodeId: 'A37.1',
      answer: 'yes',
      statement: 'Regulation R-12 approved by the board.',
      evidenceIds: [],
      attestedBy: 'officer',
      attestedAt: '2025-07-01T00:00:00.000Z',
      expiresOn: '2026-07-01',
    };
    const before = evaluateOrganization(input({ attestationSpecs: [spec], attestations: new Map([['A37.1', att]]) }));
    expect(before.nodes.find((n) => n.nodeId === 'A37.1')).toMatchObject({
      status: 'pass',
      method: 'attestation',
      nextDueDate: '2026-07-01',
    });
    const after = evaluateOrganization(
      input({
        attestationSpecs: [spec],
        attestations: new Map([['A37.1', att]]),
        now: new Date('2026-07-02T02:00:00.000Z'),
      }),
    );
    expect(after.nodes.find((n) => n.nodeId === 'A37.1')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/expired/),
    });
    const never = evaluateOrganization(input({ attestationSpecs: [spec] }));
    expect(never.nodes.find((n) => n.nodeId === 'A37.1')).toMatchObject({ status: 'needs-evidence' });
  });

  it('lets time alone turn a pass into a fail: A23 yearly inventory update', () => {
    const rule = defineRule({
      nodeIds: ['A23'],
      registers: [],
      evaluate: (ctx) => [dutyVerdict(ctx, '2025-06-15', 'IoT inventory updated')],
    });
    const on = evaluateOrganization(input({ rules: [rule], now: new Date('2026-06-15T02:00:00.000Z') }));
    expect(on.nodes.find((n) => n.nodeId === 'A23')).toMatchObject({ status: 'pass', nextDueDate: '2026-06-15' });
    const after = evaluateOrganization(input({ rules: [rule], now: new Date('2026-06-16T02:00:00.000Z') }));
    expect(after.nodes.find((n) => n.nodeId === 'A23')?.status).toBe('fail');
  });

  it('weighs shall above advised in the score', () => {
    const shallFails = [
      defineRule({ nodeIds: ['A26'], registers: [], evaluate: () => [fail('x')] }),
      defineRule({ nodeIds: ['A17.4.5'], registers: [], evaluate: () => [pass('y')] }),
    ];
    const advisedFails = [
      defineRule({ nodeIds: ['A26'], registers: [], evaluate: () => [pass('x')] }),
      defineRule({ nodeIds: ['A17.4.5'], registers: [], evaluate: () => [fail('y')] }),
    ];
    const a = evaluateOrganization(input({ rules: shallFails })).scores;
    const b = evaluateOrganization(input({ rules: advisedFails })).scores;
    expect(a.overall).toBe(25);
    expect(b.overall).toBe(75);
    expect(a.shall).toBe(0);
    expect(b.advised).toBe(0);
  });

  it('evaluates every requirement node of chapters II to V by a rule or an attestation (no errors for an empty organization)', () => {
    const out = evaluateOrganization(input({ rules: allRules, attestationSpecs: allAttestationSpecs }));
    const errors = out.nodes.filter(
      (n) => n.status === 'error' && [2, 3, 4, 5].includes(catalog.get(n.nodeId)?.chapter.number ?? 0),
    );
    expect(errors.map((e) => `${e.nodeId}: ${e.reason}`)).toEqual([]);
  });
});

describe('evaluation engine roll-up of a node with its own rule', () => {
  it('fails A12.1 when its own rule passes but one of its points fails', () => {
    const rules = [
      defineRule({ nodeIds: ['A12.1'], registers: [], evaluate: () => [pass('policy reviewed')] }),
      defineRule({
        nodeIds: ['A12.1.3'],
        registers: [],
        evaluate: () => [fail('policy does not distinguish personal and business use')],
      }),
      ...['A12.1.1', 'A12.1.2', 'A12.1.4'].map((id) =>
        defineRule({ nodeIds: [id], registers: [], evaluate: () => [pass('covered')] }),
      ),
    ];
    const out = evaluateOrganization(input({ rules }));
    expect(out.nodes.find((n) => n.nodeId === 'A12.1')).toMatchObject({
      status: 'fail',
      reason: expect.stringContaining('A12.1.3'),
    });
  });
});

describe('a rule that streams its verdicts', () => {
  const devices = () =>
    snapshotWith({
      'iot-devices': [
        lobbyCamera(),
        copier(),
        makeRecord('iot-devices', {
          name: 'Badge reader',
          kind: 'access-control',
          publicAddress: true,
          frontFirewall: false,
        }),
      ],
    });
  const streamed = defineRule({
    nodeIds: ['A26'],
    registers: ['iot-devices'],
    stream(ctx, emit) {
      for (const v of a26.evaluate(ctx)) emit(v);
    },
  });

  it('gets an evaluate that returns what it emits, in order', () => {
    const ctx = {
      organization: testOrganization(),
      node: catalog.get('A26') ?? expect.unreachable(),
      now,
      today: '2026-06-15',
      registers: devices(),
      evidence: emptyEvidenceIndex,
      cadencePolicy: defaultCadencePolicy,
    };
    expect(streamed.evaluate(ctx)).toEqual(a26.evaluate(ctx));
  });

  it('is assessed exactly as the same verdicts returned at once: status, counts, reason and result rows', () => {
    const registers = devices();
    const atOnce = evaluateOrganization(input({ registers, rules: [a26] }));
    const asStreamed = evaluateOrganization(input({ registers, rules: [streamed] }));
    expect(asStreamed.nodes).toEqual(atOnce.nodes);
    expect(asStreamed.results).toEqual(atOnce.results);
    expect(asStreamed.nodes.find((n) => n.nodeId === 'A26')).toMatchObject({
      status: 'fail',
      counts: { fail: 2, pass: 1 },
      reason: '2 results are fail; first: Lobby camera is public without a firewall',
    });
  });

  it('keeps none of the verdicts it emitted before it threw: the node is only an error', () => {
    const broken = defineRule({
      nodeIds: ['A26'],
      registers: ['iot-devices'],
      stream(ctx, emit) {
        emit(
          fail(
            'Lobby camera is public without a firewall',
            about('iot-devices', ctx.registers['iot-devices'][0] ?? expect.unreachable()),
          ),
        );
        throw new Error('boom');
      },
    });
    const out = evaluateOrganization(input({ registers: devices(), rules: [broken] }));
    expect(out.nodes.find((n) => n.nodeId === 'A26')).toMatchObject({
      status: 'error',
      counts: { error: 1, fail: 0 },
      reason: 'The rule for A26 failed: boom',
    });
    expect(out.results.filter((r) => r.requirementId === 'A26')).toEqual([
      expect.objectContaining({ status: 'error', reason: 'The rule for A26 failed: boom', recordId: null }),
    ]);
  });

  it('is an error when it emits nothing', () => {
    const silent = defineRule({ nodeIds: ['A26'], registers: [], stream: () => {} });
    const out = evaluateOrganization(input({ rules: [silent] }));
    expect(out.nodes.find((n) => n.nodeId === 'A26')).toMatchObject({
      status: 'error',
      reason: 'The rule for A26 returned no verdict.',
    });
  });
});

describe('passes due beyond passesDueBy', () => {
  const camera = lobbyCamera();
  const printer = copier();
  const dated = defineRule({
    nodeIds: ['A26'],
    registers: ['iot-devices'],
    stream(_ctx, emit) {
      emit(
        pass('Copier patched; next due by 2026-09-01.', { ...about('iot-devices', printer), dueDate: '2026-09-01' }),
      );
      emit(
        pass('Copier checked; next due by 2026-07-15.', { ...about('iot-devices', printer), dueDate: '2026-07-15' }),
      );
      emit(fail('Lobby camera overdue since 2026-06-01.', { ...about('iot-devices', camera), dueDate: '2026-06-01' }));
      emit(pass('Lobby camera labelled.', { ...about('iot-devices', camera), dueDate: '2026-07-16' }));
    },
  });
  const registers = snapshotWith({ 'iot-devices': [camera, printer] });
  const a26Rows = (o: { results: readonly { requirementId: string; dueDate: string | null }[] }) =>
    o.results.filter((r) => r.requirementId === 'A26');

  it('make no result rows, while fails and passes due by then still do', () => {
    const all = evaluateOrganization(input({ registers, rules: [dated] }));
    const bounded = evaluateOrganization(input({ registers, rules: [dated], passesDueBy: '2026-07-15' }));
    expect(a26Rows(all).map((r) => r.dueDate)).toEqual(['2026-09-01', '2026-07-15', '2026-06-01', '2026-07-16']);
    expect(bounded.results).toEqual(
      all.results.filter((r) => r.status !== 'pass' || (r.dueDate ?? '') <= '2026-07-15'),
    );
    expect(a26Rows(bounded).map((r) => r.dueDate)).toEqual(['2026-07-15', '2026-06-01']);
  });

  it('are still counted and still give the node its next due date', () => {
    const all = evaluateOrganization(input({ registers, rules: [dated] }));
    const bounded = evaluateOrganization(input({ registers, rules: [dated], passesDueBy: '2026-07-01' }));
    expect(bounded.nodes).toEqual(all.nodes);
    expect(bounded.scores).toEqual(all.scores);
    expect(bounded.chapters).toEqual(all.chapters);
    expect(bounded.nodes.find((n) => n.nodeId === 'A26')).toMatchObject({
      counts: { pass: 3, fail: 1 },
      nextDueDate: '2026-07-15',
    });
  });
});
