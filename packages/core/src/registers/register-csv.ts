import {
  type CsvImportResult,
  type ImportMode,
  isoDate,
  type RegisterType,
  recordInputSchemaOf,
  registerDefinitions,
  registerTypes,
} from '@ntg/contracts';
import { z } from 'zod';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import type { OrganizationService } from '../organizations/organization-service.ts';
import type { ErrorIssue } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { CsvSyntaxError, decodeCsv, formatCsv, guardText, parseCsv, utf8Bom } from './csv-format.ts';
import {
  applyPlan,
  existingIds,
  type IncomingRecord,
  idIssues,
  importError,
  planRegister,
  referenceIssues,
  toIncoming,
} from './record-import.ts';
import type { RecordStore, StoredRecord } from './record-store.ts';
import { recordReferences, toRecord } from './register-records.ts';
import type { RecordChangeListener } from './register-service.ts';

/**
 * One CSV file per register, for people who keep registers in Excel (docs/csv-format.md). The columns are the meta
 * fields (id, name, owner, notes), then every field of the register in schema order: a nested object is flattened
 * with dots (operatorAccessControls.twoFactor), a list is joined with ";", a list of objects (iot-devices
 * openServices) is JSON in one cell. Booleans are true/false; an empty cell is "not recorded" (null), or the
 * field's default where the field has one.
 */

export type CsvCellKind = 'text' | 'date' | 'boolean' | 'number' | 'list' | 'json';

export interface CsvColumn {
  /** The header: the field name, with dots for a nested field. */
  name: string;
  path: readonly string[];
  kind: CsvCellKind;
  /** An empty cell is null (not recorded) rather than the field's default. */
  nullable: boolean;
  /** The header must have this column: the field has no default and cannot be empty. */
  required: boolean;
}

function unwrap(schema: z.ZodType): { inner: z.ZodType; nullable: boolean; optional: boolean } {
  let inner = schema;
  let nullable = false;
  let optional = false;
  for (;;) {
    if (inner instanceof z.ZodDefault) {
      optional = true;
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodOptional) {
      optional = true;
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodNullable) {
      nullable = true;
      inner = inner.unwrap() as z.ZodType;
    } else {
      return { inner, nullable, optional };
    }
  }
}

function kindOf(inner: z.ZodType): CsvCellKind {
  if (inner instanceof z.ZodBoolean) return 'boolean';
  if (inner instanceof z.ZodNumber) return 'number';
  if (inner === isoDate) return 'date';
  if (isText(inner)) return 'text';
  if (inner instanceof z.ZodArray) return isText(unwrap(inner.element as z.ZodType).inner) ? 'list' : 'json';
  return 'json';
}

/** Strings, string formats (z.url()) and enums: one cell of text. */
function isText(schema: z.ZodType): boolean {
  return schema instanceof z.ZodString || schema instanceof z.ZodStringFormat || schema instanceof z.ZodEnum;
}

function columnsFor(key: string, schema: z.ZodType, parentRequired: boolean, prefix: string[]): CsvColumn[] {
  const { inner, nullable, optional } = unwrap(schema);
  const path = [...prefix, key];
  const required = parentRequired && !nullable && !optional;
  if (inner instanceof z.ZodObject) {
    return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([k, s]) =>
      columnsFor(k, s, required, path),
    );
  }
  return [{ name: path.join('.'), path, kind: kindOf(inner), nullable, required }];
}

const columnsCache = new Map<RegisterType, CsvColumn[]>();

/** The documented columns of a register's CSV file, in order. */
export function csvColumnsOf(register: RegisterType): CsvColumn[] {
  let columns = columnsCache.get(register);
  if (columns === undefined) {
    const shape = recordInputSchemaOf(register).shape as Record<string, z.ZodType>;
    const meta = ['id', 'name', 'owner', 'notes'];
    const fields = Object.keys(registerDefinitions[register].fields.shape);
    columns = [...meta, ...fields].flatMap((key) => {
      const schema = shape[key];
      return schema === undefined ? [] : columnsFor(key, schema, true, []);
    });
    columnsCache.set(register, columns);
  }
  return columns;
}

function unguardText(value: string): string {
  return value.startsWith("'") ? value.slice(1) : value;
}

/** Dates as Excel in Taiwan re-saves them (2026/3/31) or people type them (2026-3-31), in the register's form. */
function normalizeDate(value: string): string {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(value);
  if (m === null) return value;
  return `${m[1]}-${(m[2] ?? '').padStart(2, '0')}-${(m[3] ?? '').padStart(2, '0')}`;
}

const numberText = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

type Decoded = { ok: true; value: unknown } | { ok: false; message: string };

