import type { RegisterType } from '@ntg/contracts';

export type FindingStatus = 'open' | 'fixed' | 'accepted' | 'resolved';
export type Severity = 'high' | 'medium' | 'low';

/** A failing requirement on one record (or on the organization as a whole), with its lifecycle. */
export interface Finding {
  organizationId: string;
  id: string;
  requirementId: string;
  /** null where the finding concerns the organization as a whole. */
  recordType: RegisterType | null;
  recordId: string | null;
  recordName: string | null;
  status: FindingStatus;
  severity: Severity;
  reason: string;
  /** The latest verdict of the rule for this key: fail while the problem remains. */
  resultStatus: string;
  owner: string;
  assignee: string | null;
  dueDate: string;
  acceptedBy: string | null;
  acceptedReason: string | null;
  acceptedUntil: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  revision: number;
  updatedAt: string;
}

/** The columns of a stored finding that an evaluation compares with its results. */
export type FindingSyncRow = Pick<
  Finding,
  'id' | 'requirementId' | 'recordType' | 'recordId' | 'status' | 'reason' | 'resultStatus' | 'acceptedUntil'
>;

export interface FindingEvent {
  organizationId: string;
  findingId: string;
  at: string;
  actor: string;
  event: string;
  details: Record<string, unknown>;
}

export interface FindingQuery {
  status?: FindingStatus[] | undefined;
  severity?: Severity | undefined;
  requirementId?: string | undefined;
  owner?: string | undefined;
  recordType?: RegisterType | undefined;
  recordId?: string | undefined;
  offset: number;
  limit: number;
}

export interface FindingStore {
  all(organizationId: string): Promise<Finding[]>;
  /** Every finding of the organization, by its sync columns only. */
  syncRows(organizationId: string): Promise<FindingSyncRow[]>;
  /** The findings among `ids` (any order). */
  byIds(organizationId: string, ids: readonly string[]): Promise<Finding[]>;
  get(organizationId: string, id: string): Promise<Finding | null>;
  insertMany(findings: readonly Finding[]): Promise<void>;
  updateMany(findings: readonly Finding[]): Promise<void>;
  /** Updates one finding if its revision is still `expectedRevision`. */
  update(finding: Finding, expectedRevision: number): Promise<boolean>;
  page(organizationId: string, query: FindingQuery): Promise<{ findings: Finding[]; total: number }>;
  /** Counts of the findings in `statuses`, by severity and by owner (most first), over all of them. */
  summary(
    organizationId: string,
    statuses: readonly FindingStatus[],
  ): Promise<{
    total: number;
    bySeverity: { severity: Severity; count: number }[];
    byOwner: { owner: string; count: number }[];
  }>;
  addEvents(events: readonly FindingEvent[]): Promise<void>;
  events(organizationId: string, findingId: string): Promise<FindingEvent[]>;
}
