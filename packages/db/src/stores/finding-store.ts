import type { Finding, FindingStore, FindingSyncRow, Severity } from '@ntg/core';
import { canonicalJson } from '@ntg/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, FindingsTable } from '../schema.ts';

const batch = 300;

function toFinding(r: Selectable<FindingsTable>): Finding {
  return {
    organizationId: r.organization_id,
    id: r.id,
    requirementId: r.requirement_id,
    recordType: r.record_type === '' ? null : (r.record_type as Finding['recordType']),
    recordId: r.record_id === '' ? null : r.record_id,
    recordName: r.record_name,
    status: r.status as Finding['status'],
    severity: r.severity as Finding['severity'],
    reason: r.reason,
    resultStatus: r.result_status,
    owner: r.owner,
    assignee: r.assignee,
    dueDate: r.due_date,
    acceptedBy: r.accepted_by,
    acceptedReason: r.accepted_reason,
    acceptedUntil: r.accepted_until,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    revision: Number(r.revision),
    updatedAt: r.updated_at,
  };
}

function toRow(f: Finding): FindingsTable {
  return {
    organization_id: f.organizationId,
    id: f.id,
    requirement_id: f.requirementId,
    record_type: f.recordType ?? '',
    record_id: f.recordId ?? '',
    record_name: f.recordName,
    status: f.status,
    severity: f.severity,
    reason: f.reason,
    result_status: f.resultStatus,
    owner: f.owner,
    assignee: f.assignee,
    due_date: f.dueDate,
    accepted_by: f.acceptedBy,
    accepted_reason: f.acceptedReason,
    accepted_until: f.acceptedUntil,
    resolved_at: f.resolvedAt,
    resolved_by: f.resolvedBy,
    first_seen_at: f.firstSeenAt,
    last_seen_at: f.lastSeenAt,
    revision: f.revision,
    updated_at: f.updatedAt,
  };
}

const severityRank = { high: 0, medium: 1, low: 2 } as const;

export function createFindingStore(db: Kysely<Database>): FindingStore {
  async function write(f: Finding, expectedRevision?: number): Promise<boolean> {
    const { organization_id, id, ...rest } = toRow(f);
    let q = db.updateTable('findings').set(rest).where('organization_id', '=', organization_id).where('id', '=', id);
    if (expectedRevision !== undefined) q = q.where('revision', '=', expectedRevision);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  return {
    async all(organizationId) {
      const rows = await db.selectFrom('findings').selectAll().where('organization_id', '=', organizationId).execute();
      return rows.map(toFinding);
    },
    async syncRows(organizationId) {
      const rows = await db
        .selectFrom('findings')
        .select([
          'id',
          'requirement_id',
          'record_type',
          'record_id',
          'status',
          'reason',
          'result_status',
          'accepted_until',
        ])
        .where('organization_id', '=', organizationId)
        .execute();
      return rows.map(
        (r): FindingSyncRow => ({
          id: r.id,
          requirementId: r.requirement_id,
          recordType: r.record_type === '' ? null : (r.record_type as Finding['recordType']),
          recordId: r.record_id === '' ? null : r.record_id,
          status: r.status as Finding['status'],
          reason: r.reason,
          resultStatus: r.result_status,
          acceptedUntil: r.accepted_until,
        }),
      );
    },
    async byIds(organizationId, ids) {
      const found: Finding[] = [];
      for (let i = 0; i < ids.length; i += batch) {
        const rows = await db
          .selectFrom('findings')
          .selectAll()
          .where('organization_id', '=', organizationId)
          .where('id', 'in', ids.slice(i, i + batch))
          .execute();
        for (const r of rows) found.push(toFinding(r));
      }
      return found;
    },
    async get(organizationId, id) {
      const row = await db
        .selectFrom('findings')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? null : toFinding(row);
    },
    async insertMany(findings) {
      for (let i = 0; i < findings.length; i += batch) {
        await db
          .insertInto('findings')
          .values(findings.slice(i, i + batch).map(toRow))
          .execute();
      }
    },
    async updateMany(findings) {
      for (const f of findings) await write(f);
    },
    update: (finding, expectedRevision) => write(finding, expectedRevision),
    async page(organizationId, q) {
      let base = db.selectFrom('findings').where('organization_id', '=', organizationId);
      if (q.status !== undefined && q.status.length > 0) base = base.where('status', 'in', q.status);
      if (q.severity !== undefined) base = base.where('severity', '=', q.severity);
      if (q.requirementId !== undefined) base = base.where('requirement_id', '=', q.requirementId);
      if (q.owner !== undefined) base = base.where('owner', '=', q.owner);
      if (q.recordType !== undefined) base = base.where('record_type', '=', q.recordType);
      if (q.recordId !== undefined) base = base.where('record_id', '=', q.recordId);
      const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await base
        .selectAll()
        .orderBy((eb) =>
          eb
            .case()
            .when('severity', '=', 'high')
            .then(severityRank.high)
            .when('severity', '=', 'medium')
            .then(severityRank.medium)
            .else(severityRank.low)
            .end(),
        )
        .orderBy('due_date')
        .orderBy('id')
        .offset(q.offset)
        .limit(q.limit)
        .execute();
      return { findings: rows.map(toFinding), total: Number(total.n) };
    },
    async summary(organizationId, statuses) {
      const base = db
        .selectFrom('findings')
        .where('organization_id', '=', organizationId)
        .where('status', 'in', statuses.length > 0 ? [...statuses] : ['open']);
      const severities = await base
        .select(['severity', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('severity')
        .execute();
      const owners = await base
        .select(['owner', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('owner')
        .orderBy('n', 'desc')
        .orderBy('owner')
        .execute();
      const bySeverity = severities
        .map((r) => ({ severity: r.severity as Severity, count: Number(r.n) }))
        .sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
      return {
        total: bySeverity.reduce((sum, r) => sum + r.count, 0),
        bySeverity,
        byOwner: owners.map((r) => ({ owner: r.owner, count: Number(r.n) })),
      };
    },
    async addEvents(events) {
      for (let i = 0; i < events.length; i += batch) {
        await db
          .insertInto('finding_events')
          .values(
            events.slice(i, i + batch).map((e) => ({
              organization_id: e.organizationId,
              finding_id: e.findingId,
              at: e.at,
              actor: e.actor,
              event: e.event,
              details: canonicalJson(e.details),
            })),
          )
          .execute();
      }
    },
    async events(organizationId, findingId) {
      const rows = await db
        .selectFrom('finding_events')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('finding_id', '=', findingId)
        .orderBy('at')
        .execute();
      return rows.map((r) => ({
        organizationId: r.organization_id,
        findingId: r.finding_id,
        at: r.at,
        actor: r.actor,
        event: r.event,
        details: JSON.parse(r.details) as Record<string, unknown>,
      }));
    },
  };
}
