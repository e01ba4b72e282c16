import type { ActorContext, OrganizationService } from '@ntg/core';

const systemActor: ActorContext = { actor: { type: 'system', id: 'first-run' }, source: null };

/**
 * On the first run of an empty installation, a demo organization that answers every scope question, so every
 * chapter of the directions has something to show. It is labelled as demo data wherever it appears.
 */
export async function ensureDemoOrganization(organizations: OrganizationService): Promise<string | null> {
  if ((await organizations.list()).length > 0) return null;
  const org = await organizations.create(
    systemActor,
    {
      slug: 'demo-securities',
      name: 'Demo Securities Co. (demo data)',
      kind: 'securities',
      profile: {
        usesCloudServices: true,
        cloudInvolvesCore: true,
        onlyPrivateInternalCloud: false,
        operatesSocialMedia: true,
        usesMobileDevicesForSensitiveAffairs: true,
        allowsByod: true,
        publishesMobileApp: true,
        publishesInvestorApp: true,
        hasIotEquipment: true,
        offersInternetTrading: true,
        offersTelephoneTrading: true,
        verifiesByVideoCall: true,
      },
    },
    { demo: true },
  );
  return org.slug;
}
