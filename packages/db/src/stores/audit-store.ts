import type { AuditEntry, AuditStore } from '@ntg/core';
import { canonicalJson } from '@ntg/core';
import type { Kysely, Selectable } from 'kysely';
import type { DialectCapabilities } from '../dialect.ts';
import { rowChunks } from '../row-chunks.ts';
import type { AuditEntriesTable, Database } from '../schema.ts';

function toEntry(row: Selectable<AuditEntriesTable>): AuditEntry {
  return {
    organizationId: row.organization_id,
    seq: Number(row.seq),
    at: row.at,
    actor: { type: row.actor_type as AuditEntry['actor']['type'], id: row.actor_id },
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    source: row.source,
    outcome: row.outcome as AuditEntry['outcome'],
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
    mac: row.mac,
  };
}

export function createAuditStore(db: Kysely<Database>, dialect: DialectCapabilities): AuditStore {
  /** One multi-row insert and one move of the head: consecutive entries of one organization, in chain order. */
  async function appendEntries(entries: readonly AuditEntry[]): Promise<void> {
    const last = entries.at(-1);
    if (last === undefined) return;
    for (const chunk of rowChunks(entries)) {
      await db
        .insertInto('audit_entries')
        .values(
          chunk.map((entry) => ({
            organization_id: entry.organizationId,
            seq: entry.seq,
            at: entry.at,
            actor_type: entry.actor.type,
            actor_id: entry.actor.id,
            action: entry.action,
            object_type: entry.objectType,
            object_id: entry.objectId,
            source: entry.source,
            outcome: entry.outcome,
            details: canonicalJson(entry.details),
            prev_hash: entry.prevHash,
            hash: entry.hash,
            mac: entry.mac,
          })),
        )
        .execute();
    }
    await db
      .updateTable('audit_heads')
      .set({ seq: last.seq, hash: last.hash })
      .where('organization_id', '=', last.organizationId)
      .execute();
  }

  return {
    async lockHead(organizationId) {
      // The head row is the chain's lock: concurrent writers on several instances queue on it.
      await db
        .insertInto('audit_heads')
        .values({ organization_id: organizationId, seq: 0, hash: '' })
        .onConflict((oc) => oc.column('organization_id').doNothing())
        .execute();
      const row = await dialect
        .forUpdate(db.selectFrom('audit_heads').select(['seq', 'hash']).where('organization_id', '=', organizationId))
        .executeTakeFirstOrThrow();
      return Number(row.seq) === 0 ? null : { seq: Number(row.seq), hash: row.hash };
    },
    async append(entry) {
      await appendEntries([entry]);
    },
    async appendMany(entries) {
      await appendEntries(entries);
    },
    async head(organizationId) {
      const row = await db
        .selectFrom('audit_heads')
        .select(['seq', 'hash'])
        .where('organization_id', '=', organizationId)
        .executeTakeFirst();
      return row === undefined || Number(row.seq) === 0 ? null : { seq: Number(row.seq), hash: row.hash };
    },
    async page(organizationId, afterSeq, limit) {
      const rows = await db
        .selectFrom('audit_entries')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toEntry);
    },
    async search(q) {
      let query = db.selectFrom('audit_entries').selectAll().where('organization_id', '=', q.organizationId);
      if (q.actorId !== undefined) query = query.where('actor_id', '=', q.actorId);
      if (q.action !== undefined) query = query.where('action', '=', q.action);
      if (q.objectType !== undefined) query = query.where('object_type', '=', q.objectType);
      if (q.objectId !== undefined) query = query.where('object_id', '=', q.objectId);
      if (q.from !== undefined) query = query.where('at', '>=', q.from);
      if (q.to !== undefined) query = query.where('at', '<', q.to);
      const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute();
      return rows.map(toEntry);
    },
  };
}
