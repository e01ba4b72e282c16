import type { CredentialStore, StoredCredential } from '@ntg/core';
import type { Kysely, Selectable } from 'kysely';
import type { ClientCredentialsTable, Database } from '../schema.ts';

function toCredential(row: Selectable<ClientCredentialsTable>): StoredCredential {
  return {
    id: row.id,
    accountId: row.account_id,
    kind: 'pin',
    phc: row.phc,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  };
}

/** PINs as Argon2id PHC strings (A36.2, A37.3); the current one has no `retired_at`. */
export function createCredentialStore(db: Kysely<Database>): CredentialStore {
  return {
    async insert(c) {
      await db
        .insertInto('client_credentials')
        .values({
          id: c.id,
          account_id: c.accountId,
          kind: c.kind,
          phc: c.phc,
          created_at: c.createdAt,
          retired_at: c.retiredAt,
        })
        .execute();
    },
    async current(accountId) {
      const row = await db
        .selectFrom('client_credentials')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('retired_at', 'is', null)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? null : toCredential(row);
    },
    async recent(accountId, limit) {
      const rows = await db
        .selectFrom('client_credentials')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toCredential);
    },
    async retire(id, at) {
      await db.updateTable('client_credentials').set({ retired_at: at }).where('id', '=', id).execute();
    },
    async replaceHash(id, phc) {
      await db.updateTable('client_credentials').set({ phc }).where('id', '=', id).execute();
    },
    async pruneHistory(accountId, keep) {
      // Keeps the current PIN and the newest keep-1 retired ones: the current one is never pruned, whatever the
      // order of equal timestamps.
      await db
        .deleteFrom('client_credentials')
        .where('account_id', '=', accountId)
        .where('retired_at', 'is not', null)
        .where('id', 'not in', (eb) =>
          eb
            .selectFrom('client_credentials')
            .select('id')
            .where('account_id', '=', accountId)
            .where('retired_at', 'is not', null)
            .orderBy('retired_at', 'desc')
            .orderBy('created_at', 'desc')
            .orderBy('id', 'desc')
            .limit(Math.max(0, keep - 1)),
        )
        .execute();
    },
  };
}
