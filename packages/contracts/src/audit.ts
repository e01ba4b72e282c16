import { z } from 'zod';

export const auditOutcomeSchema = z.enum(['success', 'failure', 'denied']);

export const auditActorSchema = z.object({
  /** 'user', 'system', 'cli', 'client' (a trading client at the gateway). */
  type: z.enum(['user', 'system', 'cli', 'client']),
  id: z.string().min(1),
});
export type AuditActor = z.infer<typeof auditActorSchema>;

export const auditEntrySchema = z.object({
  organizationId: z.string(),
  seq: z.number().int().min(1),
  at: z.string(),
  actor: auditActorSchema,
  action: z.string(),
  objectType: z.string(),
  objectId: z.string().nullable(),
  source: z.string().nullable(),
  outcome: auditOutcomeSchema,
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

export const auditVerificationSchema = z.object({
  organizationId: z.string(),
  entries: z.number().int(),
  ok: z.boolean(),
  firstBroken: z.object({ seq: z.number().int(), problem: z.string() }).nullable(),
});
export type AuditVerification = z.infer<typeof auditVerificationSchema>;
