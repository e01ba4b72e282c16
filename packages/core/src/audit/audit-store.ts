import type { AuditActor } from '@ntg/contracts';

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** One link of an organization's chain, as stored. */
export interface AuditEntry {
  organizationId: string;
  seq: number;
  at: string;
  actor: AuditActor;
  action: string;
  objectType: string;
  objectId: string | null;
  source: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
  /** HMAC-SHA256 of `hash` under the audit key: recomputing the chain without the key is detected. */
  mac: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

/**
 * Storage for the hash-chained audit trail. `lockHead` and `append` are only called inside a unit of work: the
 * head row is locked (SELECT … FOR UPDATE on PostgreSQL, the write lock on SQLite) so concurrent writers on several
 * instances extend the chain one at a time and never fork it.
 */
export interface AuditStore {
  lockHead(organizationId: string): Promise<AuditHead | null>;
  append(entry: AuditEntry): Promise<void>;
  /** Appends consecutive entries of one organization (chain order) and moves the head to the last one. */
  appendMany(entries: readonly AuditEntry[]): Promise<void>;
  head(organizationId: string): Promise<AuditHead | null>;
  /** Entries in chain order, `afterSeq` exclusive. */
  page(organizationId: string, afterSeq: number, limit: number): Promise<AuditEntry[]>;
  search(query: AuditQuery): Promise<AuditEntry[]>;
}

export interface AuditQuery {
  organizationId: string;
  actorId?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  from?: string;
  to?: string;
  limit: number;
}
