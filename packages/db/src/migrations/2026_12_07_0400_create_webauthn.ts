import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migration-dialect.ts';

// Frozen in time: never edit after release; add a new dated migration instead.
// WebAuthn credentials of gateway clients and console users (ADR 0016): public keys only, the signature counter
// advanced by conditional updates, and the challenges of ceremonies in progress, each taken once.
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('webauthn_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    // The authenticator's credential id, base64url: one credential belongs to one subject only.
    .addColumn('credential_id', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('sign_counter', 'bigint', (c) => c.notNull())
    .addColumn('aaguid', 'text', (c) => c.notNull())
    // JSON array of text.
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('backup_eligible', 'boolean', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('suspended_at', 'text')
    .addColumn('suspended_reason', 'text')
    .execute();
  await db.schema
    .createIndex('webauthn_credentials_subject')
    .on('webauthn_credentials')
    .columns(['subject_kind', 'subject_id'])
    .execute();

  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('challenge', 'text', (c) => c.primaryKey())
    .addColumn('ceremony', 'text', (c) => c.notNull())
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webauthn_challenges_expiry').on('webauthn_challenges').column('expires_at').execute();
}
