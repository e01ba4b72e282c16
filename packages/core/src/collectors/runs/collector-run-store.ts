import type { CollectorRun, CollectorRunKind } from '@ntg/contracts';

export interface CollectorRunListFilter {
  kind?: CollectorRunKind | undefined;
  limit: number;
}

/**
 * Storage of collector runs, always scoped to one organization. Runs are a log: inserted once, never changed (the
 * evidence they point at is content-addressed, and the register changes they caused are in the audit trail).
 */
export interface CollectorRunStore {
  insert(run: CollectorRun): Promise<void>;
  findById(organizationId: string, id: string): Promise<CollectorRun | null>;
  /** Newest first (by finish time, then id). */
  list(organizationId: string, filter: CollectorRunListFilter): Promise<CollectorRun[]>;
  /** The newest run of a kind, whatever its status, or null. */
  latest(organizationId: string, kind: CollectorRunKind): Promise<CollectorRun | null>;
  /** The newest run of a kind for each target (each endpoint's latest TLS scan), whatever its status. */
  latestPerTarget(organizationId: string, kind: CollectorRunKind): Promise<CollectorRun[]>;
  /** Per kind that has runs: how many, the newest `ok` run's finish time, and the errors after it. */
  kindStats(organizationId: string): Promise<CollectorKindStats[]>;
}

export interface CollectorKindStats {
  kind: CollectorRunKind;
  runs: number;
  lastOkAt: string | null;
  errorsSinceOk: number;
}
