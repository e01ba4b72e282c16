import { z } from 'zod';
import { sha256HexSchema } from './evidence.ts';
import { isoDate } from './registers/register-fields.ts';

/**
 * A37.7: the daily analysis of failed logins and of attempts with identifiers that are not clients, one report per
 * Asia/Taipei day. Each generation is kept with the SHA-256 of its canonical JSON, recorded in the audit trail too.
 */
export const monitoringPatternTypes = [
  'credential-stuffing',
  'password-spraying',
  'distributed-on-account',
  'unknown-identifiers',
] as const;

export const monitoringPatternSchema = z.object({
  type: z.enum(monitoringPatternTypes),
  description: z.string(),
  sources: z.array(z.string()),
  identifiers: z.array(z.string()),
  attempts: z.number().int(),
});

export const dailyAnalysisSchema = z.object({
  date: isoDate,
  from: z.string(),
  to: z.string(),
  counts: z.object({
    attempts: z.number().int(),
    successes: z.number().int(),
    failures: z.number().int(),
    lockedRefusals: z.number().int(),
    unknownIdentifier: z.number().int(),
    locks: z.number().int(),
  }),
  topAccounts: z.array(
    z.object({
      identifier: z.string(),
      accountId: z.string().nullable(),
      failures: z.number().int(),
      sources: z.number().int(),
    }),
  ),
  topSources: z.array(z.object({ source: z.string(), failures: z.number().int(), identifiers: z.number().int() })),
  patterns: z.array(monitoringPatternSchema),
  thresholds: z.record(z.string(), z.number()),
});

export const monitoringReportSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  date: isoDate,
  generatedAt: z.string(),
  summary: dailyAnalysisSchema,
  sha256: sha256HexSchema,
});
export type MonitoringReport = z.infer<typeof monitoringReportSchema>;

export const monitoringDailyQuerySchema = z.object({ date: isoDate.optional() });
export const monitoringGenerateRequestSchema = z.object({ date: isoDate.optional() });
