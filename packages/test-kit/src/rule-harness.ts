import type { Catalog } from '@ntg/catalog';
import type { RegisterSnapshot, Rule, RuleContext, Verdict } from '@ntg/core';
import { ruleContextFor } from './register-builders.ts';

/** Noon in Taipei on the given date. */
export const taipeiNoon = (date: string) => new Date(`${date}T04:00:00.000Z`);

/** The helpers every rule test uses: a context at a Taipei date, a rule's verdicts, one record's verdict. */
export function ruleHarness(catalog: Catalog, rules: readonly Rule[]) {
  function contextFor(nodeId: string, registers: RegisterSnapshot, today?: string): RuleContext {
    return ruleContextFor(catalog, nodeId, registers, today === undefined ? {} : { now: taipeiNoon(today) });
  }
  function evaluate(
    nodeId: string,
    registers: RegisterSnapshot,
    today?: string,
    ctx = contextFor(nodeId, registers, today),
  ): Verdict[] {
    const rule = rules.find((r) => r.nodeIds.includes(nodeId));
    if (rule === undefined) throw new Error(`no rule for ${nodeId}`);
    return rule.evaluate(ctx);
  }
  function verdictFor(verdicts: Verdict[], record: { id: string }): Verdict {
    const verdict = verdicts.find((v) => v.recordId === record.id);
    if (verdict === undefined) throw new Error(`no verdict for ${record.id}`);
    return verdict;
  }
  return { taipeiNoon, contextFor, evaluate, verdictFor };
}
