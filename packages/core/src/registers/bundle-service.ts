import {
  type Bundle,
  type BundleImportResult,
  type BundleRegisters,
  bundleEnvelopeSchema,
  bundleFormat,
  bundleFormatVersion,
  bundleOrganizationSchema,
  type ImportMode,
  type Organization,
  type Profile,
  profileFlagSchema,
  type RegisterImportCounts,
  type RegisterType,
  recordInputSchemaOf,
  registerDefinitions,
  registerTypes,
} from '@ntg/contracts';
import type { z } from 'zod';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import type { Attestation, AttestationStore } from '../evaluation/attestation.ts';
import { emptyProfile, type OrganizationService } from '../organizations/organization-service.ts';
import type { OrganizationStore } from '../organizations/organization-store.ts';
import type { ErrorIssue } from '../shared/app-error.ts';
import { canonicalJson } from '../shared/canonical-json.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import {
  applyPlan,
  existingIds,
  type IncomingRecord,
  idIssues,
  importError,
  planRegister,
  type RegisterPlan,
  referenceIssues,
  toIncoming,
} from './record-import.ts';
import type { RecordStore, StoredRecord } from './record-store.ts';
import { fieldDefaults } from './register-records.ts';
import type { RecordChangeListener } from './register-service.ts';

interface Stores {
  organizations: Pick<OrganizationStore, 'findBySlug' | 'insert' | 'updateProfile'>;
  records: Pick<RecordStore, 'all' | 'exists' | 'insertMany' | 'deleteAll' | 'update'>;
  attestations: Pick<AttestationStore, 'insert' | 'latestByNode' | 'history'>;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

export interface BundleService {
  /**
   * Validates the whole bundle, reporting every problem with its path, then writes it in one unit of work: the
   * organization (created by slug, or its profile updated), every register (replace or merge) and the attestations
   * not yet stored, with one `bundle.import` audit entry. All or nothing.
   */
  importBundle(ctx: ActorContext, raw: unknown, options: { mode: ImportMode }): Promise<BundleImportResult>;
  /** The organization (id or slug) as a bundle: every record with its id, every attestation. */
  exportBundle(orgRef: string): Promise<Bundle>;
}

/** `registers.mobile-devices[41].ownership` from a base path and a zod issue path. */
export function issuePath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Zod issues as paths and messages; an unknown key is named in the path, where a person looks for it. */
export function zodIssues(base: string, issues: readonly z.core.$ZodIssue[]): ErrorIssue[] {
  const out: ErrorIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const message = issue.message.startsWith('Unrecognized key') ? 'not a field of this record' : issue.message;
        out.push({ path: issuePath(base, [...issue.path, key]), message });
      }
    } else {
      out.push({ path: issuePath(base, issue.path), message: issue.message });
    }
  }
  return out;
}

type Envelope = z.output<typeof bundleEnvelopeSchema>;

