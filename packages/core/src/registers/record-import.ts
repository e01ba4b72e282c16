import {
  type ImportMode,
  type RegisterImportCounts,
  type RegisterType,
  registerDefinitions,
  registerTypes,
} from '@ntg/contracts';
import { AppError, type ErrorIssue } from '../shared/app-error.ts';
import { newId } from '../shared/ids.ts';
import type { RecordStore, StoredRecord } from './record-store.ts';
import { fieldDefaults, recordReferences } from './register-records.ts';

/**
 * What the bundle import and the CSV import share: checking ids and references across many records at once, and
 * turning validated records into one write plan per register (replace or merge) applied in the caller's unit of
 * work.
 */

/** A record that passed its register's input schema; `at` says where it came from, for messages. */
export interface IncomingRecord {
  id: string | undefined;
  name: string;
  owner: string;
  notes: string | null;
  data: Record<string, unknown>;
  /** Locates a field of this record in the file: `registers.mobile-devices[41].ownership`, `row 42, column id`. */
  at(field: string): string;
}

export function toIncoming(parsed: Record<string, unknown>, at: (field: string) => string): IncomingRecord {
  // An input has exactly these meta fields (its schema is strict); the rest is the register's data.
  const { id, name, owner, notes, ...data } = parsed;
  return {
    id: typeof id === 'string' ? id : undefined,
    name: name as string,
    owner: owner as string,
    notes: (notes as string | null | undefined) ?? null,
    data,
    at,
  };
}

/** At most this many problems are listed; a file that is wrong throughout would otherwise answer with megabytes. */
export const maxListedIssues = 1000;

