import type { AuthenticatedAt, ChallengeRecord, ChallengeStore } from '@ntg/core';
import { canonicalJson } from '@ntg/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, LoginChallengesTable } from '../schema.ts';

function toChallenge(row: Selectable<LoginChallengesTable>): ChallengeRecord {
  return {
    id: row.id,
    purpose: row.purpose === 'step-up' ? 'step-up' : 'login',
    organizationId: row.organization_id,
    identifier: row.identifier,
    accountId: row.account_id,
    sessionId: row.session_id,
    nonce: row.nonce,
    satisfied: JSON.parse(row.satisfied) as AuthenticatedAt,
    usedCredentialIds: JSON.parse(row.used_credentials) as string[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function createChallengeStore(db: Kysely<Database>): ChallengeStore {
  return {
    async insert(c) {
      await db
        .insertInto('login_challenges')
        .values({
          id: c.id,
          purpose: c.purpose,
          organization_id: c.organizationId,
          identifier: c.identifier,
          account_id: c.accountId,
          session_id: c.sessionId,
          nonce: c.nonce,
          satisfied: canonicalJson(c.satisfied),
          used_credentials: canonicalJson(c.usedCredentialIds),
          created_at: c.createdAt,
          expires_at: c.expiresAt,
        })
        .execute();
    },
    async find(id) {
      const row = await db.selectFrom('login_challenges').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toChallenge(row);
    },
    async take(id) {
      // DELETE … RETURNING: single use is the database's decision, on one instance or many.
      const row = await db.deleteFrom('login_challenges').where('id', '=', id).returningAll().executeTakeFirst();
      return row === undefined ? null : toChallenge(row);
    },
    async purgeExpired(now) {
      const result = await db.deleteFrom('login_challenges').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
