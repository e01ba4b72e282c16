import { type Applicability, type ProfileFlag, profileQuestions } from '@ntg/contracts';

/** An organization's answers to the scope questions; a flag that is missing counts as "no". */
export type ProfileFlags = Partial<Record<ProfileFlag, boolean>>;

export interface ApplicabilityDecision {
  applicable: boolean;
  /** The profile answers that decided it, worded for a person. */
  because: string[];
}

function describe(flag: ProfileFlag, value: boolean): string {
  const q = profileQuestions[flag];
  return `the organization ${value ? '' : 'does not say it '}${q.question} (${q.article})`;
}

/**
 * Whether a node applies to an organization with the given profile, and which answers decided it. Unanswered
 * flags are false, so a node behind a scope question (A16 mobile devices, A22 IoT, A34 Internet trading, ...)
 * only applies once the organization says the situation exists.
 */
export function explainApplicability(condition: Applicability, flags: ProfileFlags): ApplicabilityDecision {
  if ('always' in condition) return { applicable: true, because: [] };
  if ('flag' in condition) {
    const value = flags[condition.flag] === true;
    return { applicable: value, because: [describe(condition.flag, value)] };
  }
  if ('not' in condition) {
    const inner = explainApplicability(condition.not, flags);
    return { applicable: !inner.applicable, because: inner.because };
  }
  if ('all' in condition) {
    const parts = condition.all.map((c) => explainApplicability(c, flags));
    const failing = parts.filter((p) => !p.applicable);
    return failing.length > 0
      ? { applicable: false, because: failing.flatMap((p) => p.because) }
      : { applicable: true, because: parts.flatMap((p) => p.because) };
  }
  const parts = condition.any.map((c) => explainApplicability(c, flags));
  const passing = parts.filter((p) => p.applicable);
  return passing.length > 0
    ? { applicable: true, because: passing.flatMap((p) => p.because) }
    : { applicable: false, because: parts.flatMap((p) => p.because) };
}

export function isApplicable(applicability: Applicability, flags: ProfileFlags): boolean {
  return explainApplicability(applicability, flags).applicable;
}

/** The profile flags an applicability expression mentions (to know which scope questions matter for a node). */
export function flagsOf(applicability: Applicability): ProfileFlag[] {
  const found = new Set<ProfileFlag>();
  const visit = (expression: Applicability): void => {
    if ('flag' in expression) {
      found.add(expression.flag);
    } else if ('not' in expression) {
      visit(expression.not);
    } else if ('all' in expression) {
      expression.all.forEach(visit);
    } else if ('any' in expression) {
      expression.any.forEach(visit);
    }
  };
  visit(applicability);
  return [...found];
}
