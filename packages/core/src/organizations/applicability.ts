import { type Catalog, explainApplicability } from '@ntg/catalog';
import type { ApplicabilityResult, Profile } from '@ntg/contracts';

/**
 * Which catalog nodes apply to an organization, each with its reason. A node applies only if its own condition
 * and every ancestor's hold: a paragraph of an out-of-scope article is out of scope for the article's reason.
 */
export function applicabilityOf(catalog: Catalog, profile: Profile): ApplicabilityResult[] {
  const results = new Map<string, ApplicabilityResult>();
  for (const node of catalog.nodes) {
    const parent = node.parentId === null ? undefined : results.get(node.parentId);
    if (parent !== undefined && !parent.applicable) {
      results.set(node.id, { nodeId: node.id, applicable: false, reason: parent.reason });
      continue;
    }
    const d = explainApplicability(node.applicability, profile);
    const reason = d.applicable
      ? d.because.length === 0
        ? 'Applies to every organization.'
        : `Applies because ${d.because.join(' and ')}.`
      : `Not applicable because ${d.because.join(' and ')}.`;
    results.set(node.id, { nodeId: node.id, applicable: d.applicable, reason });
  }
  return [...results.values()];
}
