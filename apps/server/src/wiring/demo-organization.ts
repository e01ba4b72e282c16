import type { ActorContext, BundleService, OrganizationService } from '@ntg/core';
import { readDemoBundle } from '../demo/demo-bundle.ts';

const systemActor: ActorContext = { actor: { type: 'system', id: 'first-run' }, source: null };

/**
 * On the first run of an empty installation, the demo organization "Demo Securities Co. (demo data)": realistic
 * registers with deliberate gaps in every chapter, so the console shows passes and failures from the first minute.
 * It is labelled as demo data wherever it appears, and imported through the audited bundle import like any other.
 */
export async function ensureDemoOrganization(
  organizations: Pick<OrganizationService, 'list'>,
  bundles: Pick<BundleService, 'importBundle'>,
): Promise<string | null> {
  if ((await organizations.list()).length > 0) return null;
  const result = await bundles.importBundle(systemActor, readDemoBundle(), { mode: 'replace' });
  return result.organization.slug;
}
