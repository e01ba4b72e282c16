import type { Attestation, AttestationStore } from '@ntg/core';
import { canonicalJson } from '@ntg/core';
import type { Kysely, Selectable } from 'kysely';
import type { AttestationsTable, Database } from '../schema.ts';

function toAttestation(r: Selectable<AttestationsTable>): Attestation {
  return {
    organizationId: r.organization_id,
    id: r.id,
    nodeId: r.node_id,
    answer: r.answer as Attestation['answer'],
    statement: r.statement,
    evidenceIds: JSON.parse(r.evidence_ids) as string[],
    attestedBy: r.attested_by,
    attestedAt: r.attested_at,
    expiresOn: r.expires_on,
  };
}

export function createAttestationStore(db: Kysely<Database>): AttestationStore {
  return {
    async insert(a) {
      await db
        .insertInto('attestations')
        .values({
          organization_id: a.organizationId,
          id: a.id,
          node_id: a.nodeId,
          answer: a.answer,
          statement: a.statement,
          evidence_ids: canonicalJson(a.evidenceIds),
          attested_by: a.attestedBy,
          attested_at: a.attestedAt,
          expires_on: a.expiresOn,
        })
        .execute();
    },
    async latestByNode(organizationId) {
      const rows = await db
        .selectFrom('attestations')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .orderBy('attested_at')
        .orderBy('id')
        .execute();
      const latest = new Map<string, Attestation>();
      for (const r of rows) latest.set(r.node_id, toAttestation(r));
      return latest;
    },
    async history(organizationId, nodeId) {
      const rows = await db
        .selectFrom('attestations')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('node_id', '=', nodeId)
        .orderBy('attested_at', 'desc')
        .execute();
      return rows.map(toAttestation);
    },
  };
}
