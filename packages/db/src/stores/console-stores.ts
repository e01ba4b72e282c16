import type { ConsoleLocale, ConsoleRole } from '@ntg/contracts';
import type {
  ConsoleLinkKind,
  ConsoleLinkRow,
  ConsoleSessionRow,
  ConsoleSessionStage,
  ConsoleStores,
  ConsoleUserPatch,
  ConsoleUserRow,
} from '@ntg/core';
import { type Kysely, type Selectable, sql } from 'kysely';
import { readBool, writeBool } from '../dialect.ts';
import type { ConsoleSessionsTable, ConsoleUsersTable, Database } from '../schema.ts';

function textList(value: string): string[] {
  const parsed: unknown = JSON.parse(value);
  return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
}

function toUser(row: Selectable<ConsoleUsersTable>): ConsoleUserRow {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role as ConsoleRole,
    locale: row.locale as ConsoleLocale,
    ownerNames: textList(row.owner_names),
    organizationIds: textList(row.organization_ids),
    passwordHash: row.password_hash,
    passwordChangedAt: row.password_changed_at,
    totpSealedSeed: row.totp_sealed_seed,
    totpPendingSeed: row.totp_pending_seed,
    totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
    failedAttempts: Number(row.failed_attempts),
    lockedAt: row.locked_at,
    disabled: readBool(row.disabled),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toSession(row: Selectable<ConsoleSessionsTable>): ConsoleSessionRow {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    userId: row.user_id,
    stage: row.stage as ConsoleSessionStage,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    idleExpiresAt: row.idle_expires_at,
    expiresAt: row.expires_at,
  };
}

type UserColumns = Partial<Omit<ConsoleUsersTable, 'failed_attempts'>>;

function patchColumns(patch: ConsoleUserPatch): UserColumns {
  const columns: UserColumns = { updated_at: patch.updatedAt };
  if (patch.displayName !== undefined) columns.display_name = patch.displayName;
  if (patch.role !== undefined) columns.role = patch.role;
  if (patch.locale !== undefined) columns.locale = patch.locale;
  if (patch.ownerNames !== undefined) columns.owner_names = JSON.stringify(patch.ownerNames);
  if (patch.organizationIds !== undefined) columns.organization_ids = JSON.stringify(patch.organizationIds);
  if (patch.passwordHash !== undefined) columns.password_hash = patch.passwordHash;
  if (patch.passwordChangedAt !== undefined) columns.password_changed_at = patch.passwordChangedAt;
  if (patch.totpSealedSeed !== undefined) columns.totp_sealed_seed = patch.totpSealedSeed;
  if (patch.totpPendingSeed !== undefined) columns.totp_pending_seed = patch.totpPendingSeed;
  if (patch.totpLastStep !== undefined) columns.totp_last_step = patch.totpLastStep;
  if (patch.disabled !== undefined) columns.disabled = writeBool(patch.disabled);
  return columns;
}

/**
 * Console users, sessions and one-time links. The attempt counter, the TOTP step and link spending each change in
 * one conditional UPDATE whose WHERE clause carries the rule, so concurrent requests on several instances cannot
 * both win (A37.5 lockout, A35.4 a code used once, a link used once).
 */
