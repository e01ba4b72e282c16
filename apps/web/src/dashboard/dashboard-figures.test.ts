import type { FindingView } from '@ntg/contracts';
import { describe, expect, it } from 'vitest';
import { countBy, trendPoints } from './dashboard-figures.ts';

const finding = (severity: FindingView['severity'], owner: string) => ({ severity, owner }) as FindingView;

describe('dashboard figures', () => {
  it('counts findings by owner, most first', () => {
    const rows = countBy([finding('high', 'IT'), finding('low', 'Legal'), finding('low', 'IT')], (f) => f.owner);
    expect(rows).toEqual([
      { name: 'IT', count: 2 },
      { name: 'Legal', count: 1 },
    ]);
  });

  it('orders the trend oldest first whatever order the runs arrive in', () => {
    const points = trendPoints([
      { finishedAt: '2026-12-03T00:00:00Z', score: 80.04 },
      { finishedAt: '2026-12-01T00:00:00Z', score: 60 },
    ]);
    expect(points.map((p) => p.score)).toEqual([60, 80]);
  });
});
