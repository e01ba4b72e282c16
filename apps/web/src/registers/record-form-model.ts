import { isoDate, type RegisterType, recordInputSchemaOf } from '@ntg/contracts';
import type { z } from 'zod';

/**
 * A register's create/edit form is generated from its contract schema, so a field added to the contract appears
 * in the console without a second description of it. Each field gets a control by its type; the form keeps the
 * control's own representation (text as strings, facts as 'true' / 'false' / ''), converted back to the contract's
 * input on submit and validated with the same schema the server uses.
 */

export type FieldControl =
  | { kind: 'text'; multiline: boolean }
  | { kind: 'date' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  /** A compliance fact: yes, no, or not recorded (null), which rules treat differently. */
  | { kind: 'fact' }
  | { kind: 'enum'; options: string[] }
  | { kind: 'enum-list'; options: string[] }
  | { kind: 'text-list' }
  | { kind: 'group'; fields: FieldSpec[] }
  /** Lists of structured values (a scan's open services): edited as JSON. */
  | { kind: 'json' };

export interface FieldSpec {
  name: string;
  /** Dotted path in the form values and in error keys. */
  path: string;
  control: FieldControl;
  nullable: boolean;
  required: boolean;
}

type AnySchema = z.core.$ZodType;

function def(schema: AnySchema) {
  return schema._zod.def as unknown as {
    type: string;
    innerType?: AnySchema;
    element?: AnySchema;
    entries?: Record<string, string>;
    shape?: Record<string, AnySchema>;
  };
}

function unwrap(schema: AnySchema): { inner: AnySchema; nullable: boolean; optional: boolean } {
  let inner = schema;
  let nullable = false;
  let optional = false;
  for (;;) {
    const d = def(inner);
    if (d.type === 'nullable') nullable = true;
    else if (d.type === 'default' || d.type === 'optional') optional = true;
    else break;
    if (d.innerType === undefined) break;
    inner = d.innerType;
  }
  return { inner, nullable, optional };
}

function controlOf(schema: AnySchema, path: string, nullable: boolean): FieldControl {
  if (schema === (isoDate as AnySchema)) return { kind: 'date' };
  const d = def(schema);
  switch (d.type) {
    case 'string': {
      const max = (schema as unknown as { maxLength: number | null }).maxLength;
      return { kind: 'text', multiline: max !== null && max > 300 };
    }
    case 'number':
      return { kind: 'number' };
    case 'boolean':
      return nullable ? { kind: 'fact' } : { kind: 'boolean' };
    case 'enum':
      return { kind: 'enum', options: Object.values(d.entries ?? {}) };
    case 'array': {
      const element = d.element === undefined ? undefined : unwrap(d.element).inner;
      if (element === undefined) return { kind: 'json' };
      const e = def(element);
      if (e.type === 'enum') return { kind: 'enum-list', options: Object.values(e.entries ?? {}) };
      if (e.type === 'string') return { kind: 'text-list' };
      return { kind: 'json' };
    }
    case 'object':
      return { kind: 'group', fields: specsOf(d.shape ?? {}, `${path}.`) };
    default:
      return { kind: 'json' };
  }
}

function specsOf(shape: Record<string, AnySchema>, prefix: string): FieldSpec[] {
  return Object.entries(shape).map(([name, schema]) => {
    const { inner, nullable, optional } = unwrap(schema);
    const path = `${prefix}${name}`;
    return { name, path, control: controlOf(inner, path, nullable), nullable, required: !nullable && !optional };
  });
}

/** The fields a person fills in for register R: name, owner and notes first, then the register's own. */
export function fieldSpecsOf(register: RegisterType): FieldSpec[] {
  const { id: _id, ...shape } = recordInputSchemaOf(register).shape as Record<string, AnySchema>;
  return specsOf(shape, '');
}

export type FormValues = Record<string, unknown>;

function toFormValue(spec: FieldSpec, value: unknown): unknown {
  const c = spec.control;
  switch (c.kind) {
    case 'text':
    case 'date':
      return typeof value === 'string' ? value : '';
    case 'number':
      return typeof value === 'number' ? String(value) : '';
    case 'boolean':
      return value === true;
    case 'fact':
      return value === true ? 'true' : value === false ? 'false' : '';
    case 'enum':
      return typeof value === 'string' ? value : null;
    case 'enum-list':
    case 'text-list':
      return Array.isArray(value) ? value.map(String) : [];
    case 'group': {
      const obj = (value ?? {}) as Record<string, unknown>;
      return Object.fromEntries(c.fields.map((f) => [f.name, toFormValue(f, obj[f.name])]));
    }
    case 'json':
      return value === undefined || value === null ? '' : JSON.stringify(value, null, 2);
  }
}

/** A stored record (or nothing, for a new one) as the form's initial values. */
export function toFormValues(specs: readonly FieldSpec[], record: Record<string, unknown> | null): FormValues {
  return Object.fromEntries(specs.map((s) => [s.name, toFormValue(s, record?.[s.name])]));
}

const unparsableJson = Symbol('unparsable');

function toInputValue(spec: FieldSpec, value: unknown): unknown {
  const c = spec.control;
  const empty = spec.nullable ? null : undefined;
  switch (c.kind) {
    case 'text':
    case 'date': {
      const text = typeof value === 'string' ? value : '';
      // An empty optional field is "not recorded", never an empty string that would fail a pattern.
      return text.trim() === '' && (spec.nullable || !spec.required) ? empty : text;
    }
    case 'number': {
      const text = typeof value === 'string' ? value.trim() : String(value ?? '');
      if (text === '') return empty;
      const n = Number(text);
      return Number.isNaN(n) ? text : n;
    }
    case 'boolean':
      return value === true;
    case 'fact':
      return value === 'true' ? true : value === 'false' ? false : null;
    case 'enum':
      return value === null || value === '' ? empty : value;
    case 'enum-list':
    case 'text-list':
      return Array.isArray(value) ? value : [];
    case 'group': {
      const obj = (value ?? {}) as Record<string, unknown>;
      return Object.fromEntries(c.fields.map((f) => [f.name, toInputValue(f, obj[f.name])]));
    }
    case 'json': {
      const text = typeof value === 'string' ? value.trim() : '';
      if (text === '') return empty ?? [];
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return unparsableJson;
      }
    }
  }
}

/** The form's values as the contract's input, with the paths of JSON fields that could not be read. */
export function toRecordInput(
  specs: readonly FieldSpec[],
  values: FormValues,
): { input: Record<string, unknown>; badJson: string[] } {
  const input: Record<string, unknown> = {};
  const badJson: string[] = [];
  for (const spec of specs) {
    const v = toInputValue(spec, values[spec.name]);
    if (v === unparsableJson) badJson.push(spec.path);
    else if (v !== undefined) input[spec.name] = v;
  }
  return { input, badJson };
}
