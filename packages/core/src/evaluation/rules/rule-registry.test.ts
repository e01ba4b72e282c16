import { loadCatalog } from '@ntg/catalog';
import { describe, expect, it } from 'vitest';
import { allAttestationSpecs, allRules } from './rule-registry.ts';

describe('rule registry', () => {
  const catalog = loadCatalog('2022-05-11');
  const ruled = allRules.flatMap((r) => r.nodeIds);
  const attested = allAttestationSpecs.map((s) => s.nodeId);

  it('evaluates every requirement node with text of chapters II to VII by exactly one rule or attestation', () => {
    const leadIns = new Set(['A17.4', 'A35']);
    const expected = catalog.nodes
      .filter((n) => n.kind === 'requirement' && n.text !== '' && n.chapter.number >= 2 && !leadIns.has(n.id))
      .map((n) => n.id);
    const covered = [...ruled, ...attested];
    expect(expected.filter((id) => !covered.includes(id))).toEqual([]);
    expect(covered.filter((id, i) => covered.indexOf(id) !== i)).toEqual([]);
  });

  it('names only nodes that exist in the catalog', () => {
    expect([...ruled, ...attested].filter((id) => catalog.get(id) === undefined)).toEqual([]);
  });
});
