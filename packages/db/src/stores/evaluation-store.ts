import type { RuleResult } from '@ntg/contracts';
import type { EvaluationRun, EvaluationStore, RunSummary, RunTrigger } from '@ntg/core';
import { canonicalJson } from '@ntg/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, EvaluationResultsTable } from '../schema.ts';

const batch = 500;

function toResult(r: Selectable<EvaluationResultsTable>): RuleResult {
  return {
    requirementId: r.requirement_id,
    status: r.status as RuleResult['status'],
    reason: r.reason,
    recordType: r.record_type === '' ? null : (r.record_type as RuleResult['recordType']),
    recordId: r.record_id === '' ? null : r.record_id,
    recordName: r.record_name,
    dueDate: r.due_date,
  };
}

export function createEvaluationStore(db: Kysely<Database>): EvaluationStore {
  async function recentRuns(organizationId: string, limit: number): Promise<EvaluationRun[]> {
    const rows = await db
      .selectFrom('evaluation_runs')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(
      (row) =>
        ({
          organizationId: row.organization_id,
          id: row.id,
          startedAt: row.started_at,
          finishedAt: row.finished_at,
          trigger: row.trigger as RunTrigger,
          catalogVersion: row.catalog_version,
          score: Number(row.score),
          summary: JSON.parse(row.summary) as RunSummary,
        }) satisfies EvaluationRun,
    );
  }

  return {
    async insertRun(run) {
      await db
        .insertInto('evaluation_runs')
        .values({
          organization_id: run.organizationId,
          id: run.id,
          started_at: run.startedAt,
          finished_at: run.finishedAt,
          trigger: run.trigger,
          catalog_version: run.catalogVersion,
          score: run.score,
          summary: canonicalJson(run.summary),
        })
        .execute();
    },
    async replaceResults(organizationId, runId, results) {
      await db.deleteFrom('evaluation_results').where('organization_id', '=', organizationId).execute();
      for (let i = 0; i < results.length; i += batch) {
        await db
          .insertInto('evaluation_results')
          .values(
            results.slice(i, i + batch).map((r) => ({
              organization_id: organizationId,
              run_id: runId,
              requirement_id: r.requirementId,
              record_type: r.recordType ?? '',
              record_id: r.recordId ?? '',
              record_name: r.recordName,
              status: r.status,
              reason: r.reason,
              due_date: r.dueDate,
            })),
          )
          .execute();
      }
    },
    async storedResultsDigest(organizationId) {
      const row = await db
        .selectFrom('evaluation_runs')
        .select('summary')
        .where('organization_id', '=', organizationId)
        .where(
          'id',
          '=',
          db.selectFrom('evaluation_results').select('run_id').where('organization_id', '=', organizationId).limit(1),
        )
        .executeTakeFirst();
      if (row === undefined) return null;
      return (JSON.parse(row.summary) as RunSummary).resultsDigest ?? null;
    },
    async latestRun(organizationId) {
      const [latest] = await recentRuns(organizationId, 1);
      return latest ?? null;
    },
    recentRuns,
    async runs(organizationId, limit) {
      const rows = await db
        .selectFrom('evaluation_runs')
        .select(['organization_id', 'id', 'started_at', 'finished_at', 'trigger', 'catalog_version', 'score'])
        .where('organization_id', '=', organizationId)
        .orderBy('started_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        organizationId: row.organization_id,
        id: row.id,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        trigger: row.trigger as RunTrigger,
        catalogVersion: row.catalog_version,
        score: Number(row.score),
      }));
    },
    async duties(organizationId, { today, horizon, limit }) {
      const base = db
        .selectFrom('evaluation_results')
        .where('organization_id', '=', organizationId)
        .where('due_date', 'is not', null)
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'pass'), eb('due_date', '<=', horizon)]),
            eb.and([eb('status', '=', 'fail'), eb('due_date', '<', today)]),
          ]),
        );
      const counts = await base
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      const rows = await base
        .selectAll()
        .orderBy('due_date')
        .orderBy('requirement_id')
        .orderBy('record_id')
        .limit(limit)
        .execute();
      const count = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0);
      return { duties: rows.map(toResult), overdue: count('fail'), dueSoon: count('pass') };
    },
    async results(organizationId, filter) {
      let q = db.selectFrom('evaluation_results').selectAll().where('organization_id', '=', organizationId);
      if (filter.requirementId !== undefined) q = q.where('requirement_id', '=', filter.requirementId);
      const under = filter.under;
      if (under !== undefined) {
        // Node ids hold letters, digits and dots only (the route checks), so the prefix needs no escaping.
        q = q.where((eb) => eb.or([eb('requirement_id', '=', under), eb('requirement_id', 'like', `${under}.%`)]));
      }
      if (filter.recordType !== undefined) q = q.where('record_type', '=', filter.recordType);
      if (filter.recordId !== undefined) q = q.where('record_id', '=', filter.recordId);
      const ordered = q.orderBy('requirement_id').orderBy('record_id');
      const rows = await (filter.limit === undefined ? ordered : ordered.limit(filter.limit)).execute();
      return rows.map(toResult);
    },
  };
}
