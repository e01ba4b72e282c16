import type { RegisterRecord, RegisterType } from '@ntg/contracts';

/** Every record of every register of one organization, read once per evaluation run. */
export type RegisterSnapshot = { [R in RegisterType]: readonly RegisterRecord<R>[] };

/** Evidence linked to a catalog node or a record, as rules see it: enough to decide, not the file itself. */
export interface EvidenceSummary {
  id: string;
  sha256: string;
  filename: string;
  effectiveDate: string | null;
  expiresOn: string | null;
  collectedBy: string;
}

export interface EvidenceIndex {
  forNode(nodeId: string): readonly EvidenceSummary[];
  forRecord(recordType: RegisterType, recordId: string): readonly EvidenceSummary[];
}

export const emptyEvidenceIndex: EvidenceIndex = { forNode: () => [], forRecord: () => [] };
