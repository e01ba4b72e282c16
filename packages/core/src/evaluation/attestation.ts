import type { attestationAnswerSchema } from '@ntg/contracts';
import type { z } from 'zod';

export type AttestationAnswer = z.infer<typeof attestationAnswerSchema>;

/** A person's answer to a requirement no register can show, valid until `expiresOn`. */
export interface Attestation {
  organizationId: string;
  id: string;
  nodeId: string;
  answer: AttestationAnswer;
  statement: string;
  evidenceIds: string[];
  attestedBy: string;
  attestedAt: string;
  expiresOn: string;
}

export interface AttestationStore {
  insert(attestation: Attestation): Promise<void>;
  /** The newest attestation of each node. */
  latestByNode(organizationId: string): Promise<Map<string, Attestation>>;
  history(organizationId: string, nodeId: string): Promise<Attestation[]>;
}
