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
  /**
   * When given (YYYY-MM-DD), a pass becomes a result row only while its due date is on or before this date; later
   * passes are still counted (and still give the node its next due date). The evaluation service keeps no other
   * passes, so at 100,000 devices this spares some 100,000 rows it would only filter out.
   */
  passesDueBy?: string;
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

/**
 * Counts a node's verdicts as they come: the counts by status, the node's own (worst) status, the earliest due date
 * of a pass and the first verdict of each status (for the node's reason). Only results a person may act on become
 * result rows: every non-pass, and passes that carry a due date. The rest (most of a million verdicts in a large
 * organization) are only counted.
 */
class Tally {
  counts = emptyCounts();
  own: ResultStatus = 'not-applicable';
  nextDue: string | null = null;
  added = 0;
  private ownRank = precedence.length - 1;
  private first: Partial<Record<ResultStatus, Verdict>> = {};
  private readonly start: number;

  constructor(
    private readonly nodeId: string,
    private readonly results: RuleResult[],
    private readonly passesDueBy: string | undefined,
  ) {
    this.start = results.length;
  }

  add(v: Verdict): void {
    this.added += 1;
    this.counts[v.status] += 1;
    if (this.first[v.status] === undefined) this.first[v.status] = v;
    const rank = rankOf[v.status];
    if (rank < this.ownRank) {
      this.ownRank = rank;
      this.own = v.status;
    }
    const due = v.dueDate ?? null;
    if (v.status === 'pass' && due !== null && (this.nextDue === null || due < this.nextDue)) this.nextDue = due;
    if (
      (v.status !== 'pass' && v.status !== 'not-applicable') ||
      (due !== null && (v.status !== 'pass' || this.passesDueBy === undefined || due <= this.passesDueBy))
    ) {
      this.results.push({
        requirementId: this.nodeId,
        status: v.status,
        reason: v.reason,
        recordType: v.recordType ?? null,
        recordId: v.recordId ?? null,
        recordName: v.recordName ?? null,
        dueDate: due,
      });
    }
  }

  /** Forgets every verdict added so far, and the result rows they made. */
  reset(): void {
    this.results.length = this.start;
    this.counts = emptyCounts();
    this.own = 'not-applicable';
    this.nextDue = null;
    this.added = 0;
    this.ownRank = precedence.length - 1;
    this.first = {};
  }

  /** The node's own reason: the first verdict of its status, and how many share it. */
  summary(): string {
    const first = this.first[this.own]?.reason ?? 'No verdict.';
    const n = this.counts[this.own];
    if (n <= 1) return first;
    return `${n} ${this.own === 'pass' ? 'records pass' : `results are ${this.own}`}; first: ${first}`;
  }
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

    const ctx: RuleContext = {
      organization,
      node,
      now,
      today,
      registers: input.registers,
      evidence: input.evidence,
      cadencePolicy: input.cadencePolicy,
    };
    // Observations join the node's own verdicts (a record's verdict keeps one finding, with every reason).
    const observe = (own: readonly Verdict[]): readonly Verdict[] =>
      input.collectorFacts !== undefined && input.collectorChecks !== undefined
        ? mergeCollectorVerdicts(own, collectorVerdicts(input.collectorChecks, ctx, input.collectorFacts))
        : own;
    const tally = new Tally(node.id, results, input.passesDueBy);
    if (rule !== undefined) {
      // Checks are pure, so running them before the rule changes nothing; with none to merge, a streaming rule's
      // verdicts are counted as they come.
      const observed =
        rule.stream !== undefined && input.collectorFacts !== undefined && input.collectorChecks !== undefined
          ? collectorVerdicts(input.collectorChecks, ctx, input.collectorFacts)
          : [];
      if (rule.stream !== undefined && observed.length === 0) {
        const stream = rule.stream;
        try {
          stream(ctx, (v) => tally.add(v));
          if (tally.added === 0) tally.add({ status: 'error', reason: `The rule for ${node.id} returned no verdict.` });
        } catch (error) {
          // As below: the verdicts emitted before the failure are dropped, only the error remains.
          tally.reset();
          tally.add({ status: 'error', reason: `The rule for ${node.id} failed: ${(error as Error).message}` });
        }
      } else {
        let verdicts: readonly Verdict[];
        try {
          verdicts = rule.evaluate(ctx);
          if (verdicts.length === 0)
            verdicts = [{ status: 'error', reason: `The rule for ${node.id} returned no verdict.` }];
        } catch (error) {
          // A broken rule is reported as an error: it never turns into a fail or a pass.
          verdicts = [{ status: 'error', reason: `The rule for ${node.id} failed: ${(error as Error).message}` }];
        }
        verdicts = rule.stream !== undefined ? mergeCollectorVerdicts(verdicts, observed) : observe(verdicts);
        for (const v of verdicts) tally.add(v);
      }
    } else if (spec !== undefined) {
      for (const v of observe([attestationVerdict(spec, input.attestations.get(node.id), today)])) tally.add(v);
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
      const none: Verdict = {
        status: 'error',
        reason: `${node.id} has no rule and no attestation: it cannot be evaluated.`,
      };
      for (const v of observe([none])) tally.add(v);
    }
    const { counts, own, nextDue } = tally;

    // A node with its own rule and its own parts (A12.1 and its four points) is only as good as its worst part.
    leafCounts.set(node.id, counts);
    const parts = children.map((c) => assessments.get(c.id)).filter((a) => a !== undefined);
    const status = worstStatus([own, ...parts.map((p) => p.status)]);
    const worseParts = parts.filter((p) => p.status === status && status !== own).map((p) => p.nodeId);
    assessments.set(node.id, {
      nodeId: node.id,
      status,
      method,
      reason: worseParts.length > 0 ? `${worseParts.join(', ')}: ${status}. ${tally.summary()}` : tally.summary(),
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
