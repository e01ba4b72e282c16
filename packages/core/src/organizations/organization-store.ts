import type { Organization, Profile } from '@ntg/contracts';

export interface OrganizationStore {
  insert(org: Organization): Promise<void>;
  findById(id: string): Promise<Organization | null>;
  findBySlug(slug: string): Promise<Organization | null>;
  list(): Promise<Organization[]>;
  updateProfile(id: string, profile: Profile, updatedAt: string): Promise<void>;
}
