import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from '../migration-dialect.ts';

// Frozen in time: never edit after release; add a new dated migration instead.
// Signed orders (Directions A35, A36.5; docs/adr/0014): approved CAs, certificates bound to client accounts, the
// hash-chained evidence log with its head row, and the order side of gateway sessions.
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const bytes = dialect === 'postgres' ? sql`bytea` : sql`blob`;

  await db.schema
    .createTable('approved_cas')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('certificate', bytes, (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('not_after', 'text', (c) => c.notNull())
    // JSON array of text.
    .addColumn('crl_urls', 'text', (c) => c.notNull())
    .addColumn('ocsp_url', 'text')
    .addColumn('unknown_revocation', 'text', (c) => c.notNull().defaultTo('fail-closed'))
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('removed_by', 'text')
    .addColumn('removed_at', 'text')
    .execute();
  // Soft removal keeps a removed CA for re-verifying old orders; the same CA may be approved again afterwards.
  await db.schema
    .createIndex('approved_cas_fingerprint')
    .on('approved_cas')
    .columns(['organization_id', 'fingerprint'])
    .unique()
    .where(sql.ref('removed_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('client_certificates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references('client_accounts.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('certificate', bytes, (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('serial_number', 'text', (c) => c.notNull())
    .addColumn('not_after', 'text', (c) => c.notNull())
    .addColumn('approved_ca_id', 'text', (c) => c.notNull().references('approved_cas.id'))
    .addColumn('enrolled_by', 'text', (c) => c.notNull())
    .addColumn('enrolled_at', 'text', (c) => c.notNull())
    .addColumn('revoked_by', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  // One live binding per certificate in an organization: a certificate signs for one client.
  await db.schema
    .createIndex('client_certificates_fingerprint')
    .on('client_certificates')
    .columns(['organization_id', 'fingerprint'])
    .unique()
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('client_certificates_account')
    .on('client_certificates')
    .columns(['account_id', 'fingerprint'])
    .execute();

  await db.schema
    .createTable('order_evidence')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull().unique())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('serial', 'bigint', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('canonical_bytes', bytes, (c) => c.notNull())
    .addColumn('signature_format', 'text', (c) => c.notNull())
    .addColumn('signature_value', 'text', (c) => c.notNull())
    .addColumn('signer_certificate', bytes, (c) => c.notNull())
    .addColumn('signer_fingerprint', 'text', (c) => c.notNull())
    .addColumn('verification', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_evidence_pk', ['organization_id', 'seq'])
    // A35.4: a nonce is accepted once per organization, ever; the database decides between concurrent duplicates.
    .addUniqueConstraint('order_evidence_nonce', ['organization_id', 'nonce'])
    .execute();
  await db.schema
    .createIndex('order_evidence_accepted')
    .on('order_evidence')
    .columns(['organization_id', 'accepted_at'])
    .execute();
  await db.schema
    .createIndex('order_evidence_account')
    .on('order_evidence')
    .columns(['organization_id', 'account_id', 'accepted_at'])
    .execute();

  await db.schema
    .createTable('order_evidence_heads')
    .addColumn('organization_id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  // A35.2: the session's order MAC key, sealed; A35.4: the last serial accepted in the session.
  await db.schema.alterTable('client_sessions').addColumn('order_mac_key', 'text').execute();
  await db.schema.alterTable('client_sessions').addColumn('last_order_serial', 'bigint').execute();

  // Defence in depth, as for the audit trail: accepted orders are never changed or deleted by the application.
  // The hash chain and the signatures still detect changes by anyone who drops these triggers.
  if (dialect === 'sqlite') {
    await sql`create trigger order_evidence_no_update before update on order_evidence
      begin select raise(abort, 'order evidence is append-only'); end`.execute(db);
    await sql`create trigger order_evidence_no_delete before delete on order_evidence
      begin select raise(abort, 'order evidence is append-only'); end`.execute(db);
  } else {
    await sql`create function order_evidence_append_only() returns trigger language plpgsql as $$
      begin raise exception 'order evidence is append-only'; end $$`.execute(db);
    await sql`create trigger order_evidence_no_change before update or delete on order_evidence
      for each row execute function order_evidence_append_only()`.execute(db);
  }
}