export function createConsoleStores(db: Kysely<Database>): ConsoleStores {
  return {
    users: {
      async count() {
        const row = await db
          .selectFrom('console_users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        return Number(row.n);
      },
      async findById(id) {
        const row = await db.selectFrom('console_users').selectAll().where('id', '=', id).executeTakeFirst();
        return row === undefined ? null : toUser(row);
      },
      async findByEmail(email) {
        const row = await db.selectFrom('console_users').selectAll().where('email', '=', email).executeTakeFirst();
        return row === undefined ? null : toUser(row);
      },
      async list() {
        const rows = await db.selectFrom('console_users').selectAll().orderBy('email').execute();
        return rows.map(toUser);
      },
      async insert(u) {
        await db
          .insertInto('console_users')
          .values({
            id: u.id,
            email: u.email,
            display_name: u.displayName,
            role: u.role,
            locale: u.locale,
            owner_names: JSON.stringify(u.ownerNames),
            organization_ids: JSON.stringify(u.organizationIds),
            password_hash: u.passwordHash,
            password_changed_at: u.passwordChangedAt,
            totp_sealed_seed: u.totpSealedSeed,
            totp_pending_seed: u.totpPendingSeed,
            totp_last_step: u.totpLastStep,
            failed_attempts: u.failedAttempts,
            locked_at: u.lockedAt,
            disabled: writeBool(u.disabled),
            created_at: u.createdAt,
            updated_at: u.updatedAt,
          })
          .execute();
      },
      async update(id, patch) {
        await db.updateTable('console_users').set(patchColumns(patch)).where('id', '=', id).execute();
      },
      async reserveAttempt(id, max) {
        const row = await db
          .updateTable('console_users')
          .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
          .where('id', '=', id)
          .where('locked_at', 'is', null)
          .where('disabled', '=', writeBool(false))
          .where('failed_attempts', '<', max)
          .returning('failed_attempts')
          .executeTakeFirst();
        return row === undefined ? null : Number(row.failed_attempts);
      },
      async releaseAttempt(id) {
        await db
          .updateTable('console_users')
          .set({ failed_attempts: sql<number>`case when failed_attempts > 0 then failed_attempts - 1 else 0 end` })
          .where('id', '=', id)
          .execute();
      },
      async resetAttempts(id) {
        await db.updateTable('console_users').set({ failed_attempts: 0 }).where('id', '=', id).execute();
      },
      async lock(id, at) {
        await db
          .updateTable('console_users')
          .set({ locked_at: at, updated_at: at })
          .where('id', '=', id)
          .where('locked_at', 'is', null)
          .execute();
      },
      async unlock(id, at) {
        const row = await db
          .updateTable('console_users')
          .set({ locked_at: null, failed_attempts: 0, updated_at: at })
          .where('id', '=', id)
          .where('locked_at', 'is not', null)
          .returning('id')
          .executeTakeFirst();
        return row !== undefined;
      },
      async claimTotpStep(id, step) {
        const row = await db
          .updateTable('console_users')
          .set({ totp_last_step: step })
          .where('id', '=', id)
          .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
          .returning('id')
          .executeTakeFirst();
        return row !== undefined;
      },
    },
    sessions: {
      async insert(s) {
        await db
          .insertInto('console_sessions')
          .values({
            id: s.id,
            token_hash: s.tokenHash,
            user_id: s.userId,
            stage: s.stage,
            created_at: s.createdAt,
            last_seen_at: s.lastSeenAt,
            idle_expires_at: s.idleExpiresAt,
            expires_at: s.expiresAt,
          })
          .execute();
      },
      async findByTokenHash(tokenHash) {
        const row = await db
          .selectFrom('console_sessions')
          .selectAll()
          .where('token_hash', '=', tokenHash)
          .executeTakeFirst();
        return row === undefined ? null : toSession(row);
      },
      async touch(id, lastSeenAt, idleExpiresAt) {
        await db
          .updateTable('console_sessions')
          .set({ last_seen_at: lastSeenAt, idle_expires_at: idleExpiresAt })
          .where('id', '=', id)
          .execute();
      },
      async delete(id) {
        await db.deleteFrom('console_sessions').where('id', '=', id).execute();
      },
      async deleteForUser(userId) {
        const result = await db.deleteFrom('console_sessions').where('user_id', '=', userId).executeTakeFirst();
        return Number(result.numDeletedRows);
      },
      async deleteExpired(now) {
        const result = await db
          .deleteFrom('console_sessions')
          .where((eb) => eb.or([eb('expires_at', '<=', now), eb('idle_expires_at', '<=', now)]))
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      },
    },
    links: {
      async insert(l) {
        await db
          .insertInto('console_links')
          .values({
            token_hash: l.tokenHash,
            kind: l.kind,
            user_id: l.userId,
            created_at: l.createdAt,
            expires_at: l.expiresAt,
            used_at: l.usedAt,
          })
          .execute();
      },
      async find(tokenHash) {
        const row = await db
          .selectFrom('console_links')
          .selectAll()
          .where('token_hash', '=', tokenHash)
          .executeTakeFirst();
        if (row === undefined) return null;
        const link: ConsoleLinkRow = {
          tokenHash: row.token_hash,
          kind: row.kind as ConsoleLinkKind,
          userId: row.user_id,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
          usedAt: row.used_at,
        };
        return link;
      },
      async spend(tokenHash, at) {
        const row = await db
          .updateTable('console_links')
          .set({ used_at: at })
          .where('token_hash', '=', tokenHash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', at)
          .returning('token_hash')
          .executeTakeFirst();
        return row !== undefined;
      },
    },
  };
}
