import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migration-dialect.ts';

// Frozen in time: never edit after release; add a new dated migration instead.
// The e-trading identity gateway (Directions A36, A37). Nothing here holds a secret in the clear (A37.3): PINs are
// Argon2id PHC strings over a peppered HMAC, TOTP seeds are AES-256-GCM sealed, session tokens are SHA-256 digests.
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('client_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    // Normalized once (NFKC, half-width, case-folded, trimmed): every spelling hits this row and its counter.
    .addColumn('identifier', 'text', (c) => c.notNull())
    // A37.5: attempts started and not proven good; changed only by single atomic UPDATE … RETURNING statements.
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('client_accounts_identifier', ['organization_id', 'identifier'])
    .execute();

  await db.schema
    .createTable('client_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('client_accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('phc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Retired PINs stay (at most five in all) so a new PIN cannot repeat one of them.
    .addColumn('retired_at', 'text')
    .execute();
  await db.schema
    .createIndex('client_credentials_account')
    .on('client_credentials')
    .columns(['account_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('client_totp_devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('client_accounts.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('sealed_seed', 'text', (c) => c.notNull())
    // The last RFC 6238 time step accepted: a code is accepted once (A35.4 non-duplication).
    .addColumn('last_step', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('client_totp_devices_account').on('client_totp_devices').column('account_id').execute();

  await db.schema
    .createTable('client_device_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('client_accounts.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('biometric_gated', 'boolean', (c) => c.notNull())
    .addColumn('authenticator_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('client_device_keys_account').on('client_device_keys').column('account_id').execute();

  // Challenges live in the database, not in process memory, so any instance can serve any step.
  await db.schema
    .createTable('login_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'text')
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('session_id', 'text')
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('satisfied', 'text', (c) => c.notNull())
    .addColumn('used_credentials', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_challenges_expires').on('login_challenges').column('expires_at').execute();

  await db.schema
    .createTable('client_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('client_accounts.id'))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('authenticated_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('client_sessions_account').on('client_sessions').column('account_id').execute();

  // A37.7: every factor check, including those on identifiers that are not clients, for the daily analysis.
  await db.schema
    .createTable('login_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'text')
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('source', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('factor_kind', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_attempts_at').on('login_attempts').column('at').execute();
  await db.schema.createIndex('login_attempts_account').on('login_attempts').columns(['account_id', 'at']).execute();
  await db.schema
    .createIndex('login_attempts_identifier')
    .on('login_attempts')
    .columns(['organization_id', 'identifier', 'at'])
    .execute();
}
