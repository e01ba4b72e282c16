import { factorKindSchema } from '@ntg/contracts';
import type { AttemptOutcome, AttemptPurpose, LoginAttempt, LoginAttemptStore } from '@ntg/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, LoginAttemptsTable } from '../schema.ts';

function toAttempt(row: Selectable<LoginAttemptsTable>): LoginAttempt {
  return {
    id: row.id,
    at: row.at,
    organizationId: row.organization_id,
    identifier: row.identifier,
    accountId: row.account_id,
    source: row.source,
    purpose: row.purpose as AttemptPurpose,
    factorKind: factorKindSchema.parse(row.factor_kind),
    outcome: row.outcome as AttemptOutcome,
  };
}

/** Every factor check at the gateway, for the daily analysis of A37.7 (failures, and identifiers that are not clients). */
export function createLoginAttemptStore(db: Kysely<Database>): LoginAttemptStore {
  return {
    async record(a) {
      await db
        .insertInto('login_attempts')
        .values({
          id: a.id,
          at: a.at,
          organization_id: a.organizationId,
          identifier: a.identifier,
          account_id: a.accountId,
          source: a.source,
          purpose: a.purpose,
          factor_kind: a.factorKind,
          outcome: a.outcome,
        })
        .execute();
    },
    async list(q) {
      let query = db.selectFrom('login_attempts').selectAll();
      if (q.from !== undefined) query = query.where('at', '>=', q.from);
      if (q.to !== undefined) query = query.where('at', '<', q.to);
      if (q.accountId !== undefined) query = query.where('account_id', '=', q.accountId);
      if (q.identifier !== undefined) query = query.where('identifier', '=', q.identifier);
      if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
      const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
      return rows.map(toAttempt);
    },
  };
}
