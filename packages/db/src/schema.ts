import type { Generated } from 'kysely';

/**
 * Table types as Kysely sees them. Conventions shared by both dialects (docs/adr/0004):
 * times are ISO-8601 UTC text; JSON is text written with canonical key order; booleans are written as 0/1 and read
 * through `readBool`, since SQLite returns integers and PostgreSQL booleans.
 */
export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  kind: string;
  demo: number | boolean;
  profile: string;
  created_at: string;
  updated_at: string;
}

export interface AuditEntriesTable {
  organization_id: string;
  seq: number;
  at: string;
  actor_type: string;
  actor_id: string;
  action: string;
  object_type: string;
  object_id: string | null;
  source: string | null;
  outcome: string;
  details: string;
  prev_hash: string;
  hash: string;
  mac: string;
}

export interface AuditHeadsTable {
  organization_id: string;
  seq: number;
  hash: string;
}

export interface Database {
  organizations: OrganizationsTable;
  audit_entries: AuditEntriesTable;
  audit_heads: AuditHeadsTable;
}

export type { Generated };
