import { type Evidence, type EvidenceLink, evidenceSchema } from '@ntg/contracts';
import type { EvidenceListFilter, EvidenceStore } from '@ntg/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, EvidenceLinksTable, EvidenceTable } from '../schema.ts';

function toEvidence(row: Selectable<EvidenceTable>, links: Selectable<EvidenceLinksTable>[]): Evidence {
  // Parsed through the contract: a row edited by hand into an invalid shape is an error here, not downstream.
  return evidenceSchema.parse({
    id: row.id,
    organizationId: row.organization_id,
    sha256: row.sha256,
    filename: row.filename,
    contentType: row.content_type,
    size: Number(row.size),
    description: row.description,
    effectiveDate: row.effective_date,
    expiresOn: row.expires_on,
    collectedBy: row.collected_by,
    createdAt: row.created_at,
    links: links.map(
      (l): EvidenceLink => ({
        targetType: l.target_type as EvidenceLink['targetType'],
        targetId: l.target_id,
        createdAt: l.created_at,
      }),
    ),
  });
}

export function createEvidenceStore(db: Kysely<Database>): EvidenceStore {
  /** Evidence ids of the organization, narrowed to those linked to the filter's target. */
  function idsOf(organizationId: string, filter: EvidenceListFilter) {
    let query = db.selectFrom('evidence_links').select('evidence_id').where('organization_id', '=', organizationId);
    if (filter.target !== undefined) {
      query = query.where('target_type', '=', filter.target.targetType).where('target_id', '=', filter.target.targetId);
    }
    return query;
  }

  return {
    async insert(e) {
      await db
        .insertInto('evidence')
        .values({
          organization_id: e.organizationId,
          id: e.id,
          sha256: e.sha256,
          filename: e.filename,
          content_type: e.contentType,
          size: e.size,
          description: e.description,
          effective_date: e.effectiveDate,
          expires_on: e.expiresOn,
          collected_by: e.collectedBy,
          created_at: e.createdAt,
        })
        .execute();
      if (e.links.length > 0) {
        await db
          .insertInto('evidence_links')
          .values(
            e.links.map((l) => ({
              organization_id: e.organizationId,
              evidence_id: e.id,
              target_type: l.targetType,
              target_id: l.targetId,
              created_at: l.createdAt,
            })),
          )
          .execute();
      }
    },

    async findById(organizationId, id) {
      const row = await db
        .selectFrom('evidence')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (row === undefined) return null;
      const links = await db
        .selectFrom('evidence_links')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('evidence_id', '=', id)
        .orderBy('created_at')
        .orderBy('target_type')
        .orderBy('target_id')
        .execute();
      return toEvidence(row, links);
    },

    async list(organizationId, filter = {}) {
      let rows = db.selectFrom('evidence').selectAll().where('organization_id', '=', organizationId);
      if (filter.target !== undefined) rows = rows.where('id', 'in', idsOf(organizationId, filter));
      const evidence = await rows.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
      if (evidence.length === 0) return [];
      // Every link of the listed evidence in one query (not one per row), grouped below.
      let links = db.selectFrom('evidence_links').selectAll().where('organization_id', '=', organizationId);
      if (filter.target !== undefined) links = links.where('evidence_id', 'in', idsOf(organizationId, filter));
      const linkRows = await links.orderBy('created_at').orderBy('target_type').orderBy('target_id').execute();
      const byEvidence = new Map<string, Selectable<EvidenceLinksTable>[]>();
      for (const l of linkRows) {
        const list = byEvidence.get(l.evidence_id);
        if (list === undefined) byEvidence.set(l.evidence_id, [l]);
        else list.push(l);
      }
      return evidence.map((row) => toEvidence(row, byEvidence.get(row.id) ?? []));
    },

    async addLink(organizationId, evidenceId, link) {
      const result = await db
        .insertInto('evidence_links')
        .values({
          organization_id: organizationId,
          evidence_id: evidenceId,
          target_type: link.targetType,
          target_id: link.targetId,
          created_at: link.createdAt,
        })
        // A concurrent link of the same target is not an error: the link exists either way.
        .onConflict((oc) => oc.columns(['organization_id', 'evidence_id', 'target_type', 'target_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    async removeLink(organizationId, evidenceId, target) {
      const result = await db
        .deleteFrom('evidence_links')
        .where('organization_id', '=', organizationId)
        .where('evidence_id', '=', evidenceId)
        .where('target_type', '=', target.targetType)
        .where('target_id', '=', target.targetId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
