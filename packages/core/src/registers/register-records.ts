import { type RegisterRecord, type RegisterType, recordInputSchemaOf, registerDefinitions } from '@ntg/contracts';
import type { StoredRecord } from './record-store.ts';

const metaKeys = new Set(['id', 'owner', 'name', 'notes', 'revision', 'createdAt', 'updatedAt']);
const defaultsCache = new Map<RegisterType, Record<string, unknown>>();

/** The register's field defaults: fields added after a record was stored read as "not recorded", not as missing. */
export function fieldDefaults(register: RegisterType): Record<string, unknown> {
  let d = defaultsCache.get(register);
  if (d === undefined) {
    d = registerDefinitions[register].fields.partial().parse({}) as Record<string, unknown>;
    defaultsCache.set(register, d);
  }
  return d;
}

/**
 * The flat record people and rules see: meta fields beside the register's fields. It takes over `stored.data`
 * (read fresh from the database) instead of copying it: a spread of fifty fields per record turns a run over
 * 100,000 devices into a copying exercise, and leaves V8 with slow dictionary-mode objects.
 */
export function toRecord<R extends RegisterType>(stored: StoredRecord & { register: R }): RegisterRecord<R> {
  const record = stored.data;
  const defaults = fieldDefaults(stored.register);
  for (const key in defaults) if (!(key in record)) record[key] = defaults[key];
  record.id = stored.id;
  record.owner = stored.owner;
  record.name = stored.name;
  record.notes = stored.notes;
  record.revision = stored.revision;
  record.createdAt = stored.createdAt;
  record.updatedAt = stored.updatedAt;
  return record as RegisterRecord<R>;
}

/** Splits a validated input into meta and data for storage. */
export function splitInput(input: Record<string, unknown>): {
  meta: Record<string, unknown>;
  data: Record<string, unknown>;
} {
  const meta: Record<string, unknown> = {};
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (metaKeys.has(k)) meta[k] = v;
    else data[k] = v;
  }
  return { meta, data };
}

/** The fields a register page may sort and filter on: its own schema keys (never free text into SQL). */
export function fieldNamesOf(register: RegisterType): Set<string> {
  return new Set(Object.keys(registerDefinitions[register].fields.shape));
}

export function inputSchemaOf(register: RegisterType) {
  return recordInputSchemaOf(register);
}

/** Fields that point at a record of another register; the target must exist in the same organization. */
export const recordReferences: Partial<Record<RegisterType, Record<string, RegisterType>>> = {
  'app-releases': { appId: 'mobile-apps' },
  'mobile-devices': { byodAgreementId: 'byod-agreements' },
  'iot-devices': { supplierAgreementId: 'supplier-agreements' },
};
