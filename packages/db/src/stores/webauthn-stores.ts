import type {
  WebauthnChallenge,
  WebauthnChallengeStore,
  WebauthnCredential,
  WebauthnCredentialStore,
  WebauthnStores,
} from '@ntg/core';
import { canonicalJson } from '@ntg/core';
import type { Kysely, Selectable } from 'kysely';
import { readBool, writeBool } from '../dialect.ts';
import type { Database, WebauthnChallengesTable, WebauthnCredentialsTable } from '../schema.ts';

function toCredential(row: Selectable<WebauthnCredentialsTable>): WebauthnCredential {
  return {
    id: row.id,
    subjectKind: row.subject_kind === 'console-user' ? 'console-user' : 'client-account',
    subjectId: row.subject_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    counter: Number(row.sign_counter),
    aaguid: row.aaguid,
    transports: JSON.parse(row.transports) as string[],
    backupEligible: readBool(row.backup_eligible),
    label: row.label,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    suspendedAt: row.suspended_at,
    suspendedReason: row.suspended_reason,
  };
}

function toChallenge(row: Selectable<WebauthnChallengesTable>): WebauthnChallenge {
  return {
    challenge: row.challenge,
    ceremony: row.ceremony === 'registration' ? 'registration' : 'authentication',
    subjectKind: row.subject_kind === 'console-user' ? 'console-user' : 'client-account',
    subjectId: row.subject_id,
    sessionId: row.session_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function createWebauthnCredentialStore(db: Kysely<Database>): WebauthnCredentialStore {
  return {
    async insert(c) {
      await db
        .insertInto('webauthn_credentials')
        .values({
          id: c.id,
          subject_kind: c.subjectKind,
          subject_id: c.subjectId,
          credential_id: c.credentialId,
          public_key: c.publicKey,
          sign_counter: c.counter,
          aaguid: c.aaguid,
          transports: canonicalJson(c.transports),
          backup_eligible: writeBool(c.backupEligible),
          label: c.label,
          created_at: c.createdAt,
          last_used_at: c.lastUsedAt,
          suspended_at: c.suspendedAt,
          suspended_reason: c.suspendedReason,
        })
        .execute();
    },
    async findByCredentialId(credentialId) {
      const row = await db
        .selectFrom('webauthn_credentials')
        .selectAll()
        .where('credential_id', '=', credentialId)
        .executeTakeFirst();
      return row === undefined ? null : toCredential(row);
    },
    async listForSubject(kind, subjectId) {
      const rows = await db
        .selectFrom('webauthn_credentials')
        .selectAll()
        .where('subject_kind', '=', kind)
        .where('subject_id', '=', subjectId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toCredential);
    },
    async advanceCounter(id, counter, at) {
      // One conditional UPDATE: of two assertions carrying the same counter, exactly one moves it (a counter of 0
      // stays 0 for authenticators that do not count; their replay protection is the single-use challenge).
      const row = await db
        .updateTable('webauthn_credentials')
        .set({ sign_counter: counter, last_used_at: at })
        .where('id', '=', id)
        .where('suspended_at', 'is', null)
        .where((eb) => (counter === 0 ? eb('sign_counter', '=', 0) : eb('sign_counter', '<', counter)))
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async suspend(id, at, reason) {
      const row = await db
        .updateTable('webauthn_credentials')
        .set({ suspended_at: at, suspended_reason: reason })
        .where('id', '=', id)
        .where('suspended_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

export function createWebauthnChallengeStore(db: Kysely<Database>): WebauthnChallengeStore {
  return {
    async insert(c) {
      await db
        .insertInto('webauthn_challenges')
        .values({
          challenge: c.challenge,
          ceremony: c.ceremony,
          subject_kind: c.subjectKind,
          subject_id: c.subjectId,
          session_id: c.sessionId,
          created_at: c.createdAt,
          expires_at: c.expiresAt,
        })
        .execute();
    },
    async take(challenge) {
      // DELETE … RETURNING: single use is the database's decision, on one instance or many.
      const row = await db
        .deleteFrom('webauthn_challenges')
        .where('challenge', '=', challenge)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? null : toChallenge(row);
    },
    async purgeExpired(now) {
      const result = await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export function createWebauthnStores(db: Kysely<Database>): WebauthnStores {
  return { credentials: createWebauthnCredentialStore(db), challenges: createWebauthnChallengeStore(db) };
}
