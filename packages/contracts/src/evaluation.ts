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