/** A cell as the value the register's schema then checks; undefined lets the field's default apply. */
function decodeCell(column: CsvColumn, raw: string): Decoded {
  const cell = column.kind === 'text' || column.kind === 'list' ? raw : raw.trim();
  if (cell.trim() === '') {
    if (column.kind === 'list') return { ok: true, value: [] };
    return { ok: true, value: column.nullable ? null : undefined };
  }
  switch (column.kind) {
    case 'text':
      return { ok: true, value: unguardText(cell) };
    case 'date':
      return { ok: true, value: normalizeDate(cell) };
    case 'boolean': {
      const lower = cell.toLowerCase();
      if (lower === 'true') return { ok: true, value: true };
      if (lower === 'false') return { ok: true, value: false };
      return { ok: false, message: `"${cell}" is not true or false (leave the cell empty when not recorded)` };
    }
    case 'number':
      return numberText.test(cell)
        ? { ok: true, value: Number(cell) }
        : { ok: false, message: `"${cell}" is not a number` };
    case 'list':
      return {
        ok: true,
        value: unguardText(cell)
          .split(';')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      };
    case 'json':
      try {
        return { ok: true, value: JSON.parse(cell) };
      } catch {
        return { ok: false, message: 'is not valid JSON (a list of objects is written as JSON in one cell)' };
      }
  }
}

function encodeCell(column: CsvColumn, value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (column.kind) {
    case 'boolean':
      return value === true ? 'true' : 'false';
    case 'number':
      return String(value);
    case 'list':
      return Array.isArray(value) ? guardText(value.join(';')) : '';
    case 'json':
      return Array.isArray(value) && value.length === 0 ? '' : JSON.stringify(value);
    case 'date':
      return String(value);
    case 'text':
      return guardText(String(value));
  }
}

function valueAt(record: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = record;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** The CSV text of records of one register (no BOM): header, then one row per record. */
export function recordsToCsv(register: RegisterType, records: readonly Record<string, unknown>[]): string {
  const columns = csvColumnsOf(register);
  const rows: string[][] = [columns.map((c) => c.name)];
  for (const r of records) rows.push(columns.map((c) => encodeCell(c, valueAt(r, c.path))));
  return formatCsv(rows);
}

const at = (row: number, column?: string) => (column === undefined ? `row ${row}` : `row ${row}, column ${column}`);

/** Which column a zod issue is about, and the rest of its path for the message (a list item, a JSON member). */
function columnOfIssue(
  byName: ReadonlyMap<string, CsvColumn>,
  path: readonly PropertyKey[],
): { column: string; rest: string } {
  for (let n = Math.min(path.length, 2); n >= 1; n--) {
    const name = path.slice(0, n).map(String).join('.');
    if (byName.has(name)) {
      const rest = path
        .slice(n)
        .map((p) => (typeof p === 'number' ? `item ${p + 1}` : String(p)))
        .join(' ');
      return { column: name, rest };
    }
  }
  return { column: path.map(String).join('.') || '(row)', rest: '' };
}

export interface ParsedCsv {
  records: IncomingRecord[];
  issues: ErrorIssue[];
  rows: number;
}

/**
 * Reads a register's CSV into validated records, collecting a problem per bad cell of every row (with the row
 * number as a spreadsheet shows it: the header is row 1). Never throws for content; a file that cannot be read
 * at all (not UTF-8, broken quoting, wrong header) is one VALIDATION_FAILED error.
 */
export function parseRegisterCsv(register: RegisterType, input: string | Uint8Array): ParsedCsv {
  const text = decodeCsv(input);
  const columns = csvColumnsOf(register);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const byLowerName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const schema = recordInputSchemaOf(register);
  const issues: ErrorIssue[] = [];
  const records: IncomingRecord[] = [];
  let mapping: (CsvColumn | null)[] | null = null;
  let rows = 0;

  const onHeader = (cells: string[]) => {
    const headerIssues: ErrorIssue[] = [];
    const seen = new Set<string>();
    mapping = cells.map((cell) => {
      const name = cell.trim();
      if (name === '') return null;
      const column = byLowerName.get(name.toLowerCase());
      if (column === undefined) {
        headerIssues.push({
          path: at(1, name),
          message: `not a column of ${register}; the columns are listed in docs/csv-format.md`,
        });
        return null;
      }
      if (seen.has(column.name)) headerIssues.push({ path: at(1, name), message: 'appears twice' });
      seen.add(column.name);
      return column;
    });
    for (const c of columns) {
      if (c.required && !seen.has(c.name))
        headerIssues.push({ path: at(1, c.name), message: 'missing; it is required' });
    }
    if (headerIssues.length > 0) throw importError(`${register} CSV header`, headerIssues);
  };

  const onRow = (cells: string[], row: number, cols: readonly (CsvColumn | null)[]) => {
    // Excel leaves rows of empty cells where rows were cleared: they are no records.
    if (cells.every((c) => c.trim() === '')) return;
    rows += 1;
    const input: Record<string, unknown> = {};
    // Columns already reported: the schema would only repeat that their cell is missing.
    const reported = new Set<string>();
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] ?? '';
      const column = cols[i];
      if (column === undefined || column === null) {
        if (cell.trim() !== '') {
          issues.push({ path: at(row, `${i + 1}`), message: 'a value in a column without a (known) header' });
          reported.add(`#${i}`);
        }
        continue;
      }
      const decoded = decodeCell(column, cell);
      if (!decoded.ok) {
        issues.push({ path: at(row, column.name), message: decoded.message });
        reported.add(column.name);
        continue;
      }
      if (decoded.value === undefined) continue;
      if (column.path.length === 1) input[column.name] = decoded.value;
      else {
        const [parent, child] = column.path as [string, string];
        const obj = (input[parent] ?? {}) as Record<string, unknown>;
        obj[child] = decoded.value;
        input[parent] = obj;
      }
    }
    const result = schema.safeParse(input);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const { column, rest } = columnOfIssue(byName, issue.path);
        if (reported.has(column)) continue;
        issues.push({ path: at(row, column), message: rest === '' ? issue.message : `${rest}: ${issue.message}` });
      }
      return;
    }
    if (reported.size > 0) return;
    records.push(
      toIncoming(result.data as Record<string, unknown>, (field) => at(row, byName.has(field) ? field : undefined)),
    );
  };

  try {
    parseCsv(text, (cells, row) => {
      if (mapping === null) onHeader(cells);
      else onRow(cells, row, mapping);
    });
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw importError(`${register} CSV`, [{ path: at(error.row), message: error.message }]);
    }
    throw error;
  }
  if (mapping === null) throw importError(`${register} CSV`, [{ path: at(1), message: 'the file is empty' }]);
  issues.push(...idIssues(register, records));
  return { records, issues, rows };
}

