import { z } from 'zod';
import { fact, optionalDate, optionalText, text } from './register-fields.ts';

/** Cloud services and their providers (Directions A3-A9). One record per contracted service. */
export const cloudServiceFields = z.object({
  provider: text(200).min(1),
  serviceModel: z.enum(['IaaS', 'PaaS', 'SaaS']),
  /** A3.2: a private cloud built within the organization for internal services only is out of scope. */
  privateInternal: z.boolean().default(false),
  /** A3.1: involves the core system, data or services. */
  involvesCore: fact(),
  // A3.1, A4.1: prior risk evaluation of the service and the provider.
  riskEvaluationDate: optionalDate(),
  riskEvaluationResult: z.enum(['acceptable', 'acceptable-with-measures', 'not-acceptable']).nullable().default(null),
  compensatingMeasures: optionalText(),
  // A4.2
  backupSystemEvaluated: fact(),
  contractedRecoveryTimeHours: z.number().min(0).nullable().default(null),
  // A4.3
  dataOwnershipClause: fact(),
  providerAccessLimitedClause: fact(),
  // A4.4: periodic review; CSA STAR.
  lastReviewDate: optionalDate(),
  nextReviewDate: optionalDate(),
  csaStarLevel: z.enum(['none', 'level-1', 'level-2', 'bronze', 'silver', 'gold']).nullable().default(null),
  attestationReportReceived: fact(),
  onSiteInspectionDate: optionalDate(),
  // A5
  interoperabilityDocumentsReceived: fact(),
  commonFormats: fact(),
  transferProtocols: z.array(z.enum(['HTTPS', 'SFTP', 'FTPS', 'HTTP', 'FTP', 'other'])).default([]),
  accessedViaApi: fact(), // A5.4: accessed through application programming interfaces (then an open API is advised).
  openApi: fact(),
  // A6.1
  clientDataStored: fact(),
  clientDataEncrypted: fact(),
  keyManagementSystem: fact(),
  // A6.2-A6.4
  serviceQualityAgreement: fact(),
  serviceQualityReportsReceivedDate: optionalDate(),
  supplyChainRiskMonitoringClause: fact(),
  incidentNotificationClause: fact(),
  // A7 (IaaS and PaaS only)
  vmImageIntegrityRecords: fact(),
  mediaDestructionRecords: fact(),
  isolationInformation: fact(),
  hardeningApplied: fact(),
  operatorAccessControls: z
    .object({
      twoFactor: fact(),
      auditTrail: fact(),
      ipFiltering: fact(),
      tls: fact(),
    })
    .default({ twoFactor: null, auditTrail: null, ipFiltering: null, tls: null }),
  virtualDiskEncryption: fact(),
  snapshotsProhibited: fact(),
  // A8: cross-border personal data.
  crossBorderPersonalData: fact(),
  crossBorderEncryptedTransmission: fact(),
  dataSubjectAuthorization: fact(),
  competentAuthorityRestrictionsChecked: fact(),
  crossBorderAuditRecords: fact(),
  // A9
  emergencyResponsePlan: fact(),
  exitPlan: fact(),
  terminated: z.boolean().default(false),
  terminationDate: optionalDate(),
  deletionProofReceived: fact(),
  /** Endpoint scanned by the TLS collector, host:port. */
  endpoint: text(300).nullable().default(null),
});
export type CloudServiceFields = z.infer<typeof cloudServiceFields>;
