import type { Catalog } from '@ntg/catalog';
import type { NodeAssessment, Obligation, Organization, ResultStatus, RuleResult, StatusCounts } from '@ntg/contracts';
import type { CollectorFacts } from '../collectors/runs/collector-facts.ts';
import { applicabilityOf } from '../organizations/applicability.ts';
import type { Attestation } from './attestation.ts';
import type { CadencePolicy } from './cadence.ts';
import type { EvidenceIndex, RegisterSnapshot } from './register-snapshot.ts';
import type { AttestationSpec, Rule, RuleContext, Verdict } from './rule.ts';
import { type CollectorCheck, collectorVerdicts, mergeCollectorVerdicts } from './rules/collector-rules.ts';
import { taipeiDate } from './taipei-date.ts';

export interface EngineInput {
  organization: Organization;
  catalog: Catalog;
  registers: RegisterSnapshot;
  evidence: EvidenceIndex;
  attestations: ReadonlyMap<string, Attestation>;
  now: Date;
  rules: readonly Rule[];
  attestationSpecs: readonly AttestationSpec[];
  cadencePolicy: CadencePolicy;
  /**
   * What collectors observed, and the checks over it (docs/adr/0011): their verdicts join a node's own rule or
   * attestation. Without facts, no check runs.
   */
  collectorFacts?: CollectorFacts;
  collectorChecks?: readonly CollectorCheck[];
}

export interface Scores {
  /** 0-100, every evaluated node weighted by obligation: shall 3, should 2, advised 1. */
  overall: number;
  shall: number | null;
  should: number | null;
  advised: number | null;
}

export interface ChapterSummary {
  chapter: number;
  title: string;
  counts: StatusCounts;
  score: number | null;
}

export interface EvaluationOutcome {
  catalogVersion: string;
  evaluatedAt: string;
  today: string;
  nodes: NodeAssessment[];
  results: RuleResult[];
  scores: Scores;
  chapters: ChapterSummary[];
}

const precedence: ResultStatus[] = ['fail', 'error', 'needs-evidence', 'pass', 'not-applicable'];
const rankOf: Record<ResultStatus, number> = { fail: 0, error: 1, 'needs-evidence': 2, pass: 3, 'not-applicable': 4 };
const weights: Record<Obligation, number> = { shall: 3, should: 2, advised: 1 };

export function emptyCounts(): StatusCounts {
  return { pass: 0, fail: 0, 'not-applicable': 0, 'needs-evidence': 0, error: 0 };
}

/** The status of a group of verdicts: any fail fails; an error never counts as a fail but outranks the rest. */
export function worstStatus(statuses: Iterable<ResultStatus>): ResultStatus {
  let best = precedence.length - 1;
  let any = false;
  for (const s of statuses) {
    any = true;
    best = Math.min(best, precedence.indexOf(s));
  }
  return any ? (precedence[best] ?? 'not-applicable') : 'not-applicable';
}

function earliest(dates: Iterable<string | null | undefined>): string | null {
  let min: string | null = null;
  for (const d of dates) if (d != null && (min === null || d < min)) min = d;
  return min;
}

function summarize(verdicts: readonly Verdict[], status: ResultStatus, counts: StatusCounts): string {
  const first = verdicts.find((v) => v.status === status)?.reason ?? 'No verdict.';
  const n = counts[status];
  if (n <= 1) return first;
  return `${n} ${status === 'pass' ? 'records pass' : `results are ${status}`}; first: ${first}`;
}

function attestationVerdict(spec: AttestationSpec, attestation: Attestation | undefined, today: string): Verdict {
  if (attestation === undefined) {
    return { status: 'needs-evidence', reason: `Not yet attested: ${spec.question}`, dueDate: null };
  }
  if (attestation.expiresOn < today) {
    return {
      status: 'fail',
      reason: `The attestation by ${attestation.attestedBy} on ${attestation.attestedAt.slice(0, 10)} expired on ${attestation.expiresOn}; attest again: ${spec.question}`,
      dueDate: attestation.expiresOn,
    };
  }
  const by = `${attestation.attestedBy} on ${attestation.attestedAt.slice(0, 10)}`;
  if (attestation.answer === 'yes') {
    return { status: 'pass', reason: `Attested by ${by}: ${attestation.statement}`, dueDate: attestation.expiresOn };
  }
  return {
    status: 'fail',
    reason: `Attested "${attestation.answer}" by ${by}: ${attestation.statement}`,
    dueDate: attestation.expiresOn,
  };
}