interface CheckedBundle {
  envelope: Envelope | null;
  records: Record<RegisterType, IncomingRecord[]>;
  issues: ErrorIssue[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Everything that can be checked without the database: the envelope, every record against its register's input
 * schema (each on its own, so one bad record does not hide the others), ids, and attestation node ids.
 */
function checkBundle(raw: unknown, attestationNodeIds: ReadonlySet<string> | undefined): CheckedBundle {
  const issues: ErrorIssue[] = [];
  const parsed = bundleEnvelopeSchema.safeParse(raw);
  if (!parsed.success) issues.push(...zodIssues('', parsed.error.issues));
  const envelope = parsed.success ? parsed.data : null;
  const rawRegisters: Record<string, unknown> =
    envelope?.registers ?? (isObject(raw) && isObject(raw.registers) ? raw.registers : {});
  const records = Object.fromEntries(registerTypes.map((r) => [r, [] as IncomingRecord[]])) as Record<
    RegisterType,
    IncomingRecord[]
  >;
  for (const register of registerTypes) {
    const list = rawRegisters[register];
    if (!Array.isArray(list)) continue;
    const schema = recordInputSchemaOf(register);
    list.forEach((item, index) => {
      const base = `registers.${register}[${index}]`;
      const result = schema.safeParse(item);
      if (!result.success) {
        issues.push(...zodIssues(base, result.error.issues));
        return;
      }
      records[register].push(
        toIncoming(result.data as Record<string, unknown>, (field) => issuePath(base, field.split('.'))),
      );
    });
    issues.push(...idIssues(register, records[register]));
  }
  if (envelope !== null && attestationNodeIds !== undefined) {
    envelope.attestations.forEach((a, index) => {
      if (!attestationNodeIds.has(a.nodeId)) {
        issues.push({
          path: `attestations[${index}].nodeId`,
          message: `${a.nodeId} is not answered by attestation (a rule over the registers evaluates it, or it is no requirement)`,
        });
      }
    });
  }
  return { envelope, records, issues };
}

function slugOf(raw: unknown): string | null {
  const org = isObject(raw) ? raw.organization : undefined;
  const parsed = bundleOrganizationSchema.shape.slug.safeParse(isObject(org) ? org.slug : undefined);
  return parsed.success ? parsed.data : null;
}

/** A stored record in the bundle's record shape: meta fields, then the register's fields in schema order. */
export function toBundleRecord(stored: StoredRecord): Record<string, unknown> {
  const defaults = fieldDefaults(stored.register);
  const out: Record<string, unknown> = {
    id: stored.id,
    name: stored.name,
    owner: stored.owner,
    notes: stored.notes,
  };
  // Only the register's current fields: a field dropped from the schema would make the bundle unimportable.
  for (const key of Object.keys(registerDefinitions[stored.register].fields.shape)) {
    out[key] = key in stored.data ? stored.data[key] : defaults[key];
  }
  return out;
}

/** Every attestation of an organization (the whole history, oldest first). */
async function allAttestations(
  store: Pick<AttestationStore, 'latestByNode' | 'history'>,
  organizationId: string,
): Promise<Attestation[]> {
  const out: Attestation[] = [];
  for (const nodeId of (await store.latestByNode(organizationId)).keys()) {
    out.push(...(await store.history(organizationId, nodeId)));
  }
  return out.sort((a, b) =>
    a.attestedAt === b.attestedAt ? a.id.localeCompare(b.id) : a.attestedAt < b.attestedAt ? -1 : 1,
  );
}

type AttestationView = Omit<Attestation, 'organizationId'>;

function attestationView(a: Attestation): AttestationView {
  return {
    id: a.id,
    nodeId: a.nodeId,
    answer: a.answer,
    statement: a.statement,
    evidenceIds: a.evidenceIds,
    attestedBy: a.attestedBy,
    attestedAt: a.attestedAt,
    expiresOn: a.expiresOn,
  };
}

export function createBundleService(deps: {
  uow: UnitOfWork<Stores>;
  reads: {
    organizations: Pick<OrganizationService, 'get'>;
    records: Pick<RecordStore, 'all'>;
    attestations: Pick<AttestationStore, 'latestByNode' | 'history'>;
  };
  audit: AuditTrail;
  clock: Clock;
  listener?: RecordChangeListener;
  /** The nodes answered by attestation; an imported attestation for any other node is refused. */
  attestationNodeIds?: ReadonlySet<string>;
}): BundleService {
  const { uow, reads, audit, clock } = deps;

  return {
    async importBundle(ctx, raw, options) {
      const { mode } = options;
      const checked = checkBundle(raw, deps.attestationNodeIds);
      const { envelope } = checked;
      // Even with a broken envelope, references are checked against the stored organization when its slug is
      // readable, so one answer lists every problem.
      const slug = envelope?.organization.slug ?? slugOf(raw);
      if (slug === null) throw importError('bundle', checked.issues);

      const result = await uow.run(async (s) => {
        const found = await s.organizations.findBySlug(slug);
        // Locking the organization's audit head first makes concurrent imports of one organization take turns.
        if (found !== null) await s.audit.lockHead(found.id);
        const existing = new Map<RegisterType, StoredRecord[]>();
        for (const register of registerTypes) {
          existing.set(register, found === null ? [] : await s.records.all(found.id, register));
        }

        const issues = [...checked.issues];
        // A replaced register holds only what the file holds, so references into it resolve against the file.
        issues.push(
          ...(await referenceIssues(checked.records, async (target, ids) =>
            found === null || mode === 'replace' ? new Set() : existingIds(s.records, found.id, target, ids),
          )),
        );
        const storedAttestations = found === null ? [] : await allAttestations(s.attestations, found.id);
        const storedById = new Map(storedAttestations.map((a) => [a.id, a]));
        const newAttestations: Attestation[] = [];
        let unchangedAttestations = 0;
        if (envelope === null) throw importError('bundle', issues);
        envelope.attestations.forEach((a, index) => {
          const before = a.id === undefined ? undefined : storedById.get(a.id);
          if (before === undefined) {
            newAttestations.push({ organizationId: '', ...a, id: a.id ?? newId('att') });
          } else if (canonicalJson(attestationView(before)) === canonicalJson({ ...a, id: before.id })) {
            unchangedAttestations += 1;
          } else {
            // Attestations are what a person declared at a time: history, never rewritten by an import.
            issues.push({
              path: `attestations[${index}]`,
              message: `${before.id} is stored with other content; an attestation cannot be changed, attest again instead`,
            });
          }
        });
        const attestationIds = new Set<string>();
        newAttestations.forEach((a) => {
          if (attestationIds.has(a.id)) issues.push({ path: 'attestations', message: `${a.id} appears twice` });
          attestationIds.add(a.id);
        });
        if (issues.length > 0) throw importError('bundle', issues);

        const now = clock.now().toISOString();
        const bundleOrg = envelope.organization;
        let org: Organization;
        let profileChanges: Record<string, { from: boolean; to: boolean }> = {};
        if (found === null) {
          org = {
            id: newId('org'),
            slug: bundleOrg.slug,
            name: bundleOrg.name,
            kind: bundleOrg.kind,
            demo: bundleOrg.demo,
            profile: { ...emptyProfile(), ...bundleOrg.profile },
            createdAt: now,
            updatedAt: now,
          };
          await s.organizations.insert(org);
        } else {
          // replace: the file's answers are the profile (an unanswered question is "no"); merge: they patch it.
          const profile: Profile = { ...(mode === 'replace' ? emptyProfile() : found.profile), ...bundleOrg.profile };
          const changed = profileFlagSchema.options.filter((f) => profile[f] !== found.profile[f]);
          profileChanges = Object.fromEntries(changed.map((f) => [f, { from: found.profile[f], to: profile[f] }]));
          if (changed.length > 0) await s.organizations.updateProfile(found.id, profile, now);
          org = changed.length > 0 ? { ...found, profile, updatedAt: now } : found;
        }

        const plans: RegisterPlan[] = registerTypes.map((register) =>
          planRegister({
            organizationId: org.id,
            register,
            mode,
            incoming: checked.records[register],
            existing: existing.get(register) ?? [],
            now,
          }),
        );
        const counts = Object.fromEntries(plans.map((p) => [p.register, p.counts])) as Record<
          RegisterType,
          RegisterImportCounts
        >;
        const attestationCounts = { added: newAttestations.length, unchanged: unchangedAttestations };
        // One entry for the whole import: counts per register, not one entry per record.
        await audit.record(s.audit, ctx, {
          organizationId: org.id,
          action: 'bundle.import',
          objectType: 'organization',
          objectId: org.id,
          details: {
            mode,
            formatVersion: envelope.formatVersion,
            exportedAt: envelope.exportedAt ?? null,
            organization:
              found === null
                ? {
                    created: true,
                    slug: org.slug,
                    name: org.name,
                    kind: org.kind,
                    demo: org.demo,
                    profile: org.profile,
                  }
                : { created: false, slug: org.slug, profileChanges },
            registers: counts,
            attestations: attestationCounts,
          },
        });
        for (const plan of plans) await applyPlan(s.records, plan);
        for (const a of newAttestations) await s.attestations.insert({ ...a, organizationId: org.id });
        return {
          organization: {
            id: org.id,
            slug: org.slug,
            created: found === null,
            profileChanged: Object.keys(profileChanges).length > 0,
          },
          mode,
          registers: counts,
          attestations: attestationCounts,
        } satisfies BundleImportResult;
      });
      deps.listener?.recordsChanged(result.organization.id);
      return result;
    },

    async exportBundle(orgRef) {
      const org = await reads.organizations.get(orgRef);
      const registers = {} as Record<RegisterType, Record<string, unknown>[]>;
      for (const register of registerTypes) {
        registers[register] = (await reads.records.all(org.id, register)).map(toBundleRecord);
      }
      return {
        format: bundleFormat,
        formatVersion: bundleFormatVersion,
        exportedAt: clock.now().toISOString(),
        organization: { slug: org.slug, name: org.name, kind: org.kind, demo: org.demo, profile: org.profile },
        registers: registers as unknown as BundleRegisters,
        attestations: (await allAttestations(reads.attestations, org.id)).map(attestationView),
      };
    },
  };
}
