import { type CollectorRun, collectorRunKindSchema, collectorRunSchema } from '@ntg/contracts';
import { type CollectorKindStats, type CollectorRunStore, canonicalJson } from '@ntg/core';
import type { Kysely, Selectable } from 'kysely';
import type { CollectorRunsTable, Database } from '../schema.ts';

function toRun(row: Selectable<CollectorRunsTable>): CollectorRun {
  // Parsed through the contract: a row edited by hand into an invalid shape is an error here, not downstream.
  return collectorRunSchema.parse({
    id: row.id,
    organizationId: row.organization_id,
    kind: row.kind,
    target: row.target,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    rawSha256: row.raw_sha256,
    evidenceId: row.evidence_id,
    actor: row.actor,
    summary: JSON.parse(row.summary) as unknown,
    error: row.error,
  });
}

export function createCollectorRunStore(db: Kysely<Database>): CollectorRunStore {
  return {
    async insert(run) {
      await db
        .insertInto('collector_runs')
        .values({
          organization_id: run.organizationId,
          id: run.id,
          kind: run.kind,
          target: run.target,
          status: run.status,
          started_at: run.startedAt,
          finished_at: run.finishedAt,
          raw_sha256: run.rawSha256,
          evidence_id: run.evidenceId,
          actor: run.actor,
          summary: canonicalJson(run.summary),
          error: run.error,
        })
        .execute();
    },

    async findById(organizationId, id) {
      const row = await db
        .selectFrom('collector_runs')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? null : toRun(row);
    },

    async list(organizationId, filter) {
      let query = db.selectFrom('collector_runs').selectAll().where('organization_id', '=', organizationId);
      if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
      const rows = await query.orderBy('finished_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
      return rows.map(toRun);
    },

    async latest(organizationId, kind) {
      const row = await db
        .selectFrom('collector_runs')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('kind', '=', kind)
        .orderBy('finished_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? null : toRun(row);
    },

    async latestPerTarget(organizationId, kind) {
      // The newest row per target: no later row of the same target exists (ties broken by id). Portable SQL: no
      // window functions or DISTINCT ON, which differ between the dialects.
      const rows = await db
        .selectFrom('collector_runs as r')
        .selectAll('r')
        .where('r.organization_id', '=', organizationId)
        .where('r.kind', '=', kind)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('collector_runs as n')
                .select('n.id')
                .where('n.organization_id', '=', organizationId)
                .where('n.kind', '=', kind)
                .whereRef('n.target', '=', 'r.target')
                .where((eb) =>
                  eb.or([
                    eb('n.finished_at', '>', eb.ref('r.finished_at')),
                    eb.and([eb('n.finished_at', '=', eb.ref('r.finished_at')), eb('n.id', '>', eb.ref('r.id'))]),
                  ]),
                ),
            ),
          ),
        )
        .orderBy('r.target')
        .execute();
      return rows.map(toRun);
    },

    async kindStats(organizationId) {
      const totals = await db
        .selectFrom('collector_runs')
        .select(['kind'])
        .select((eb) => eb.fn.countAll<number | string>().as('runs'))
        .where('organization_id', '=', organizationId)
        .groupBy('kind')
        .execute();
      const oks = await db
        .selectFrom('collector_runs')
        .select(['kind'])
        .select((eb) => eb.fn.max('finished_at').as('last_ok'))
        .where('organization_id', '=', organizationId)
        .where('status', '=', 'ok')
        .groupBy('kind')
        .execute();
      const lastOk = new Map(oks.map((r) => [r.kind, r.last_ok as string | null]));
      const out: CollectorKindStats[] = [];
      for (const t of totals) {
        const since = lastOk.get(t.kind) ?? null;
        let errors = db
          .selectFrom('collector_runs')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('organization_id', '=', organizationId)
          .where('kind', '=', t.kind)
          .where('status', '=', 'error');
        if (since !== null) errors = errors.where('finished_at', '>', since);
        const row = await errors.executeTakeFirstOrThrow();
        out.push({
          kind: collectorRunKindSchema.parse(t.kind),
          runs: Number(t.runs),
          lastOkAt: since,
          errorsSinceOk: Number(row.n),
        });
      }
      return out;
    },
  };
}