/**
 * Evaluates every requirement node of the catalog for one organization: a node out of scope is not applicable with
 * the profile's reason; otherwise its rule runs, or its attestation is read, or (for a heading or lead-in) its
 * children roll up. A requirement with none of these is an error, so nothing is silently unevaluated. Pure: the
 * same input gives the same outcome.
 */
export function evaluateOrganization(input: EngineInput): EvaluationOutcome {
  const { catalog, organization, now } = input;
  const today = taipeiDate(now);
  const rulesByNode = new Map<string, Rule>();
  for (const rule of input.rules) for (const id of rule.nodeIds) rulesByNode.set(id, rule);
  const specsByNode = new Map(input.attestationSpecs.map((s) => [s.nodeId, s]));
  const applicability = new Map(applicabilityOf(catalog, organization.profile).map((a) => [a.nodeId, a]));

  const assessments = new Map<string, NodeAssessment>();
  const results: RuleResult[] = [];
  const leafCounts = new Map<string, StatusCounts>();

  // Children before parents, so roll-ups see their children's assessments.
  const requirementNodes = catalog.nodes.filter((n) => n.kind === 'requirement');
  const ordered = [...requirementNodes].sort((a, b) => b.id.split('.').length - a.id.split('.').length);

  for (const node of ordered) {
    const scope = applicability.get(node.id);
    const rule = rulesByNode.get(node.id);
    const spec = specsByNode.get(node.id);
    const children = catalog.children(node.id).filter((c) => c.kind === 'requirement');
    const method: NodeAssessment['method'] = rule ? 'rule' : spec ? 'attestation' : 'rollup';

    if (scope !== undefined && !scope.applicable) {
      assessments.set(node.id, {
        nodeId: node.id,
        status: 'not-applicable',
        method,
        reason: scope.reason,
        counts: emptyCounts(),
        nextDueDate: null,
      });
      continue;
    }

    let verdicts: Verdict[];
    const ctx: RuleContext = {
      organization,
      node,
      now,
      today,
      registers: input.registers,
      evidence: input.evidence,
      cadencePolicy: input.cadencePolicy,
    };
    if (rule !== undefined) {
      try {
        verdicts = rule.evaluate(ctx);
        if (verdicts.length === 0)
          verdicts = [{ status: 'error', reason: `The rule for ${node.id} returned no verdict.` }];
      } catch (error) {
        // A broken rule is reported as an error: it never turns into a fail or a pass.
        verdicts = [{ status: 'error', reason: `The rule for ${node.id} failed: ${(error as Error).message}` }];
      }
    } else if (spec !== undefined) {
      verdicts = [attestationVerdict(spec, input.attestations.get(node.id), today)];
    } else if (children.length > 0) {
      const childAssessments = children.map((c) => assessments.get(c.id)).filter((a) => a !== undefined);
      const status = worstStatus(childAssessments.map((a) => a.status));
      const counts = emptyCounts();
      for (const a of childAssessments) for (const k of Object.keys(counts) as ResultStatus[]) counts[k] += a.counts[k];
      const failing = childAssessments.filter((a) => a.status === status).map((a) => a.nodeId);
      assessments.set(node.id, {
        nodeId: node.id,
        status,
        method: 'rollup',
        reason:
          status === 'pass'
            ? `All ${childAssessments.length} parts pass.`
            : status === 'not-applicable'
              ? 'No part applies.'
              : `${failing.join(', ')}: ${status}.`,
        counts,
        nextDueDate: earliest(childAssessments.map((a) => a.nextDueDate)),
      });
      continue;
    } else {
      verdicts = [{ status: 'error', reason: `${node.id} has no rule and no attestation: it cannot be evaluated.` }];
    }
    // Observations join the node's own verdicts (a record's verdict keeps one finding, with every reason).
    if (input.collectorFacts !== undefined && input.collectorChecks !== undefined) {
      verdicts = mergeCollectorVerdicts(verdicts, collectorVerdicts(input.collectorChecks, ctx, input.collectorFacts));
    }

    // Only results a person may act on become result rows: every non-pass, and passes that carry a due date. The
    // rest (most of a million verdicts in a large organization) are only counted.
    const counts = emptyCounts();
    let own: ResultStatus = 'not-applicable';
    let ownRank = precedence.length - 1;
    let nextDue: string | null = null;
    for (const v of verdicts) {
      counts[v.status] += 1;
      const rank = rankOf[v.status];
      if (rank < ownRank) {
        ownRank = rank;
        own = v.status;
      }
      const due = v.dueDate ?? null;
      if (v.status === 'pass' && due !== null && (nextDue === null || due < nextDue)) nextDue = due;
      if ((v.status !== 'pass' && v.status !== 'not-applicable') || due !== null) {
        results.push({
          requirementId: node.id,
          status: v.status,
          reason: v.reason,
          recordType: v.recordType ?? null,
          recordId: v.recordId ?? null,
          recordName: v.recordName ?? null,
          dueDate: due,
        });
      }
    }
    // A node with its own rule and its own parts (A12.1 and its four points) is only as good as its worst part.
    leafCounts.set(node.id, counts);
    const parts = children.map((c) => assessments.get(c.id)).filter((a) => a !== undefined);
    const status = worstStatus([own, ...parts.map((p) => p.status)]);
    const worseParts = parts.filter((p) => p.status === status && status !== own).map((p) => p.nodeId);
    assessments.set(node.id, {
      nodeId: node.id,
      status,
      method,
      reason:
        worseParts.length > 0
          ? `${worseParts.join(', ')}: ${status}. ${summarize(verdicts, own, counts)}`
          : summarize(verdicts, own, counts),
      counts,
      nextDueDate: earliest([nextDue, ...parts.map((p) => p.nextDueDate)]),
    });
  }

  const nodes = requirementNodes.map((n) => assessments.get(n.id)).filter((a) => a !== undefined);
  return {
    catalogVersion: catalog.version,
    evaluatedAt: now.toISOString(),
    today,
    nodes,
    results,
    scores: scoreOf(catalog, leafCounts),
    chapters: chaptersOf(catalog, assessments, leafCounts),
  };
}

