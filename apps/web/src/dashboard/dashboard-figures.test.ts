import { describe, expect, it } from 'vitest';
import { chapterObligationCounts, trendPoints } from './dashboard-figures.ts';

describe('dashboard figures', () => {
  it('orders the trend oldest first whatever order the runs arrive in', () => {
    const points = trendPoints([
      { finishedAt: '2026-12-03T00:00:00Z', score: 80.04 },
      { finishedAt: '2026-12-01T00:00:00Z', score: 60 },
    ]);
    expect(points.map((p) => p.score)).toEqual([60, 80]);
  });
});

describe('compliance by chapter and obligation', () => {
  const chapter = (number: number) => ({ number, roman: 'I', title: 't' });
  const catalog = [
    { id: 'A4', chapter: chapter(2), obligation: 'shall' as const },
    { id: 'A4.1', chapter: chapter(2), obligation: 'shall' as const },
    { id: 'A4.2', chapter: chapter(2), obligation: 'advised' as const },
    { id: 'A1', chapter: chapter(1), obligation: null },
  ];

  it('keeps shall and advised apart and leaves out roll-ups and nodes without obligation', () => {
    const rows = chapterObligationCounts(catalog, [
      { nodeId: 'A4', status: 'fail', method: 'rollup' },
      { nodeId: 'A4.1', status: 'fail', method: 'rule' },
      { nodeId: 'A4.2', status: 'needs-evidence', method: 'attestation' },
      { nodeId: 'A1', status: 'pass', method: 'rule' },
    ]);
    expect(rows).toEqual([
      { chapter: 2, obligation: 'shall', pass: 0, fail: 1, needsEvidence: 0 },
      { chapter: 2, obligation: 'advised', pass: 0, fail: 0, needsEvidence: 1 },
    ]);
  });
});
