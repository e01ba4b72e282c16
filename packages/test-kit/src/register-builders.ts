import type { Catalog } from '@ntg/catalog';
import {
  type Organization,
  profileFlagSchema,
  type RegisterRecord,
  type RegisterType,
  recordSchemaOf,
  registerDefinitions,
  registerTypes,
} from '@ntg/contracts';
import type { RegisterSnapshot, RuleContext } from '@ntg/core';
import { defaultCadencePolicy, emptyEvidenceIndex, taipeiDate } from '@ntg/core';

let counter = 0;

/**
 * A valid record of register R: meta fields filled in, the register's defaults applied (facts not recorded),
 * and the given fields on top. Parsed through the register's schema, so a test cannot build an impossible record.
 */
export function makeRecord<R extends RegisterType>(
  register: R,
  fields: Partial<RegisterRecord<R>> & Record<string, unknown>,
): RegisterRecord<R> {
  counter += 1;
  const prefix = registerDefinitions[register].prefix;
  const raw = {
    id: `${prefix}_test${String(counter).padStart(8, '0')}`,
    owner: 'Information Security Dept.',
    name: `${register} ${counter}`,
    notes: null,
    revision: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
  return recordSchemaOf(register).parse(raw) as unknown as RegisterRecord<R>;
}

export function emptySnapshot(): RegisterSnapshot {
  return Object.fromEntries(registerTypes.map((r) => [r, []])) as unknown as RegisterSnapshot;
}

export function snapshotWith(records: Partial<{ [R in RegisterType]: RegisterRecord<R>[] }>): RegisterSnapshot {
  return { ...emptySnapshot(), ...records } as RegisterSnapshot;
}

/** An organization that answers yes to every scope question, for rule tests. */
export function testOrganization(overrides: Partial<Organization> = {}): Organization {
  return {
    id: 'org_test000000000000',
    slug: 'test-securities',
    name: 'Test Securities',
    kind: 'securities',
    demo: false,
    profile: Object.fromEntries(profileFlagSchema.options.map((f) => [f, true])) as Organization['profile'],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A rule context for one catalog node at a given instant (default: 2026-06-15 10:00 Taipei). */
export function ruleContextFor(
  catalog: Catalog,
  nodeId: string,
  registers: RegisterSnapshot,
  options: { now?: Date; organization?: Organization } = {},
): RuleContext {
  const node = catalog.get(nodeId);
  if (node === undefined) throw new Error(`no catalog node ${nodeId}`);
  const now = options.now ?? new Date('2026-06-15T02:00:00.000Z');
  return {
    organization: options.organization ?? testOrganization(),
    node,
    now,
    today: taipeiDate(now),
    registers,
    evidence: emptyEvidenceIndex,
    cadencePolicy: defaultCadencePolicy,
  };
}