function nodeScore(c: StatusCounts): number | null {
  const denominator = c.pass + c.fail + c['needs-evidence'];
  return denominator === 0 ? null : c.pass / denominator;
}

function weighted(entries: { weight: number; score: number }[]): number | null {
  const total = entries.reduce((s, e) => s + e.weight, 0);
  return total === 0 ? null : Math.round((entries.reduce((s, e) => s + e.weight * e.score, 0) / total) * 1000) / 10;
}

function scoreOf(catalog: Catalog, leafCounts: ReadonlyMap<string, StatusCounts>): Scores {
  const by: Record<Obligation, { weight: number; score: number }[]> = { shall: [], should: [], advised: [] };
  for (const [id, counts] of leafCounts) {
    const obligation = catalog.get(id)?.obligation ?? null;
    const score = nodeScore(counts);
    if (obligation === null || score === null) continue;
    by[obligation].push({ weight: weights[obligation], score });
  }
  return {
    overall: weighted([...by.shall, ...by.should, ...by.advised]) ?? 0,
    shall: weighted(by.shall),
    should: weighted(by.should),
    advised: weighted(by.advised),
  };
}

function chaptersOf(
  catalog: Catalog,
  assessments: ReadonlyMap<string, NodeAssessment>,
  leafCounts: ReadonlyMap<string, StatusCounts>,
): ChapterSummary[] {
  return catalog.chapters.map((chapter) => {
    const counts = emptyCounts();
    const scores: { weight: number; score: number }[] = [];
    for (const node of catalog.nodes) {
      if (node.chapter.number !== chapter.number || node.kind !== 'requirement') continue;
      const nodeCounts = leafCounts.get(node.id);
      if (nodeCounts === undefined) {
        const a = assessments.get(node.id);
        if (a?.status === 'not-applicable' && a.method !== 'rollup') counts['not-applicable'] += 1;
        continue;
      }
      const status = worstStatus((Object.keys(nodeCounts) as ResultStatus[]).filter((k) => nodeCounts[k] > 0));
      counts[status] += 1;
      const s = nodeScore(nodeCounts);
      if (s !== null && node.obligation !== null) scores.push({ weight: weights[node.obligation], score: s });
    }
    return { chapter: chapter.number, title: chapter.title, counts, score: weighted(scores) };
  });
}
