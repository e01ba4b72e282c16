import type {
  ApprovedCa,
  ApprovedCaStore,
  ClientCertificate,
  ClientCertificateStore,
  OrderEvidence,
  OrderEvidenceStore,
  OrderSessionStore,
  OrderStores,
} from '@ntg/core';
import { canonicalJson } from '@ntg/core';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { DialectCapabilities } from '../dialect.ts';
import { rowChunks } from '../row-chunks.ts';
import type { ApprovedCasTable, ClientCertificatesTable, Database, OrderEvidenceTable } from '../schema.ts';

const bytes = (value: Uint8Array) => Buffer.from(value.buffer, value.byteOffset, value.byteLength);
const readBytes = (value: Buffer) => new Uint8Array(value);
const inserted = (result: { numInsertedOrUpdatedRows?: bigint | undefined }) =>
  (result.numInsertedOrUpdatedRows ?? 0n) > 0n;

function toApprovedCa(row: Selectable<ApprovedCasTable>): ApprovedCa {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    certificateDer: readBytes(row.certificate),
    fingerprint: row.fingerprint,
    subject: row.subject,
    notAfter: row.not_after,
    crlUrls: JSON.parse(row.crl_urls) as string[],
    ocspUrl: row.ocsp_url,
    unknownRevocation: row.unknown_revocation === 'fail-open' ? 'fail-open' : 'fail-closed',
    addedBy: row.added_by,
    addedAt: row.added_at,
    removedBy: row.removed_by,
    removedAt: row.removed_at,
  };
}

