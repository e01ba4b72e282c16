import { type Organization, organizationSchema } from '@ntg/contracts';
import type { OrganizationStore } from '@ntg/core';
import { canonicalJson } from '@ntg/core';
import type { Kysely, Selectable } from 'kysely';
import { readBool, writeBool } from '../dialect.ts';
import type { Database, OrganizationsTable } from '../schema.ts';

function toOrganization(row: Selectable<OrganizationsTable>): Organization {
  // Parsed through the contract: a row edited by hand into an invalid shape is an error here, not downstream.
  return organizationSchema.parse({
    id: row.id,
    slug: row.slug,
    name: row.name,
    kind: row.kind,
    demo: readBool(row.demo),
    profile: JSON.parse(row.profile),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

export function createOrganizationStore(db: Kysely<Database>): OrganizationStore {
  return {
    async insert(org) {
      await db
        .insertInto('organizations')
        .values({
          id: org.id,
          slug: org.slug,
          name: org.name,
          kind: org.kind,
          demo: writeBool(org.demo),
          profile: canonicalJson(org.profile),
          created_at: org.createdAt,
          updated_at: org.updatedAt,
        })
        .execute();
    },
    async findById(id) {
      const row = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toOrganization(row);
    },
    async findBySlug(slug) {
      const row = await db.selectFrom('organizations').selectAll().where('slug', '=', slug).executeTakeFirst();
      return row === undefined ? null : toOrganization(row);
    },
    async list() {
      const rows = await db.selectFrom('organizations').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toOrganization);
    },
    async updateProfile(id, profile, updatedAt) {
      await db
        .updateTable('organizations')
        .set({ profile: canonicalJson(profile), updated_at: updatedAt })
        .where('id', '=', id)
        .execute();
    },
  };
}
