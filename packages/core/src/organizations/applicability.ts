import type { Catalog } from '@ntg/catalog';
import { type Applicability, type ApplicabilityResult, type Profile, profileQuestions } from '@ntg/contracts';

interface Decision {
  applicable: boolean;
  /** The profile answers that decided it, worded for a person. */
  because: string[];
}

function describe(flag: keyof Profile, value: boolean): string {
  const q = profileQuestions[flag];
  return `the organization ${value ? '' : 'does not say it '}${q.question} (${q.article})`;
}

/** Evaluates a catalog applicability condition against a profile, keeping the answers that decided the result. */
export function decide(condition: Applicability, profile: Profile): Decision {
  if ('always' in condition) return { applicable: true, because: [] };
  if ('flag' in condition) {
    const value = profile[condition.flag];
    return { applicable: value, because: [describe(condition.flag, value)] };
  }
  if ('not' in condition) {
    const inner = decide(condition.not, profile);
    return { applicable: !inner.applicable, because: inner.because };
  }
  if ('all' in condition) {
    const parts = condition.all.map((c) => decide(c, profile));
    const failing = parts.filter((p) => !p.applicable);
    return failing.length > 0
      ? { applicable: false, because: failing.flatMap((p) => p.because) }
      : { applicable: true, because: parts.flatMap((p) => p.because) };
  }
  const parts = condition.any.map((c) => decide(c, profile));
  const passing = parts.filter((p) => p.applicable);
  return passing.length > 0
    ? { applicable: true, because: passing.flatMap((p) => p.because) }
    : { applicable: false, because: parts.flatMap((p) => p.because) };
}

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
    const d = decide(node.applicability, profile);
    const reason = d.applicable
      ? d.because.length === 0
        ? 'Applies to every organization.'
        : `Applies because ${d.because.join(' and ')}.`
      : `Not applicable because ${d.because.join(' and ')}.`;
    results.set(node.id, { nodeId: node.id, applicable: d.applicable, reason });
  }
  return [...results.values()];
}
