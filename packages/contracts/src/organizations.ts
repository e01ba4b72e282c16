import { z } from 'zod';
import { type ProfileFlag, profileFlagSchema } from './catalog.ts';

export const organizationIdSchema = z.string().regex(/^org_[0-9a-z]{10,40}$/, 'an organization id looks like org_…');

export const slugSchema = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, 'use lower-case letters, digits and hyphens, e.g. demo-securities');

/**
 * The answers to the scope questions of the directions. Each flag decides which catalog nodes apply; an
 * unanswered question is `false` and the reason for "not applicable" says so.
 */
export const profileSchema = z
  .object(
    Object.fromEntries(profileFlagSchema.options.map((flag) => [flag, z.boolean()])) as Record<
      ProfileFlag,
      z.ZodBoolean
    >,
  )
  .strict();
export type Profile = z.infer<typeof profileSchema>;

export const profilePatchSchema = profileSchema.partial();
export type ProfilePatch = z.infer<typeof profilePatchSchema>;

export const organizationKindSchema = z.enum(['securities', 'futures', 'investment-trust', 'other']);

export const organizationSchema = z.object({
  id: organizationIdSchema,
  slug: slugSchema,
  name: z.string().min(1).max(200),
  kind: organizationKindSchema,
  /** Demo organizations are labelled as such everywhere they are shown. */
  demo: z.boolean(),
  profile: profileSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Organization = z.infer<typeof organizationSchema>;

export const createOrganizationSchema = z
  .object({
    slug: slugSchema,
    name: z.string().trim().min(1).max(200),
    kind: organizationKindSchema.default('securities'),
    profile: profilePatchSchema.default({}),
  })
  .strict();
export type CreateOrganization = z.infer<typeof createOrganizationSchema>;
export type CreateOrganizationInput = z.input<typeof createOrganizationSchema>;

export const applicabilityResultSchema = z.object({
  nodeId: z.string(),
  applicable: z.boolean(),
  reason: z.string(),
});
export type ApplicabilityResult = z.infer<typeof applicabilityResultSchema>;

/** Human wording of each profile question, used in reasons, the CLI and the console. */
export const profileQuestions: Record<ProfileFlag, { article: string; question: string }> = {
  usesCloudServices: { article: 'A3.1', question: 'uses cloud computing services' },
  cloudInvolvesCore: {
    article: 'A3.1',
    question: 'has cloud services that involve its core systems, data or services',
  },
  onlyPrivateInternalCloud: {
    article: 'A3.2',
    question: 'uses only a private cloud built within the organization for internal services',
  },
  operatesSocialMedia: { article: 'A13', question: 'operates official social-media profiles' },
  usesMobileDevicesForSensitiveAffairs: {
    article: 'A16',
    question: 'uses mobile devices that handle sensitive affairs and connect to its network',
  },
  allowsByod: { article: 'A18', question: 'allows bring-your-own devices (BYOD)' },
  publishesMobileApp: { article: 'A19', question: 'publishes a mobile app' },
  publishesInvestorApp: { article: 'A20.3', question: 'publishes a mobile app used by investors' },
  hasIotEquipment: { article: 'A22', question: 'has IoT office (OA) equipment connected to a network' },
  offersInternetTrading: { article: 'A34', question: 'offers electronic trading over the Internet' },
  offersTelephoneTrading: { article: 'A40', question: 'offers telephone trading' },
  verifiesByVideoCall: { article: 'A41', question: 'verifies identity by video call' },
};
