import { loadCatalog } from '@ntg/catalog';
import type { RegisterRecord } from '@ntg/contracts';
import { makeRecord, ruleHarness, snapshotWith } from '@ntg/test-kit';
import { describe, expect, it } from 'vitest';
import { deepfakeAttestations, deepfakeRules, eTradingAttestations } from './e-trading-deepfake-rules.ts';

const catalog = loadCatalog('2022-05-11');
const { contextFor, evaluate } = ruleHarness(catalog, deepfakeRules);
describe('A40.1 telephone identity verification procedure', () => {
  const procedure = (fields: Partial<RegisterRecord<'procedures'>> = {}) =>
    makeRecord('procedures', { name: 'Voice password check', kind: 'telephone-identity-verification', ...fields });

  it('passes an approved telephone identity verification procedure', () => {
    const p = procedure({ approvedDate: '2026-02-01' });
    expect(evaluate('A40.1', snapshotWith({ procedures: [p] }))).toEqual([
      expect.objectContaining({ status: 'pass', recordType: 'procedures', recordId: p.id }),
    ]);
  });

  it('needs evidence for a procedure with no approval date', () => {
    const [v] = evaluate('A40.1', snapshotWith({ procedures: [procedure()] }));
    expect(v?.status).toBe('needs-evidence');
    expect(v?.reason).toBe(
      'Telephone identity verification procedure "Voice password check": not recorded when it was approved (A40.1).',
    );
  });

  it('needs evidence when no such procedure is recorded, whatever other procedures exist', () => {
    const other = makeRecord('procedures', {
      name: 'Video check',
      kind: 'video-call-verification',
      approvedDate: '2026-01-01',
    });
    expect(evaluate('A40.1', snapshotWith({ procedures: [other] }))[0]?.status).toBe('needs-evidence');
  });
});

describe('A42 yearly deepfake training', () => {
  const training = (
    date: string,
    topics: RegisterRecord<'trainings'>['topics'] = ['deepfake-awareness', 'general-security'],
  ) => makeRecord('trainings', { name: `Security awareness ${date}`, date, topics });

  it('passes one day before the yearly training falls due', () => {
    const t = training('2025-11-20');
    expect(evaluate('A42', snapshotWith({ trainings: [t] }), '2026-11-19')[0]).toMatchObject({
      status: 'pass',
      dueDate: '2026-11-20',
      recordType: 'trainings',
      recordId: t.id,
    });
  });

  it('fails one day after the yearly training fell due', () => {
    const [v] = evaluate('A42', snapshotWith({ trainings: [training('2025-11-20')] }), '2026-11-21');
    expect(v).toMatchObject({ status: 'fail', dueDate: '2026-11-20' });
    expect(v?.reason).toBe('Deepfake awareness training (A42) last on 2025-11-20; it was due by 2026-11-20.');
  });

  it('takes the period from the node’s cadence, not from the rule', () => {
    const registers = snapshotWith({ trainings: [training('2025-11-20')] });
    const ctx = contextFor('A42', registers, '2026-02-21');
    expect(
      evaluate('A42', registers, undefined, { ...ctx, node: { ...ctx.node, cadence: 'three-months' } })[0],
    ).toMatchObject({
      status: 'fail',
      dueDate: '2026-02-20',
    });
  });

  it('counts only held trainings on deepfakes: not other topics, not sessions planned for later', () => {
    const registers = snapshotWith({
      trainings: [training('2025-03-01'), training('2026-05-01', ['general-security']), training('2026-09-01')],
    });
    expect(evaluate('A42', registers, '2026-06-15')[0]).toMatchObject({ status: 'fail', dueDate: '2026-03-01' });
  });

  it('needs evidence when no deepfake training is recorded', () => {
    expect(evaluate('A42', snapshotWith({}))[0]?.status).toBe('needs-evidence');
  });
});

describe('attestations of chapters VI and VII', () => {
  it('asks one question per node, about a node of the right chapter', () => {
    for (const [chapter, specs] of [
      [6, eTradingAttestations],
      [7, deepfakeAttestations],
    ] as const) {
      for (const spec of specs) {
        expect(catalog.get(spec.nodeId)?.chapter.number).toBe(chapter);
        expect(spec.question).toMatch(/^[A-Z].*\?$/);
      }
    }
  });
});

describe('coverage of chapters VI and VII', () => {
  // A35 is the lead-in of A35.1-A35.5, rolled up by the engine from them.
  const rolledUp = new Set(['A35']);

  it('covers every requirement of chapters VI and VII with text by exactly one rule or attestation', () => {
    const expected = catalog.nodes
      .filter((n) => (n.chapter.number === 6 || n.chapter.number === 7) && n.kind === 'requirement' && n.text !== '')
      .filter((n) => !rolledUp.has(n.id))
      .map((n) => n.id);
    const covered = [
      ...eTradingAttestations.map((a) => a.nodeId),
      ...deepfakeAttestations.map((a) => a.nodeId),
      ...deepfakeRules.flatMap((r) => r.nodeIds),
    ];
    expect(covered.sort()).toEqual(expected.sort());
  });

  it('rolls up only a lead-in whose items carry its duties', () => {
    for (const id of rolledUp) expect(catalog.children(id).length).toBeGreaterThan(0);
  });
});
