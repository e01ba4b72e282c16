import type { NodeAssessment, RuleResult } from '@ntg/contracts';
import type { ChapterSummary, Scores } from './evaluation-engine.ts';

export type RunTrigger = 'change' | 'schedule' | 'manual' | 'import' | 'start';

export interface RunSummary {
  nodes: NodeAssessment[];
  scores: Scores;
  chapters: ChapterSummary[];
  findings: { opened: number; reopened: number; fixed: number; open: number };
  recordsEvaluated: number;
  /**
   * SHA-256 over the results this run keeps (`resultsDigest`). A run whose results equal the previous run's leaves
   * the stored rows as they are: an hourly re-evaluation of an unchanged organization rewrites nothing.
   */
  resultsDigest?: string;
}

export interface EvaluationRun {
  organizationId: string;
  id: string;
  startedAt: string;
  finishedAt: string;
  trigger: RunTrigger;
  catalogVersion: string;
  score: number;
  summary: RunSummary;
}

export interface EvaluationStore {
  insertRun(run: EvaluationRun): Promise<void>;
  /** Replaces the organization's stored results with those of `runId` (the run that last changed them). */
  replaceResults(organizationId: string, runId: string, results: readonly RuleResult[]): Promise<void>;
  /** The `resultsDigest` of the run whose results are stored now; null when none are, or that run had none. */
  storedResultsDigest(organizationId: string): Promise<string | null>;
  latestRun(organizationId: string): Promise<EvaluationRun | null>;
  /** Newest first, with the per-node summary: what a node's history is read from. */
  recentRuns(organizationId: string, limit: number): Promise<EvaluationRun[]>;
  /** Newest first, without the per-node summary (for trends). */
  runs(organizationId: string, limit: number): Promise<Omit<EvaluationRun, 'summary'>[]>;
  /**
   * Recurring duties among the stored results: passes due by `horizon` and failures past their due date (`today`),
   * soonest first, at most `limit` of them, with the counts of both over all.
   */
  duties(
    organizationId: string,
    window: { today: string; horizon: string; limit: number },
  ): Promise<{ duties: RuleResult[]; overdue: number; dueSoon: number }>;
  results(
    organizationId: string,
    filter: {
      requirementId?: string | undefined;
      /** A node and everything under it: A17 takes A17, A17.4 and A17.4.1. */
      under?: string | undefined;
      recordType?: string | undefined;
      recordId?: string | undefined;
      limit?: number | undefined;
    },
  ): Promise<RuleResult[]>;
}
