import type { FindingView } from '@ntg/contracts';

/** Open findings counted by a key (severity, owner), most first, for the dashboard's bar charts. */
export function countBy<K extends string>(findings: readonly FindingView[], key: (f: FindingView) => K) {
  const counts = new Map<K, number>();
  for (const f of findings) counts.set(key(f), (counts.get(key(f)) ?? 0) + 1);
  return [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count);
}

/** The runs come newest first; a trend reads left to right, oldest first. */
export function trendPoints<R extends { finishedAt: string; score: number }>(runs: readonly R[]) {
  return [...runs]
    .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt))
    .map((r) => ({ at: r.finishedAt, score: Math.round(r.score * 10) / 10 }));
}
