import type { ClientAccount, ClientAccountStore } from '@ntg/core';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { DialectCapabilities } from '../dialect.ts';
import type { ClientAccountsTable, Database } from '../schema.ts';

function toAccount(row: Selectable<ClientAccountsTable>): ClientAccount {
  return {
    id: row.id,
    organizationId: row.organization_id,
    identifier: row.identifier,
    failedAttempts: Number(row.failed_attempts),
    lockedAt: row.locked_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Client accounts. The lockout counter (A37.5) changes only through single UPDATE … RETURNING statements whose
 * WHERE clause carries the whole rule, so the database, not a read-then-write in the application, decides under
 * concurrency. Both SQLite (3.35 and later) and PostgreSQL support RETURNING, so no dialect capability is needed.
 */
export function createClientAccountStore(db: Kysely<Database>, dialect: DialectCapabilities): ClientAccountStore {
  return {
    async insert(a) {
      await db
        .insertInto('client_accounts')
        .values({
          id: a.id,
          organization_id: a.organizationId,
          identifier: a.identifier,
          failed_attempts: a.failedAttempts,
          locked_at: a.lockedAt,
          created_at: a.createdAt,
          updated_at: a.updatedAt,
        })
        .execute();
    },
    async findById(id) {
      const row = await db.selectFrom('client_accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toAccount(row);
    },
    async findForUpdate(id) {
      const row = await dialect
        .forUpdate(db.selectFrom('client_accounts').selectAll().where('id', '=', id))
        .executeTakeFirst();
      return row === undefined ? null : toAccount(row);
    },
    async findByIdentifier(organizationId, identifier) {
      const row = await db
        .selectFrom('client_accounts')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('identifier', '=', identifier)
        .executeTakeFirst();
      return row === undefined ? null : toAccount(row);
    },
    async reserveAttempt(id, limit, at) {
      const row = await db
        .updateTable('client_accounts')
        .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1), updated_at: at }))
        .where('id', '=', id)
        .where('locked_at', 'is', null)
        .where('failed_attempts', '<', limit)
        .returning('failed_attempts')
        .executeTakeFirst();
      return row === undefined ? null : Number(row.failed_attempts);
    },
    async releaseAttempt(id, at) {
      // Never below zero: a whole login on another request may have reset the counter meanwhile.
      const row = await db
        .updateTable('client_accounts')
        .set({
          failed_attempts: sql<number>`case when failed_attempts > 0 then failed_attempts - 1 else 0 end`,
          updated_at: at,
        })
        .where('id', '=', id)
        .where('locked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async resetAttempts(id, at) {
      const row = await db
        .updateTable('client_accounts')
        .set({ failed_attempts: 0, updated_at: at })
        .where('id', '=', id)
        .where('locked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async lockIfExhausted(id, threshold, at) {
      const row = await db
        .updateTable('client_accounts')
        .set({ locked_at: at, updated_at: at })
        .where('id', '=', id)
        .where('locked_at', 'is', null)
        .where('failed_attempts', '>=', threshold)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async unlock(id, at) {
      const row = await db
        .updateTable('client_accounts')
        .set({ locked_at: null, failed_attempts: 0, updated_at: at })
        .where('id', '=', id)
        .where('locked_at', 'is not', null)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