function createApprovedCaStore(db: Kysely<Database>): ApprovedCaStore {
  return {
    async insert(ca) {
      // The partial unique index (organization, fingerprint) among CAs not removed decides a duplicate.
      const result = await db
        .insertInto('approved_cas')
        .values({
          id: ca.id,
          organization_id: ca.organizationId,
          name: ca.name,
          certificate: bytes(ca.certificateDer),
          fingerprint: ca.fingerprint,
          subject: ca.subject,
          not_after: ca.notAfter,
          crl_urls: canonicalJson(ca.crlUrls),
          ocsp_url: ca.ocspUrl,
          unknown_revocation: ca.unknownRevocation,
          added_by: ca.addedBy,
          added_at: ca.addedAt,
          removed_by: ca.removedBy,
          removed_at: ca.removedAt,
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return inserted(result);
    },
    async find(organizationId, id) {
      const row = await db
        .selectFrom('approved_cas')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? null : toApprovedCa(row);
    },
    async list(organizationId, options = {}) {
      let query = db.selectFrom('approved_cas').selectAll().where('organization_id', '=', organizationId);
      if (options.includeRemoved !== true) query = query.where('removed_at', 'is', null);
      const rows = await query.orderBy('added_at').orderBy('id').execute();
      return rows.map(toApprovedCa);
    },
    async markRemoved(organizationId, id, by, at) {
      const result = await db
        .updateTable('approved_cas')
        .set({ removed_by: by, removed_at: at })
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .where('removed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

function toClientCertificate(row: Selectable<ClientCertificatesTable>): ClientCertificate {
  return {
    id: row.id,
    organizationId: row.organization_id,
    accountId: row.account_id,
    label: row.label,
    certificateDer: readBytes(row.certificate),
    fingerprint: row.fingerprint,
    subject: row.subject,
    issuer: row.issuer,
    serialNumber: row.serial_number,
    notAfter: row.not_after,
    approvedCaId: row.approved_ca_id,
    enrolledBy: row.enrolled_by,
    enrolledAt: row.enrolled_at,
    revokedBy: row.revoked_by,
    revokedAt: row.revoked_at,
  };
}

function createClientCertificateStore(db: Kysely<Database>): ClientCertificateStore {
  return {
    async insert(c) {
      const result = await db
        .insertInto('client_certificates')
        .values({
          id: c.id,
          organization_id: c.organizationId,
          account_id: c.accountId,
          label: c.label,
          certificate: bytes(c.certificateDer),
          fingerprint: c.fingerprint,
          subject: c.subject,
          issuer: c.issuer,
          serial_number: c.serialNumber,
          not_after: c.notAfter,
          approved_ca_id: c.approvedCaId,
          enrolled_by: c.enrolledBy,
          enrolled_at: c.enrolledAt,
          revoked_by: c.revokedBy,
          revoked_at: c.revokedAt,
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return inserted(result);
    },
    async find(id) {
      const row = await db.selectFrom('client_certificates').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toClientCertificate(row);
    },
    async listForAccount(accountId) {
      const rows = await db
        .selectFrom('client_certificates')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('enrolled_at')
        .orderBy('id')
        .execute();
      return rows.map(toClientCertificate);
    },
    async findBound(accountId, fingerprint) {
      const row = await db
        .selectFrom('client_certificates')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('fingerprint', '=', fingerprint)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row === undefined ? null : toClientCertificate(row);
    },
    async markRevoked(id, by, at) {
      const result = await db
        .updateTable('client_certificates')
        .set({ revoked_by: by, revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

function toEvidence(row: Selectable<OrderEvidenceTable>): OrderEvidence {
  const format = row.signature_format === 'cms' ? 'cms' : 'jws';
  return {
    organizationId: row.organization_id,
    sequence: Number(row.seq),
    orderId: row.order_id,
    accountId: row.account_id,
    sessionId: row.session_id,
    serial: Number(row.serial),
    nonce: row.nonce,
    canonicalBytes: readBytes(row.canonical_bytes),
    signature: { format, value: row.signature_value },
    signerCertificateDer: readBytes(row.signer_certificate),
    signerFingerprint: row.signer_fingerprint,
    verification: JSON.parse(row.verification) as Record<string, unknown>,
    acceptedAt: row.accepted_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function evidenceRow(row: OrderEvidence) {
  return {
    organization_id: row.organizationId,
    seq: row.sequence,
    order_id: row.orderId,
    account_id: row.accountId,
    session_id: row.sessionId,
    serial: row.serial,
    nonce: row.nonce,
    canonical_bytes: bytes(row.canonicalBytes),
    signature_format: row.signature.format,
    signature_value: row.signature.value,
    signer_certificate: bytes(row.signerCertificateDer),
    signer_fingerprint: row.signerFingerprint,
    verification: canonicalJson(row.verification),
    accepted_at: row.acceptedAt,
    prev_hash: row.prevHash,
    hash: row.hash,
  };
}

function createOrderEvidenceStore(db: Kysely<Database>, dialect: DialectCapabilities): OrderEvidenceStore {
  return {
    async lockHead(organizationId) {
      // The head row is the chain's lock: writers on several instances queue on it (ADR 0014, as ADR 0005).
      await db
        .insertInto('order_evidence_heads')
        .values({ organization_id: organizationId, seq: 0, hash: '' })
        .onConflict((oc) => oc.column('organization_id').doNothing())
        .execute();
      const row = await dialect
        .forUpdate(
          db.selectFrom('order_evidence_heads').select(['seq', 'hash']).where('organization_id', '=', organizationId),
        )
        .executeTakeFirstOrThrow();
      return Number(row.seq) === 0 ? null : { sequence: Number(row.seq), hash: row.hash };
    },
    async acceptedNonces(organizationId, nonces) {
      const found = new Set<string>();
      for (const chunk of rowChunks([...new Set(nonces)])) {
        const rows = await db
          .selectFrom('order_evidence')
          .select('nonce')
          .where('organization_id', '=', organizationId)
          .where('nonce', 'in', chunk)
          .execute();
        for (const r of rows) found.add(r.nonce);
      }
      return found;
    },
    async appendMany(rows) {
      const last = rows.at(-1);
      if (last === undefined) return;
      // No ON CONFLICT here: a nonce accepted before makes the insert, and the transaction, fail (A35.4).
      for (const chunk of rowChunks(rows)) {
        await db.insertInto('order_evidence').values(chunk.map(evidenceRow)).execute();
      }
      await db
        .updateTable('order_evidence_heads')
        .set({ seq: last.sequence, hash: last.hash })
        .where('organization_id', '=', last.organizationId)
        .execute();
    },
    async head(organizationId) {
      const row = await db
        .selectFrom('order_evidence_heads')
        .select(['seq', 'hash'])
        .where('organization_id', '=', organizationId)
        .executeTakeFirst();
      return row === undefined || Number(row.seq) === 0 ? null : { sequence: Number(row.seq), hash: row.hash };
    },
    async page(organizationId, afterSequence, limit, range = {}) {
      let query = db
        .selectFrom('order_evidence')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('seq', '>', afterSequence);
      if (range.from !== undefined) query = query.where('accepted_at', '>=', range.from);
      if (range.to !== undefined) query = query.where('accepted_at', '<', range.to);
      const rows = await query.orderBy('seq').limit(limit).execute();
      return rows.map(toEvidence);
    },
    async findBySequence(organizationId, sequence) {
      const row = await db
        .selectFrom('order_evidence')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('seq', '=', sequence)
        .executeTakeFirst();
      return row === undefined ? null : toEvidence(row);
    },
    async search(q) {
      let query = db.selectFrom('order_evidence').selectAll().where('organization_id', '=', q.organizationId);
      if (q.accountId !== undefined) query = query.where('account_id', '=', q.accountId);
      if (q.from !== undefined) query = query.where('accepted_at', '>=', q.from);
      if (q.to !== undefined) query = query.where('accepted_at', '<', q.to);
      const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute();
      return rows.map(toEvidence);
    },
  };
}

function createOrderSessionStore(db: Kysely<Database>): OrderSessionStore {
  return {
    async sealedMacKey(sessionId) {
      const row = await db
        .selectFrom('client_sessions')
        .select('order_mac_key')
        .where('id', '=', sessionId)
        .executeTakeFirst();
      return row?.order_mac_key ?? null;
    },
    async advanceSerials(updates) {
      // A35.4: one conditional UPDATE for several sessions, so two orders of one session can never both move its serial
      // to one value: each row moves only when its new serial is above the stored one, and the count tells whether
      // every one did.
      let moved = 0;
      for (const chunk of rowChunks(updates)) {
        const next = sql<number>`case ${sql.join(
          chunk.map((u) => sql`when ${sql.ref('id')} = ${u.sessionId} then cast(${u.serial} as bigint)`),
          sql` `,
        )} end`;
        const result = await db
          .updateTable('client_sessions')
          .set({ last_order_serial: next })
          .where(
            'id',
            'in',
            chunk.map((u) => u.sessionId),
          )
          .where((eb) => eb.or([eb('last_order_serial', 'is', null), eb('last_order_serial', '<', next)]))
          .executeTakeFirst();
        moved += Number(result.numUpdatedRows);
      }
      return moved === updates.length;
    },
    async lastSerials(sessionIds) {
      const serials = new Map<string, number | null>();
      for (const chunk of rowChunks([...new Set(sessionIds)])) {
        const rows = await db
          .selectFrom('client_sessions')
          .select(['id', 'last_order_serial'])
          .where('id', 'in', chunk)
          .execute();
        for (const r of rows) serials.set(r.id, r.last_order_serial === null ? null : Number(r.last_order_serial));
      }
      return serials;
    },
  };
}

/** The signed-order stores, bound to one connection or transaction. */
export function createOrderStores(db: Kysely<Database>, dialect: DialectCapabilities): OrderStores {
  return {
    approvedCas: createApprovedCaStore(db),
    clientCertificates: createClientCertificateStore(db),
    evidence: createOrderEvidenceStore(db, dialect),
    sessions: createOrderSessionStore(db),
  };
}
