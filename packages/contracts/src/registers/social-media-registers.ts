import { z } from 'zod';
import { fact, optionalDate, text } from './register-fields.ts';

/** A12.1: the social media use policy, with the four points it must cover and its yearly review. */
export const socialMediaPolicyFields = z.object({
  version: text(50).min(1),
  approvedDate: optionalDate(),
  lastReviewDate: optionalDate(),
  coversPermittedMediaAndRules: fact(),
  coversShareableBusinessInformation: fact(),
  coversPersonalVersusBusinessUse: fact(),
  coversAuthorizedSpokespersons: fact(),
});
export type SocialMediaPolicyFields = z.infer<typeof socialMediaPolicyFields>;

/** A12.2: risk assessment per platform employees may use. */
export const socialMediaPlatformRiskFields = z.object({
  platform: text(100).min(1),
  permitted: z.boolean().default(true),
  assessmentDate: optionalDate(),
  dataDisclosureRisk: z.enum(['low', 'medium', 'high']).nullable().default(null),
  socialEngineeringRisk: z.enum(['low', 'medium', 'high']).nullable().default(null),
  malwareRisk: z.enum(['low', 'medium', 'high']).nullable().default(null),
  /** Controls against high risks: training, content filtering and monitoring, ... */
  controls: z.array(text(200)).default([]),
});
export type SocialMediaPlatformRiskFields = z.infer<typeof socialMediaPlatformRiskFields>;

/** A13, A14.2: an official profile operated by the organization. */
export const officialProfileFields = z.object({
  platform: text(100).min(1),
  url: z.url().nullable().default(null),
  privacyPolicyReviewedDate: optionalDate(),
  showsOrganizationName: fact(),
  showsContactMethod: fact(),
  showsLicenseNumber: fact(),
  accountAccessControl: fact(),
  contentScreeningPolicy: fact(),
  monitoringCoversPrivacyAndSecrets: fact(),
  monitoringCoversFakeProfiles: fact(),
  monitoringCoversAttacksOnPeers: fact(), // A13.4: attacks or disparaging remarks against enterprises in the same trade.
  complaintContactShown: fact(),
  complaintLiaison: text(200).nullable().default(null),
  randomMonitoring: fact(),
});
export type OfficialProfileFields = z.infer<typeof officialProfileFields>;
