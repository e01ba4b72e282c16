import {
  type CreateOrganizationInput,
  createOrganizationSchema,
  type Organization,
  type Profile,
  type ProfilePatch,
  profileFlagSchema,
  profilePatchSchema,
} from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { parseInput } from '../shared/validation.ts';
import type { OrganizationStore } from './organization-store.ts';

interface Stores {
  organizations: OrganizationStore;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

export function emptyProfile(): Profile {
  return Object.fromEntries(profileFlagSchema.options.map((f) => [f, false])) as Profile;
}

export interface OrganizationService {
  create(ctx: ActorContext, input: CreateOrganizationInput, options?: { demo?: boolean }): Promise<Organization>;
  get(idOrSlug: string): Promise<Organization>;
  list(): Promise<Organization[]>;
  updateProfile(ctx: ActorContext, idOrSlug: string, patch: ProfilePatch): Promise<Organization>;
}

export function createOrganizationService(deps: {
  uow: UnitOfWork<Stores>;
  organizations: Pick<OrganizationStore, 'findById' | 'findBySlug' | 'list'>;
  audit: AuditTrail;
  clock: Clock;
}): OrganizationService {
  const { uow, organizations, audit, clock } = deps;

  async function find(idOrSlug: string, store: Pick<OrganizationStore, 'findById' | 'findBySlug'>) {
    const org = idOrSlug.startsWith('org_') ? await store.findById(idOrSlug) : await store.findBySlug(idOrSlug);
    if (org === null) throw new AppError('ORGANIZATION_NOT_FOUND', `No organization with id or slug "${idOrSlug}".`);
    return org;
  }

  return {
    async create(ctx, raw, options) {
      const input = parseInput(createOrganizationSchema, raw, 'organization');
      return uow.run(async (s) => {
        if ((await s.organizations.findBySlug(input.slug)) !== null) {
          throw new AppError(
            'ORGANIZATION_SLUG_TAKEN',
            `The slug "${input.slug}" is already used by another organization.`,
          );
        }
        const now = clock.now().toISOString();
        const org: Organization = {
          id: newId('org'),
          slug: input.slug,
          name: input.name,
          kind: input.kind,
          demo: options?.demo ?? false,
          profile: { ...emptyProfile(), ...input.profile },
          createdAt: now,
          updatedAt: now,
        };
        await s.organizations.insert(org);
        await audit.record(s.audit, ctx, {
          organizationId: org.id,
          action: 'organization.create',
          objectType: 'organization',
          objectId: org.id,
          details: { slug: org.slug, name: org.name, kind: org.kind, demo: org.demo, profile: org.profile },
        });
        return org;
      });
    },

    get: (idOrSlug) => find(idOrSlug, organizations),

    list: () => organizations.list(),

    async updateProfile(ctx, idOrSlug, rawPatch) {
      const patch = parseInput(profilePatchSchema, rawPatch, 'profile');
      return uow.run(async (s) => {
        const org = await find(idOrSlug, s.organizations);
        const profile: Profile = { ...org.profile, ...patch };
        const changed = profileFlagSchema.options.filter((f) => profile[f] !== org.profile[f]);
        if (changed.length === 0) return org;
        const updatedAt = clock.now().toISOString();
        await s.organizations.updateProfile(org.id, profile, updatedAt);
        await audit.record(s.audit, ctx, {
          organizationId: org.id,
          action: 'organization.profile.update',
          objectType: 'organization',
          objectId: org.id,
          details: { changed: Object.fromEntries(changed.map((f) => [f, { from: org.profile[f], to: profile[f] }])) },
        });
        return { ...org, profile, updatedAt };
      });
    },
  };
}
