import { z } from 'zod';
import { fact, isoDate, optionalDate, text } from './register-fields.ts';

/** A15-A17: a mobile device that handles sensitive affairs and connects to the organization's network. */
export const mobileDeviceFields = z.object({
  ownership: z.enum(['business', 'byod']),
  holder: text(200).min(1),
  platform: z.enum(['ios', 'android', 'windows', 'macos', 'other']).nullable().default(null),
  serialNumber: text(100).nullable().default(null),
  handlesSensitiveAffairs: z.boolean().default(true),
  storesSensitiveData: fact(),
  // A17.3 and A17.4
  screenLock: fact(),
  identityVerification: fact(),
  managedSettings: fact(),
  osExaminedDate: optionalDate(),
  antivirusExaminedDate: optionalDate(),
  antivirusInstalled: fact(),
  jailbrokenOrRooted: fact(),
  remoteOrAutoWipe: fact(),
  wirelessRestricted: fact(),
  transmissionEncrypted: fact(),
  sensitiveDataEncrypted: fact(),
  // A17.5
  approvedAppsOnly: fact(),
  mdmEnrolled: fact(),
  lastPostureDate: optionalDate(),
  /** Where the posture came from: manual entry or an MDM export (collector). */
  postureSource: z.enum(['manual', 'intune', 'jamf', 'fleet', 'other-mdm']).default('manual'),
  // A17.2: resets on staff change.
  previousHolder: text(200).nullable().default(null),
  holderChangedDate: optionalDate(),
  resetOnHolderChange: fact(),
  /** A18: the BYOD agreement record that covers this device. */
  byodAgreementId: z.string().nullable().default(null),
  retired: z.boolean().default(false),
});
export type MobileDeviceFields = z.infer<typeof mobileDeviceFields>;

/** A18.1-A18.2: an agreement with the owner of a BYOD device, and its periodic reviews. */
export const byodAgreementFields = z.object({
  deviceOwner: text(200).min(1),
  purpose: text(500).nullable().default(null),
  periodStart: optionalDate(),
  periodEnd: optionalDate(),
  dataTypes: z.array(text(100)).default([]),
  useRestrictionsAndLiabilities: fact(),
  signedDate: optionalDate(),
  lastReviewDate: optionalDate(),
  internetViaInternalEquipmentProhibited: fact(),
});
export type ByodAgreementFields = z.infer<typeof byodAgreementFields>;

/** A19-A20: a mobile app the organization publishes. */
export const mobileAppFields = z.object({
  platforms: z.array(z.enum(['ios', 'android', 'harmonyos', 'other'])).min(1),
  forInvestors: z.boolean(),
  bundleIds: z.array(text(200)).default([]),
  // A19
  messageDeidentification: fact(),
  fakeAppDetection: fact(),
  fakeAppLastCheckDate: optionalDate(),
  compromisedDeviceAlert: fact(),
  // A20.5: review system for third-party lab reports.
  labReportReviewProcedure: fact(),
});
export type MobileAppFields = z.infer<typeof mobileAppFields>;

export const importantUpdateAreas = [
  'placing-orders',
  'account-information',
  'identity-verification',
  'client-rights',
] as const;

/** A20: one release of an app, its permissions, approvals, publication and testing. */
export const appReleaseFields = z.object({
  appId: z.string().min(1),
  version: text(50).min(1),
  releaseDate: isoDate,
  firstRelease: z.boolean().default(false),
  importantUpdateAreas: z.array(z.enum(importantUpdateAreas)).default([]),
  // A20.1
  permissionsRequested: z.array(text(200)).default([]),
  permissionsApproved: z.array(text(200)).default([]),
  securityApprovalDate: optionalDate(),
  complianceApprovalDate: optionalDate(),
  approvalRecordKept: fact(),
  // A20.2
  publishedOn: z.array(z.enum(['app-store', 'google-play', 'official-website', 'other'])).default([]),
  sensitiveDataAndPermissionsDisclosed: fact(),
  // A20.3: accredited (TAF) laboratory test at first release and yearly.
  labName: text(200).nullable().default(null),
  labTafAccredited: fact(),
  labTestDate: optionalDate(),
  labResult: z.enum(['pass', 'fail']).nullable().default(null),
  labStandard: text(200).nullable().default(null),
  // A20.4: OWASP Mobile Top 10 test of important updates within a year of the lab test.
  owaspMobileTestDate: optionalDate(),
  owaspMobileTestResult: z.enum(['pass', 'fail']).nullable().default(null),
  // A20.5
  labReportReviewedDate: optionalDate(),
});
export type AppReleaseFields = z.infer<typeof appReleaseFields>;
