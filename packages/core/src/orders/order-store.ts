import type { OrderSignature } from '@ntg/contracts';
import type { UnknownRevocationPolicy } from './order-verification.ts';

/** One certification authority an organization approved (A36.5), as stored. Removal is soft: old orders name it. */
export interface ApprovedCa {
  id: string;
  organizationId: string;
  name: string;
  certificateDer: Uint8Array;
  /** SHA-256 of the DER, lowercase hex; unique among the organization's CAs that are not removed. */
  fingerprint: string;
  subject: string;
  notAfter: string;
  crlUrls: string[];
  ocspUrl: string | null;
  unknownRevocation: UnknownRevocationPolicy;
  addedBy: string;
  addedAt: string;
  removedBy: string | null;
  removedAt: string | null;
}

export interface ApprovedCaStore {
  /** False when a CA with the same fingerprint is already approved (not removed) for the organization. */
  insert(ca: ApprovedCa): Promise<boolean>;
  find(organizationId: string, id: string): Promise<ApprovedCa | null>;
  /** Oldest first; removed ones only when asked (offline re-verification of old orders needs them). */
  list(organizationId: string, options?: { includeRemoved?: boolean }): Promise<ApprovedCa[]>;
  /** Marks the CA removed; false when it was already removed or does not exist. */
  markRemoved(organizationId: string, id: string, by: string, at: string): Promise<boolean>;
}

/** A client's signing certificate bound to the account (ADR 0014: enrolled as a possession factor). */
export interface ClientCertificate {
  id: string;
  organizationId: string;
  accountId: string;
  label: string;
  certificateDer: Uint8Array;
  fingerprint: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  notAfter: string;
  approvedCaId: string;
  enrolledBy: string;
  enrolledAt: string;
  revokedBy: string | null;
  revokedAt: string | null;
}

export interface ClientCertificateStore {
  /** False when the certificate is already bound (not revoked) to an account of the organization. */
  insert(certificate: ClientCertificate): Promise<boolean>;
  find(id: string): Promise<ClientCertificate | null>;
  listForAccount(accountId: string): Promise<ClientCertificate[]>;
  /** The live binding of this fingerprint to this account, or null. */
  findBound(accountId: string, fingerprint: string): Promise<ClientCertificate | null>;
  markRevoked(id: string, by: string, at: string): Promise<boolean>;
}

/** One accepted order in the organization's hash chain (A35.5). */
export interface OrderEvidence {
  organizationId: string;
  sequence: number;
  orderId: string;
  accountId: string;
  sessionId: string;
  serial: number;
  nonce: string;
  /** `canonicalOrderBytes(payload)`: what the client signed. */
  canonicalBytes: Uint8Array;
  /** As received. */
  signature: OrderSignature;
  signerCertificateDer: Uint8Array;
  signerFingerprint: string;
  /** Chain subjects, anchor, algorithm, revocation source and status: canonical JSON in storage. */
  verification: Record<string, unknown>;
  acceptedAt: string;
  prevHash: string;
  hash: string;
}

export interface OrderEvidenceHead {
  sequence: number;
  hash: string;
}

export interface OrderEvidenceQuery {
  organizationId: string;
  accountId?: string;
  from?: string;
  to?: string;
  limit: number;
}

/**
 * The evidence log. `lockHead`, `appendMany` and `advanceSerials` run inside one unit of work: the head row is locked
 * (FOR UPDATE on PostgreSQL, the write lock on SQLite) so writers on several instances extend the chain one at a
 * time.
 */
export interface OrderEvidenceStore {
  lockHead(organizationId: string): Promise<OrderEvidenceHead | null>;
  /**
   * Of `nonces`, those the organization already accepted. Read under the head lock (`lockHead` first), it sees every
   * committed acceptance, since every writer takes that lock before it appends.
   */
  acceptedNonces(organizationId: string, nonces: readonly string[]): Promise<Set<string>>;
  /**
   * Inserts consecutive rows of one organization (chain order) and moves the head to the last. A nonce accepted
   * before still violates the unique constraint (A35.4): the statement fails, and with it the whole transaction, so a
   * duplicate is never stored however the caller checked.
   */
  appendMany(rows: readonly OrderEvidence[]): Promise<void>;
  head(organizationId: string): Promise<OrderEvidenceHead | null>;
  /** Rows in chain order, `afterSequence` exclusive, optionally accepted in [from, to). */
  page(
    organizationId: string,
    afterSequence: number,
    limit: number,
    range?: { from?: string; to?: string },
  ): Promise<OrderEvidence[]>;
  findBySequence(organizationId: string, sequence: number): Promise<OrderEvidence | null>;
  /** Newest first. */
  search(query: OrderEvidenceQuery): Promise<OrderEvidence[]>;
}

/** The order side of a gateway session: its sealed MAC key and the last accepted serial (A35.4). */
export interface OrderSessionStore {
  sealedMacKey(sessionId: string): Promise<string | null>;
  /**
   * One conditional UPDATE for several distinct sessions: each session's last serial becomes its new one only if that
   * is greater than the stored one (or none is stored). True only when every session moved forward (the caller then
   * fails its whole transaction otherwise).
   */
  advanceSerials(updates: readonly { sessionId: string; serial: number }[]): Promise<boolean>;
  /** The last accepted serial of each session asked for (null: none yet); sessions that do not exist are absent. */
  lastSerials(sessionIds: readonly string[]): Promise<Map<string, number | null>>;
}

export interface OrderStores {
  approvedCas: ApprovedCaStore;
  clientCertificates: ClientCertificateStore;
  evidence: OrderEvidenceStore;
  sessions: OrderSessionStore;
}
