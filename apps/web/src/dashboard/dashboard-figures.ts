import type { CatalogNode, NodeAssessment, Obligation } from '@ntg/contracts';

/** The runs come newest first; a trend reads left to right, oldest first. */
export function trendPoints<R extends { finishedAt: string; score: number }>(runs: readonly R[]) {
  return [...runs]
    .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt))
    .map((r) => ({ at: r.finishedAt, score: Math.round(r.score * 10) / 10 }));
}

export interface ObligationRow {
  chapter: number;
  obligation: Obligation;
  pass: number;
  fail: number;
  needsEvidence: number;
}

/**
 * Per chapter, the verdicts of the nodes evaluated on their own (rule or attestation), apart by obligation: a
 * failed "shall" is a breach, a failed "advised" a recommendation. Roll-ups are left out so nothing counts twice.
 */
export function chapterObligationCounts(
  catalog: readonly Pick<CatalogNode, 'id' | 'chapter' | 'obligation'>[],
  assessed: readonly Pick<NodeAssessment, 'nodeId' | 'status' | 'method'>[],
): ObligationRow[] {
  const nodes = new Map(catalog.map((n) => [n.id, n]));
  const rows = new Map<string, ObligationRow>();
  for (const a of assessed) {
    if (a.method === 'rollup') continue;
    const node = nodes.get(a.nodeId);
    if (node === undefined || node.obligation === null) continue;
    const key = `${node.chapter.number}:${node.obligation}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { chapter: node.chapter.number, obligation: node.obligation, pass: 0, fail: 0, needsEvidence: 0 };
      rows.set(key, row);
    }
    if (a.status === 'pass') row.pass += 1;
    else if (a.status === 'fail') row.fail += 1;
    else if (a.status === 'needs-evidence') row.needsEvidence += 1;
  }
  const rank: Record<Obligation, number> = { shall: 0, should: 1, advised: 2 };
  return [...rows.values()].sort((a, b) => a.chapter - b.chapter || rank[a.obligation] - rank[b.obligation]);
}
