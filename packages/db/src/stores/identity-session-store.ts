import type { ActiveSession, AuthenticatedAt, SessionStore } from '@ntg/core';
import { canonicalJson } from '@ntg/core';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Gateway sessions, found by the SHA-256 of their token; the token itself is never stored (A37.3). */
export function createSessionStore(db: Kysely<Database>): SessionStore {
  return {
    async insert(s) {
      await db
        .insertInto('client_sessions')
        .values({
          id: s.id,
          account_id: s.accountId,
          organization_id: s.organizationId,
          token_hash: s.tokenHash,
          authenticated_at: canonicalJson(s.authenticatedAt),
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          expires_at: s.expiresAt,
          revoked_at: s.revokedAt,
          order_mac_key: s.orderMacKeySealed ?? null,
        })
        .execute();
    },
    async findByTokenHash(tokenHash) {
      const row = await db
        .selectFrom('client_sessions as s')
        .innerJoin('client_accounts as a', 'a.id', 's.account_id')
        .selectAll('s')
        .select(['a.identifier', 'a.locked_at as account_locked_at'])
        .where('s.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (row === undefined) return null;
      const session: ActiveSession = {
        id: row.id,
        accountId: row.account_id,
        organizationId: row.organization_id,
        tokenHash: row.token_hash,
        authenticatedAt: JSON.parse(row.authenticated_at) as AuthenticatedAt,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        expiresAt: row.expires_at,
        revokedAt: row.revoked_at,
        identifier: row.identifier,
        accountLockedAt: row.account_locked_at,
      };
      return session;
    },
    async touch(id, at) {
      await db.updateTable('client_sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
    },
    async setAuthenticatedAt(id, authenticatedAt) {
      await db
        .updateTable('client_sessions')
        .set({ authenticated_at: canonicalJson(authenticatedAt) })
        .where('id', '=', id)
        .execute();
    },
    async revoke(id, at) {
      await db
        .updateTable('client_sessions')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async revokeAllForAccount(accountId, at) {
      const result = await db
        .updateTable('client_sessions')
        .set({ revoked_at: at })
        .where('account_id', '=', accountId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
