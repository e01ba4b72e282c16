import { factorKindSchema, monitoringReportSchema } from '@ntg/contracts';
import { type AttemptOutcome, type AttemptPurpose, canonicalJson, type MonitoringStore } from '@ntg/core';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Reads for the daily failed-login analysis (A37.7) and the reports it keeps. */
export function createMonitoringStore(db: Kysely<Database>): MonitoringStore {
  return {
    async attemptsBetween(organizationId, from, to) {
      const rows = await db
        .selectFrom('login_attempts')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('at', '>=', from)
        .where('at', '<', to)
        .orderBy('at')
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        at: row.at,
        organizationId: row.organization_id,
        identifier: row.identifier,
        accountId: row.account_id,
        source: row.source,
        purpose: row.purpose as AttemptPurpose,
        factorKind: factorKindSchema.parse(row.factor_kind),
        outcome: row.outcome as AttemptOutcome,
      }));
    },

    async locksBetween(organizationId, from, to) {
      const row = await db
        .selectFrom('audit_entries')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('organization_id', '=', organizationId)
        .where('action', '=', 'identity.account.lock')
        .where('at', '>=', from)
        .where('at', '<', to)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async insertReport(report) {
      await db
        .insertInto('monitoring_reports')
        .values({
          organization_id: report.organizationId,
          id: report.id,
          date: report.date,
          generated_at: report.generatedAt,
          summary: canonicalJson(report.summary),
          sha256: report.sha256,
        })
        .execute();
    },

    async reportDates(organizationId, fromDate, toDate) {
      const rows = await db
        .selectFrom('monitoring_reports')
        .select('date')
        .distinct()
        .where('organization_id', '=', organizationId)
        .where('date', '>=', fromDate)
        .where('date', '<=', toDate)
        .orderBy('date')
        .execute();
      return rows.map((r) => r.date);
    },

    async firstAttemptAt(organizationId) {
      const row = await db
        .selectFrom('login_attempts')
        .select((eb) => eb.fn.min('at').as('first'))
        .where('organization_id', '=', organizationId)
        .executeTakeFirst();
      return (row?.first as string | null | undefined) ?? null;
    },

    async latestReport(organizationId, date) {
      const row = await db
        .selectFrom('monitoring_reports')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('date', '=', date)
        .orderBy('generated_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (row === undefined) return null;
      return monitoringReportSchema.parse({
        id: row.id,
        organizationId: row.organization_id,
        date: row.date,
        generatedAt: row.generated_at,
        summary: JSON.parse(row.summary) as unknown,
        sha256: row.sha256,
      });
    },
  };
}
