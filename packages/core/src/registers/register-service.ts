import {
  type RegisterQuery,
  type RegisterRecord,
  type RegisterType,
  registerDefinitions,
  registerTypes,
} from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import { AppError, type ErrorIssue } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { parseInput } from '../shared/validation.ts';
import type { RecordField, RecordPageQuery, RecordStore, StoredRecord } from './record-store.ts';
import { fieldNamesOf, inputSchemaOf, recordReferences, splitInput, toRecord } from './register-records.ts';

interface Stores {
  records: RecordStore;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

export interface RecordChangeListener {
  /** Called after a change commits, so evaluation can rerun (A-rules depend on register data). */
  recordsChanged(organizationId: string): void;
}

export interface RegisterPage<R extends RegisterType> {
  records: RegisterRecord<R>[];
  total: number;
  offset: number;
  limit: number;
}

export interface RegisterService {
  create<R extends RegisterType>(
    ctx: ActorContext,
    organizationId: string,
    register: R,
    input: unknown,
  ): Promise<RegisterRecord<R>>;
  replace<R extends RegisterType>(
    ctx: ActorContext,
    organizationId: string,
    register: R,
    id: string,
    input: unknown,
    expectedRevision: number,
  ): Promise<RegisterRecord<R>>;
  remove(
    ctx: ActorContext,
    organizationId: string,
    register: RegisterType,
    id: string,
    expectedRevision: number,
  ): Promise<void>;
  get<R extends RegisterType>(organizationId: string, register: R, id: string): Promise<RegisterRecord<R>>;
  page<R extends RegisterType>(organizationId: string, register: R, query: RegisterQuery): Promise<RegisterPage<R>>;
  all<R extends RegisterType>(organizationId: string, register: R): Promise<RegisterRecord<R>[]>;
  counts(organizationId: string): Promise<Record<RegisterType, number>>;
}

function diff(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      out[key] = { from: before[key] ?? null, to: after[key] ?? null };
  }
  return out;
}

/** Parses `field:value,field:value` filters against the register's own fields. */
export function parseFilters(register: RegisterType, filter: string | undefined): RecordPageQuery['filters'] {
  if (filter === undefined || filter.trim() === '') return [];
  const names = fieldNamesOf(register);
  const issues: ErrorIssue[] = [];
  const filters: RecordPageQuery['filters'] = [];
  for (const part of filter.split(',')) {
    const i = part.indexOf(':');
    const field = i < 0 ? part.trim() : part.slice(0, i).trim();
    const raw = i < 0 ? '' : part.slice(i + 1).trim();
    if (!names.has(field)) {
      issues.push({ path: 'filter', message: `"${field}" is not a field of ${register}` });
      continue;
    }
    const value =
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw === 'null'
            ? null
            : /^-?\d+(\.\d+)?$/.test(raw)
              ? Number(raw)
              : raw;
    filters.push({ field, value });
  }
  if (issues.length > 0) throw new AppError('VALIDATION_FAILED', issues.map((x) => x.message).join('; '), { issues });
  return filters;
}

function sortKey(register: RegisterType, sort: string): RecordField {
  if (sort === 'name' || sort === 'owner' || sort === 'updatedAt' || sort === 'createdAt') return { column: sort };
  if (!fieldNamesOf(register).has(sort)) {
    throw new AppError('VALIDATION_FAILED', `Cannot sort ${register} by "${sort}": not one of its fields.`, {
      issues: [{ path: 'sort', message: 'unknown field' }],
    });
  }
  return { field: sort };
}

