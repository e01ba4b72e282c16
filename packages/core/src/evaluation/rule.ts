import type { CatalogNode, Organization, RegisterRecord, RegisterType, ResultStatus } from '@ntg/contracts';
import { type CadencePolicy, nextDue, periodOf } from './cadence.ts';
import type { EvidenceIndex, RegisterSnapshot } from './register-snapshot.ts';

/** What a rule returns: the engine adds the requirement id. */
export interface Verdict {
  status: ResultStatus;
  /** For a person: names the record and the missing or failing fact. */
  reason: string;
  recordType?: RegisterType;
  recordId?: string;
  recordName?: string;
  dueDate?: string | null;
}

export interface RuleContext {
  organization: Organization;
  /** The requirement node being evaluated. */
  node: CatalogNode;
  now: Date;
  /** Today in Asia/Taipei, YYYY-MM-DD. */
  today: string;
  registers: RegisterSnapshot;
  evidence: EvidenceIndex;
  cadencePolicy: CadencePolicy;
}

/**
 * A rule for one requirement node (or several that share the same check). Rules are pure: the same context gives
 * the same verdicts. They read typed register data and return verdicts with reasons; they never throw for missing
 * data (that is `needs-evidence`), and a thrown error becomes an `error` verdict, never a fail.
 */
export interface Rule {
  nodeIds: readonly string[];
  /** Registers the rule reads, for documentation and for re-running only what changed. */
  registers: readonly RegisterType[];
  evaluate(ctx: RuleContext): Verdict[];
  /**
   * The same verdicts as `evaluate`, in the same order, handed to `emit` one at a time. Rules with a verdict per
   * record of a large register give it: the engine counts a passing record's verdict and lets it go at once,
   * instead of holding 100,000 of them (and their reasons) per node until the rule returns.
   */
  stream?(ctx: RuleContext, emit: Emit): void;
}

export type Emit = (verdict: Verdict) => void;

/** A rule written as `stream` only; `defineRule` gives it the `evaluate` that collects what it emits. */
export interface StreamingRule {
  nodeIds: readonly string[];
  registers: readonly RegisterType[];
  stream(ctx: RuleContext, emit: Emit): void;
}

export function defineRule(rule: Rule | StreamingRule): Rule {
  if ('evaluate' in rule) return rule;
  const { stream } = rule;
  return {
    ...rule,
    evaluate(ctx) {
      const verdicts: Verdict[] = [];
      stream(ctx, (v) => verdicts.push(v));
      return verdicts;
    },
  };
}

export function pass(reason: string, extra: Partial<Verdict> = {}): Verdict {
  return { status: 'pass', reason, ...extra };
}
export function fail(reason: string, extra: Partial<Verdict> = {}): Verdict {
  return { status: 'fail', reason, ...extra };
}
export function needsEvidence(reason: string, extra: Partial<Verdict> = {}): Verdict {
  return { status: 'needs-evidence', reason, ...extra };
}
export function notApplicable(reason: string, extra: Partial<Verdict> = {}): Verdict {
  return { status: 'not-applicable', reason, ...extra };
}

/** The verdict's record fields for a record of register R. */
export function about<R extends RegisterType>(
  register: R,
  record: RegisterRecord<R>,
): Pick<Verdict, 'recordType' | 'recordId' | 'recordName'> {
  return { recordType: register, recordId: record.id, recordName: record.name };
}

/**
 * A time-based duty: given the date it was last done (or null), pass while it is not yet due, fail once the due
 * date has passed, needs-evidence when it was never recorded. The period comes from the node's cadence.
 */
export function dutyVerdict(
  ctx: RuleContext,
  last: string | null,
  what: string,
  extra: Partial<Verdict> = {},
): Verdict {
  const period = periodOf(ctx.node, ctx.cadencePolicy);
  if (period === null) {
    return {
      status: 'error',
      reason: `${ctx.node.id} has no cadence in the catalog, so "${what}" has no due date.`,
      ...extra,
    };
  }
  if (last === null) return needsEvidence(`${what}: no date recorded.`, { dueDate: null, ...extra });
  const due = nextDue(last, period);
  return due >= ctx.today
    ? pass(`${what} on ${last}; next due by ${due}.`, { dueDate: due, ...extra })
    : fail(`${what} last on ${last}; it was due by ${due}.`, { dueDate: due, ...extra });
}

/** A fact of a record: true passes, false fails, null (not recorded) needs evidence. */
export function factVerdict(
  value: boolean | null,
  reasons: { pass: string; fail: string; unknown: string },
  extra: Partial<Verdict> = {},
): Verdict {
  if (value === true) return pass(reasons.pass, extra);
  if (value === false) return fail(reasons.fail, extra);
  return needsEvidence(reasons.unknown, extra);
}

/**
 * A requirement that no register can show (a policy's content, a provider's internal practice): a person answers
 * it with evidence, and the answer expires with the node's cadence (12 months where the text sets none).
 */
export interface AttestationSpec {
  nodeId: string;
  /** The question the console asks, answered yes, no or partly, with evidence attached. */
  question: string;
}

const idIndexes = new WeakMap<readonly { id: string }[], Map<string, { id: string }>>();

/**
 * Records of a register by id, built once per snapshot. Rules that follow a reference (a device's BYOD agreement, a
 * release's app) look it up here: a `find` per record would be quadratic at 100,000 devices.
 */
export function byId<T extends { id: string }>(records: readonly T[]): ReadonlyMap<string, T> {
  let index = idIndexes.get(records);
  if (index === undefined) {
    index = new Map(records.map((r) => [r.id, r]));
    idIndexes.set(records, index);
  }
  return index as Map<string, T>;
}

/**
 * Attaches the record a verdict is about. Verdicts come fresh from `pass`/`fail`/… so this sets fields in place:
 * at a million verdicts per run, copying each one with spreads costs more than evaluating it.
 */
export function withRecord<R extends RegisterType>(verdict: Verdict, register: R, record: RegisterRecord<R>): Verdict {
  verdict.recordType = register;
  verdict.recordId = record.id;
  verdict.recordName = record.name;
  return verdict;
}