interface Stores {
  records: Pick<RecordStore, 'all' | 'exists' | 'insertMany' | 'deleteAll' | 'update'>;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

export interface RegisterCsvService {
  /**
   * Imports one register from CSV: every bad row is reported (nothing is written if any row is bad), then the
   * register is replaced or merged in one unit of work with one `register.csv-import` audit entry.
   */
  importCsv(
    ctx: ActorContext,
    orgRef: string,
    register: RegisterType,
    input: string | Uint8Array,
    options: { mode: ImportMode },
  ): Promise<CsvImportResult>;
  /** The register as CSV text with a UTF-8 byte order mark, so Excel shows Chinese text correctly. */
  exportCsv(orgRef: string, register: RegisterType): Promise<string>;
}

export function createRegisterCsvService(deps: {
  uow: UnitOfWork<Stores>;
  reads: { organizations: Pick<OrganizationService, 'get'>; records: Pick<RecordStore, 'all'> };
  audit: AuditTrail;
  clock: Clock;
  listener?: RecordChangeListener;
}): RegisterCsvService {
  const { uow, reads, audit, clock } = deps;

  /** Records of other registers that point into `register` at ids the import would remove (replace mode). */
  async function danglingIssues(
    store: Pick<RecordStore, 'all'>,
    organizationId: string,
    register: RegisterType,
    idsAfter: ReadonlySet<string>,
  ): Promise<ErrorIssue[]> {
    const issues: ErrorIssue[] = [];
    for (const from of registerTypes) {
      for (const [field, target] of Object.entries(recordReferences[from] ?? {})) {
        if (target !== register) continue;
        for (const r of await store.all(organizationId, from)) {
          const v = r.data[field];
          if (typeof v === 'string' && !idsAfter.has(v)) {
            issues.push({
              path: `${from} ${r.id}`,
              message: `"${r.name}" refers to ${v} in ${field}, which this file would remove; import it too, or change the reference first`,
            });
          }
        }
      }
    }
    return issues;
  }

  return {
    async importCsv(ctx, orgRef, register, input, options) {
      const { mode } = options;
      const org = await reads.organizations.get(orgRef);
      const parsed = parseRegisterCsv(register, input);
      const what = `${register} CSV`;
      const result = await uow.run(async (s) => {
        await s.audit.lockHead(org.id);
        const existing: StoredRecord[] = await s.records.all(org.id, register);
        const issues = [...parsed.issues];
        // The file holds one register: references out of it resolve against what is stored.
        issues.push(
          ...(await referenceIssues({ [register]: parsed.records }, (target, ids) =>
            existingIds(s.records, org.id, target, ids),
          )),
        );
        const plan = planRegister({
          organizationId: org.id,
          register,
          mode,
          incoming: parsed.records,
          existing,
          now: clock.now().toISOString(),
        });
        if (mode === 'replace' && issues.length === 0) {
          issues.push(...(await danglingIssues(s.records, org.id, register, plan.idsAfter)));
        }
        if (issues.length > 0) throw importError(what, issues);
        await audit.record(s.audit, ctx, {
          organizationId: org.id,
          action: 'register.csv-import',
          objectType: register,
          objectId: null,
          details: { mode, rows: parsed.rows, ...plan.counts },
        });
        await applyPlan(s.records, plan);
        return { register, mode, rows: parsed.rows, counts: plan.counts } satisfies CsvImportResult;
      });
      deps.listener?.recordsChanged(org.id);
      return result;
    },

    async exportCsv(orgRef, register) {
      const org = await reads.organizations.get(orgRef);
      const records = (await reads.records.all(org.id, register)).map((r) =>
        toRecord(r as StoredRecord & { register: typeof register }),
      );
      return utf8Bom + recordsToCsv(register, records as unknown as Record<string, unknown>[]);
    },
  };
}