/** One VALIDATION_FAILED error for every problem found, naming the first and how many more there are. */
export function importError(what: string, issues: readonly ErrorIssue[]): AppError {
  const first = issues[0];
  const summary = first === undefined ? 'invalid' : `${first.path}: ${first.message}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  const listed =
    issues.length > maxListedIssues
      ? [
          ...issues.slice(0, maxListedIssues),
          { path: '(more)', message: `${issues.length - maxListedIssues} more problems are not listed` },
        ]
      : [...issues];
  return new AppError('VALIDATION_FAILED', `Invalid ${what}: ${summary}${more}. Nothing was imported.`, {
    issues: listed,
  });
}

/** Record ids must carry their register's prefix and appear once per register in one import. */
export function idIssues(register: RegisterType, records: readonly IncomingRecord[]): ErrorIssue[] {
  const prefix = `${registerDefinitions[register].prefix}_`;
  const seen = new Map<string, IncomingRecord>();
  const issues: ErrorIssue[] = [];
  for (const r of records) {
    if (r.id === undefined) continue;
    if (!r.id.startsWith(prefix)) {
      issues.push({ path: r.at('id'), message: `a ${register} record id starts with "${prefix}"` });
      continue;
    }
    const other = seen.get(r.id);
    if (other !== undefined) issues.push({ path: r.at('id'), message: `"${r.id}" is also used at ${other.at('id')}` });
    else seen.set(r.id, r);
  }
  return issues;
}

/**
 * References from the imported records (app-releases.appId, mobile-devices.byodAgreementId,
 * iot-devices.supplierAgreementId) must name a record that will exist once the import is done: one imported in the
 * same file, or, for a register the import does not replace, one already stored (`stored(target)`).
 */
export async function referenceIssues(
  incoming: Partial<Record<RegisterType, readonly IncomingRecord[]>>,
  stored: (target: RegisterType, ids: readonly string[]) => Promise<Set<string>>,
): Promise<ErrorIssue[]> {
  const issues: ErrorIssue[] = [];
  for (const register of registerTypes) {
    const records = incoming[register];
    const refs = recordReferences[register];
    if (records === undefined || refs === undefined) continue;
    for (const [field, target] of Object.entries(refs)) {
      const imported = new Set((incoming[target] ?? []).map((r) => r.id).filter((id) => id !== undefined));
      const wanted = new Set<string>();
      for (const r of records) {
        const v = r.data[field];
        if (typeof v === 'string' && !imported.has(v)) wanted.add(v);
      }
      const found = wanted.size === 0 ? new Set<string>() : await stored(target, [...wanted]);
      for (const r of records) {
        const v = r.data[field];
        if (typeof v === 'string' && !imported.has(v) && !found.has(v)) {
          issues.push({
            path: r.at(field),
            message: `no ${registerDefinitions[target].label.toLowerCase()} record "${v}" in the file or stored`,
          });
        }
      }
    }
  }
  return issues;
}

/** Looks ids up in chunks: one IN list per query stays under SQLite's bound-parameter limit. */
export async function existingIds(
  store: Pick<RecordStore, 'exists'>,
  organizationId: string,
  register: RegisterType,
  ids: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const id of await store.exists(organizationId, register, ids.slice(i, i + 500))) found.add(id);
  }
  return found;
}

export interface RegisterPlan {
  organizationId: string;
  register: RegisterType;
  mode: ImportMode;
  /** replace: every record the register holds afterwards; merge: the records new to it. */
  inserts: StoredRecord[];
  /** merge only: changed records, written at the revision read in this unit of work. */
  updates: { record: StoredRecord; expectedRevision: number }[];
  counts: RegisterImportCounts;
  /** The ids the register holds once the plan is applied. */
  idsAfter: Set<string>;
}

/** Equality of JSON values, object keys in any order. Allocates nothing: it runs once per record of an import. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const k in x) {
    keys += 1;
    if (!(k in y) || !sameJson(x[k], y[k])) return false;
  }
  for (const _ in y) keys -= 1;
  return keys === 0;
}

/**
 * Whether an imported record says what the stored one says. A field the stored record predates reads as its
 * default (as `toRecord` shows it); a stored field the schema no longer has makes it differ, so it is rewritten.
 */
function sameContent(register: RegisterType, stored: StoredRecord, r: IncomingRecord): boolean {
  if (stored.name !== r.name || stored.owner !== r.owner || stored.notes !== r.notes) return false;
  const defaults = fieldDefaults(register);
  for (const key in r.data) {
    const before = key in stored.data ? stored.data[key] : defaults[key];
    if (!sameJson(before, r.data[key])) return false;
  }
  for (const key in stored.data) if (!(key in r.data)) return false;
  return true;
}

/**
 * The writes that make one register hold the imported records. A record whose content is unchanged keeps its
 * revision and timestamps; a changed one gets the next revision, so a person editing it from an older read gets a
 * conflict instead of silently overwriting the import (in replace mode too, where rows are rewritten).
 */
export function planRegister(args: {
  organizationId: string;
  register: RegisterType;
  mode: ImportMode;
  incoming: readonly IncomingRecord[];
  existing: readonly StoredRecord[];
  now: string;
}): RegisterPlan {
  const { organizationId, register, mode, now } = args;
  const prefix = registerDefinitions[register].prefix;
  const existing = new Map(args.existing.map((r) => [r.id, r]));
  const counts: RegisterImportCounts = { created: 0, updated: 0, unchanged: 0, deleted: 0 };
  const inserts: StoredRecord[] = [];
  const updates: RegisterPlan['updates'] = [];
  const idsAfter = new Set<string>(mode === 'merge' ? existing.keys() : []);
  for (const r of args.incoming) {
    const before = r.id === undefined ? undefined : existing.get(r.id);
    if (before === undefined) {
      const id = r.id ?? newId(prefix);
      idsAfter.add(id);
      counts.created += 1;
      inserts.push({
        organizationId,
        register,
        id,
        name: r.name,
        owner: r.owner,
        notes: r.notes,
        data: r.data,
        revision: 1,
        createdAt: now,
        updatedAt: now,
      });
      continue;
    }
    idsAfter.add(before.id);
    if (sameContent(register, before, r)) {
      counts.unchanged += 1;
      if (mode === 'replace') inserts.push(before);
    } else {
      counts.updated += 1;
      const after: StoredRecord = {
        ...before,
        name: r.name,
        owner: r.owner,
        notes: r.notes,
        data: r.data,
        revision: before.revision + 1,
        updatedAt: now,
      };
      if (mode === 'replace') inserts.push(after);
      else updates.push({ record: after, expectedRevision: before.revision });
    }
  }
  if (mode === 'replace') counts.deleted = [...existing.keys()].filter((id) => !idsAfter.has(id)).length;
  return { organizationId, register, mode, inserts, updates, counts, idsAfter };
}

/** Applies a plan with the stores of the caller's unit of work. */
export async function applyPlan(
  store: Pick<RecordStore, 'deleteAll' | 'insertMany' | 'update'>,
  plan: RegisterPlan,
): Promise<void> {
  const { created, updated, deleted } = plan.counts;
  // Nothing to write: leave the rows (and the database's pages) alone.
  if (created === 0 && updated === 0 && deleted === 0) return;
  if (plan.mode === 'replace') await store.deleteAll(plan.organizationId, plan.register);
  await store.insertMany(plan.inserts);
  for (const u of plan.updates) {
    if (!(await store.update(u.record, u.expectedRevision))) {
      throw new AppError(
        'CONFLICT',
        `The ${plan.register} record "${u.record.id}" changed while importing; nothing was imported, try again.`,
      );
    }
  }
}

export function zeroImportCounts(): RegisterImportCounts {
  return { created: 0, updated: 0, unchanged: 0, deleted: 0 };
}