export function createRegisterService(deps: {
  uow: UnitOfWork<Stores>;
  records: Pick<RecordStore, 'get' | 'page' | 'all' | 'counts'>;
  audit: AuditTrail;
  clock: Clock;
  listener?: RecordChangeListener;
}): RegisterService {
  const { uow, records, audit, clock } = deps;
  const changed = (organizationId: string) => deps.listener?.recordsChanged(organizationId);

  async function checkReferences(
    store: Pick<RecordStore, 'exists'>,
    organizationId: string,
    register: RegisterType,
    data: Record<string, unknown>,
  ) {
    const refs = recordReferences[register];
    if (refs === undefined) return;
    const issues: ErrorIssue[] = [];
    for (const [field, target] of Object.entries(refs)) {
      const value = data[field];
      if (typeof value !== 'string') continue;
      const found = await store.exists(organizationId, target, [value]);
      if (!found.has(value))
        issues.push({
          path: field,
          message: `no ${registerDefinitions[target].label.toLowerCase()} record "${value}"`,
        });
    }
    if (issues.length > 0) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Invalid ${register} record: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`,
        { issues },
      );
    }
  }

  async function getStored(
    store: Pick<RecordStore, 'get'>,
    organizationId: string,
    register: RegisterType,
    id: string,
  ) {
    const stored = await store.get(organizationId, register, id);
    if (stored === null) throw new AppError('NOT_FOUND', `No ${register} record "${id}".`);
    return stored;
  }

  return {
    async create(ctx, organizationId, register, raw) {
      const input = parseInput(inputSchemaOf(register), raw, `${register} record`) as Record<string, unknown>;
      const { meta, data } = splitInput(input);
      const now = clock.now().toISOString();
      const stored: StoredRecord = {
        organizationId,
        register,
        id: typeof meta.id === 'string' ? meta.id : newId(registerDefinitions[register].prefix),
        name: meta.name as string,
        owner: meta.owner as string,
        notes: (meta.notes as string | null | undefined) ?? null,
        data,
        revision: 1,
        createdAt: now,
        updatedAt: now,
      };
      if (!stored.id.startsWith(`${registerDefinitions[register].prefix}_`)) {
        throw new AppError(
          'VALIDATION_FAILED',
          `A ${register} record id starts with "${registerDefinitions[register].prefix}_".`,
          {
            issues: [{ path: 'id', message: 'wrong prefix' }],
          },
        );
      }
      await uow.run(async (s) => {
        await checkReferences(s.records, organizationId, register, data);
        if ((await s.records.get(organizationId, register, stored.id)) !== null) {
          throw new AppError('CONFLICT', `A ${register} record "${stored.id}" already exists.`);
        }
        await s.records.insert(stored);
        await audit.record(s.audit, ctx, {
          organizationId,
          action: 'register.create',
          objectType: register,
          objectId: stored.id,
          details: { name: stored.name, owner: stored.owner, fields: data },
        });
      });
      changed(organizationId);
      return toRecord(stored as StoredRecord & { register: typeof register });
    },

    async replace(ctx, organizationId, register, id, raw, expectedRevision) {
      const input = parseInput(inputSchemaOf(register), raw, `${register} record`) as Record<string, unknown>;
      const { meta, data } = splitInput(input);
      if (meta.id !== undefined && meta.id !== id) {
        throw new AppError('VALIDATION_FAILED', 'The id in the body differs from the id in the path.', {
          issues: [{ path: 'id', message: 'does not match the path' }],
        });
      }
      const result = await uow.run(async (s) => {
        const before = await getStored(s.records, organizationId, register, id);
        if (before.revision !== expectedRevision) {
          throw new AppError(
            'CONFLICT',
            `The ${register} record "${id}" changed since revision ${expectedRevision} (now ${before.revision}); reload it and try again.`,
          );
        }
        await checkReferences(s.records, organizationId, register, data);
        const after: StoredRecord = {
          ...before,
          name: meta.name as string,
          owner: meta.owner as string,
          notes: (meta.notes as string | null | undefined) ?? null,
          data,
          revision: before.revision + 1,
          updatedAt: clock.now().toISOString(),
        };
        if (!(await s.records.update(after, expectedRevision))) {
          throw new AppError('CONFLICT', `The ${register} record "${id}" changed meanwhile; reload it and try again.`);
        }
        const changes = diff(
          { name: before.name, owner: before.owner, notes: before.notes, ...before.data },
          { name: after.name, owner: after.owner, notes: after.notes, ...after.data },
        );
        await audit.record(s.audit, ctx, {
          organizationId,
          action: 'register.update',
          objectType: register,
          objectId: id,
          details: { revision: after.revision, changes },
        });
        return after;
      });
      changed(organizationId);
      return toRecord(result as StoredRecord & { register: typeof register });
    },

    async remove(ctx, organizationId, register, id, expectedRevision) {
      await uow.run(async (s) => {
        const before = await getStored(s.records, organizationId, register, id);
        if (before.revision !== expectedRevision) {
          throw new AppError(
            'CONFLICT',
            `The ${register} record "${id}" changed since revision ${expectedRevision}; reload it first.`,
          );
        }
        await s.records.delete(organizationId, register, id);
        // The whole record goes into the trail: a deletion loses nothing an inspector may ask for.
        await audit.record(s.audit, ctx, {
          organizationId,
          action: 'register.delete',
          objectType: register,
          objectId: id,
          details: {
            name: before.name,
            owner: before.owner,
            notes: before.notes,
            fields: before.data,
            revision: before.revision,
          },
        });
      });
      changed(organizationId);
    },

    async get(organizationId, register, id) {
      return toRecord(
        (await getStored(records, organizationId, register, id)) as StoredRecord & { register: typeof register },
      );
    },

    async page(organizationId, register, query) {
      const result = await records.page(organizationId, register, {
        sort: sortKey(register, query.sort),
        order: query.order,
        search: query.q,
        owner: query.owner,
        filters: parseFilters(register, query.filter),
        offset: query.offset,
        limit: query.limit,
      });
      return {
        records: result.rows.map((r) => toRecord(r as StoredRecord & { register: typeof register })),
        total: result.total,
        offset: query.offset,
        limit: query.limit,
      };
    },

    async all(organizationId, register) {
      return (await records.all(organizationId, register)).map((r) =>
        toRecord(r as StoredRecord & { register: typeof register }),
      );
    },

    async counts(organizationId) {
      const c = await records.counts(organizationId);
      return Object.fromEntries(registerTypes.map((r) => [r, c[r] ?? 0])) as Record<RegisterType, number>;
    },
  };
}
