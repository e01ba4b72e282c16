import { z } from 'zod';
import { registerTypeSchema } from './registers/register-types.ts';

export const resultStatusSchema = z.enum(['pass', 'fail', 'not-applicable', 'needs-evidence', 'error']);
export type ResultStatus = z.infer<typeof resultStatusSchema>;

/** One verdict of one rule, on one record where the rule is per record. */
export const ruleResultSchema = z.object({
  requirementId: z.string(),
  status: resultStatusSchema,
  reason: z.string(),
  recordType: registerTypeSchema.nullable(),
  recordId: z.string().nullable(),
  recordName: z.string().nullable(),
  /** The date by which the duty must next be done (time-based duties), YYYY-MM-DD in Asia/Taipei. */
  dueDate: z.string().nullable(),
});
export type RuleResult = z.infer<typeof ruleResultSchema>;

export const statusCountsSchema = z.object({
  pass: z.number().int(),
  fail: z.number().int(),
  'not-applicable': z.number().int(),
  'needs-evidence': z.number().int(),
  error: z.number().int(),
});
export type StatusCounts = z.infer<typeof statusCountsSchema>;

export const nodeAssessmentSchema = z.object({
  nodeId: z.string(),
  status: resultStatusSchema,
  /** How the node is evaluated: its own rule, a person's attestation, or the roll-up of its paragraphs or items. */
  method: z.enum(['rule', 'attestation', 'rollup']),
  reason: z.string(),
  counts: statusCountsSchema,
  nextDueDate: z.string().nullable(),
});
export type NodeAssessment = z.infer<typeof nodeAssessmentSchema>;

export const scoresSchema = z.object({
  overall: z.number(),
  shall: z.number().nullable(),
  should: z.number().nullable(),
  advised: z.number().nullable(),
});

export const chapterSummarySchema = z.object({
  chapter: z.number().int(),
  title: z.string(),
  counts: statusCountsSchema,
  score: z.number().nullable(),
});

export const runTriggerSchema = z.enum(['change', 'schedule', 'manual', 'import', 'start']);

export const evaluationRunSchema = z.object({
  id: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  trigger: runTriggerSchema,
  catalogVersion: z.string(),
  score: z.number(),
});

/** One requirement's status in each of the latest runs, newest first: the catalog page's history of a node. */
export const nodeHistoryEntrySchema = z.object({
  runId: z.string(),
  evaluatedAt: z.string(),
  status: resultStatusSchema,
  reason: z.string(),
});
export const nodeHistoryResponseSchema = z.object({ nodeId: z.string(), history: z.array(nodeHistoryEntrySchema) });
export type NodeHistoryEntry = z.infer<typeof nodeHistoryEntrySchema>;

export const findingStatusSchema = z.enum(['open', 'fixed', 'accepted', 'resolved']);
export const severitySchema = z.enum(['high', 'medium', 'low']);

export const findingSchema = z.object({
  id: z.string(),
  requirementId: z.string(),
  recordType: registerTypeSchema.nullable(),
  recordId: z.string().nullable(),
  recordName: z.string().nullable(),
  status: findingStatusSchema,
  severity: severitySchema,
  reason: z.string(),
  owner: z.string(),
  assignee: z.string().nullable(),
  dueDate: z.string(),
  acceptedBy: z.string().nullable(),
  acceptedReason: z.string().nullable(),
  acceptedUntil: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  revision: z.number().int(),
  updatedAt: z.string(),
});
export type FindingView = z.infer<typeof findingSchema>;

export const findingEventSchema = z.object({
  at: z.string(),
  actor: z.string(),
  event: z.string(),
  details: z.record(z.string(), z.unknown()),
});

export const findingQuerySchema = z.object({
  status: z
    .string()
    .regex(
      /^(open|fixed|accepted|resolved)(,(open|fixed|accepted|resolved))*$/,
      'statuses separated by commas, e.g. open,accepted',
    )
    .optional(),
  severity: severitySchema.optional(),
  requirementId: z.string().max(20).optional(),
  owner: z.string().max(200).optional(),
  recordType: registerTypeSchema.optional(),
  recordId: z.string().max(60).optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** `GET …/findings/summary`: counts over every finding in the statuses asked for, by severity and by owner. */
export const findingSummarySchema = z.object({
  total: z.number().int(),
  bySeverity: z.array(z.object({ severity: severitySchema, count: z.number().int() })),
  byOwner: z.array(z.object({ owner: z.string(), count: z.number().int() })),
});
export type FindingSummary = z.infer<typeof findingSummarySchema>;

/** The assessment of an organization: the latest run's per-node status with reasons, and its findings. */
export const assessmentSchema = z.object({
  organization: z.object({ id: z.string(), slug: z.string(), name: z.string(), demo: z.boolean() }),
  run: evaluationRunSchema.extend({
    scores: scoresSchema,
    chapters: z.array(chapterSummarySchema),
    recordsEvaluated: z.number().int(),
  }),
  nodes: z.array(nodeAssessmentSchema),
  findings: z.array(
    z.object({
      id: z.string(),
      requirementId: z.string(),
      recordType: registerTypeSchema.nullable(),
      recordId: z.string().nullable(),
      status: findingStatusSchema,
      severity: severitySchema,
      reason: z.string(),
      dueDate: z.string(),
    }),
  ),
});
export type Assessment = z.infer<typeof assessmentSchema>;

export const attestationAnswerSchema = z.enum(['yes', 'partly', 'no']);

export const attestationSchema = z.object({
  id: z.string(),
  nodeId: z.string(),
  answer: attestationAnswerSchema,
  statement: z.string(),
  evidenceIds: z.array(z.string()),
  attestedBy: z.string(),
  attestedAt: z.string(),
  expiresOn: z.string(),
});

export const createAttestationSchema = z
  .object({
    nodeId: z.string().regex(/^A\d{1,2}(\.\d{1,2}){0,2}$/),
    answer: attestationAnswerSchema,
    statement: z.string().trim().min(10, 'say in a sentence what is in place').max(4000),
    evidenceIds: z.array(z.string().max(60)).max(50).default([]),
  })
  .strict();

export const dutySchema = z.object({
  requirementId: z.string(),
  recordType: registerTypeSchema.nullable(),
  recordId: z.string().nullable(),
  recordName: z.string().nullable(),
  dueDate: z.string(),
  state: z.enum(['due-soon', 'overdue']),
  reason: z.string(),
});

/** `GET …/duties`: the soonest duties (at most `limit`), and how many are overdue and due soon in all. */
export const dutiesResponseSchema = z.object({
  today: z.string(),
  overdue: z.number().int(),
  dueSoon: z.number().int(),
  duties: z.array(dutySchema),
});
