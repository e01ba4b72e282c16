import type { Evidence, EvidenceLink, EvidenceLinkTarget } from '@ntg/contracts';

export interface EvidenceListFilter {
  /** Only evidence linked to this node or record. */
  target?: EvidenceLinkTarget;
}

/**
 * Storage for evidence metadata and its links, always scoped to one organization: an evidence id of another
 * organization is simply not found. The bytes live in an EvidenceBlobStore, addressed by SHA-256.
 */
export interface EvidenceStore {
  /** Inserts the metadata and its links. */
  insert(evidence: Evidence): Promise<void>;
  findById(organizationId: string, id: string): Promise<Evidence | null>;
  /** Newest first, each with its links. */
  list(organizationId: string, filter?: EvidenceListFilter): Promise<Evidence[]>;
  /** False when the link already existed (nothing changed). */
  addLink(organizationId: string, evidenceId: string, link: EvidenceLink): Promise<boolean>;
  /** False when there was no such link. */
  removeLink(organizationId: string, evidenceId: string, target: EvidenceLinkTarget): Promise<boolean>;
}
