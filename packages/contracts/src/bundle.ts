import { z } from 'zod';
import { attestationAnswerSchema } from './evaluation.ts';
import { organizationKindSchema, profilePatchSchema, slugSchema } from './organizations.ts';
import { isoDate } from './registers/register-fields.ts';
import { type RegisterType, recordInputSchemaOf, registerTypes } from './registers/register-types.ts';

/**
 * The bundle: one file that holds an organization's scope profile, every register and its attestations, so a firm
 * can move its data between installations, keep it in version control or prepare it in another tool. The format
 * is documented in docs/bundle-format.md; docs/bundle.schema.json is generated from the schema below.
 */
export const bundleFormat = 'newtech-guard-bundle';
export const bundleFormatVersion = 1;

export const bundleOrganizationSchema = z
  .object({
    slug: slugSchema.describe('finds the organization on import; a new one is created when no organization has it'),
    name: z.string().trim().min(1).max(200).describe('used when the import creates the organization'),
    kind: organizationKindSchema.default('securities'),
    /** Demo data stays labelled as such after a round trip. */
    demo: z.boolean().default(false).describe('marks an organization created by the import as demo data'),
    profile: profilePatchSchema
      .default({})
      .describe('answers to the scope questions; a question left out is answered "no" (replace) or kept (merge)'),
  })
  .strict();
export type BundleOrganization = z.output<typeof bundleOrganizationSchema>;

/**
 * A person's attestation (a requirement no register can show). Attestations are a history: an import adds the
 * ones not yet stored and never changes or deletes one, whatever the mode.
 */
export const bundleAttestationSchema = z
  .object({
    id: z
      .string()
      .regex(/^att_[0-9a-z]{10,40}$/, 'an attestation id looks like att_…')
      .optional(),
    nodeId: z.string().regex(/^A\d{1,2}(\.\d{1,2}){0,2}$/, 'a catalog node id looks like A12.1'),
    answer: attestationAnswerSchema,
    statement: z.string().trim().min(10, 'say in a sentence what is in place').max(4000),
    evidenceIds: z.array(z.string().max(60)).max(50).default([]),
    attestedBy: z.string().trim().min(1).max(200),
    attestedAt: z.iso.datetime({ offset: true }),
    expiresOn: isoDate,
  })
  .strict();
export type BundleAttestation = z.output<typeof bundleAttestationSchema>;

/** The record schema of one register inside a bundle: the register's input shape (ids optional on import). */
export type BundleRecordSchema<R extends RegisterType> = ReturnType<typeof recordInputSchemaOf<R>>;
export type BundleRecord<R extends RegisterType> = z.output<BundleRecordSchema<R>>;
export type BundleRegisters = { [R in RegisterType]: BundleRecord<R>[] };

function registersSchema() {
  const shape = Object.fromEntries(
    registerTypes.map((r) => [r, z.array(recordInputSchemaOf(r)).default([]).describe(`records of ${r}`)]),
  ) as { [R in RegisterType]: z.ZodDefault<z.ZodArray<BundleRecordSchema<R>>> };
  // Strict: a misspelt register name is an error, not a register silently emptied by a replace import.
  return z.object(shape, { error: unknownRegister }).strict();
}

function unknownRegister(issue: { code?: string }): string | undefined {
  return issue.code === 'unrecognized_keys'
    ? `not a register; the registers are ${registerTypes.join(', ')}`
    : undefined;
}

const envelopeShape = {
  format: z.literal(bundleFormat, { error: `this is not a NewTech Guard bundle (format: ${bundleFormat})` }),
  formatVersion: z.literal(bundleFormatVersion, {
    error: `this NewTech Guard reads bundle format version ${bundleFormatVersion}`,
  }),
  exportedAt: z.iso.datetime({ offset: true }).optional(),
  organization: bundleOrganizationSchema,
  attestations: z.array(bundleAttestationSchema).default([]),
};

/** The whole bundle, every record checked against its register's input schema. */
export const bundleSchema = z
  .object({
    ...envelopeShape,
    registers: registersSchema().default(
      () => Object.fromEntries(registerTypes.map((r) => [r, []])) as unknown as BundleRegisters,
    ),
  })
  .strict()
  .meta({
    title: 'NewTech Guard bundle',
    description:
      "An organization's scope profile, registers and attestations (docs/bundle-format.md). Record ids are " +
      'optional on import and always present on export.',
  });
export type Bundle = z.output<typeof bundleSchema>;
export type BundleInput = z.input<typeof bundleSchema>;

/**
 * The bundle with each register as a list of unchecked records. Importers check the envelope with it and then
 * each record on its own, so one bad record does not hide the problems of the others.
 */
export const bundleEnvelopeSchema = z
  .object({
    ...envelopeShape,
    registers: z
      .object(
        Object.fromEntries(registerTypes.map((r) => [r, z.array(z.unknown()).default([])])) as {
          [R in RegisterType]: z.ZodDefault<z.ZodArray<z.ZodUnknown>>;
        },
        { error: unknownRegister },
      )
      .strict()
      .default(
        () => Object.fromEntries(registerTypes.map((r) => [r, [] as unknown[]])) as Record<RegisterType, unknown[]>,
      ),
  })
  .strict();

export const importModeSchema = z
  .enum(['replace', 'merge'])
  .describe(
    'replace: each register becomes exactly what the file holds; merge: records are added or updated by id, none removed',
  );
export type ImportMode = z.infer<typeof importModeSchema>;

export const registerImportCountsSchema = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  deleted: z.number().int(),
});
export type RegisterImportCounts = z.infer<typeof registerImportCountsSchema>;

export const bundleImportResultSchema = z.object({
  organization: z.object({ id: z.string(), slug: z.string(), created: z.boolean(), profileChanged: z.boolean() }),
  mode: importModeSchema,
  registers: z.record(z.string(), registerImportCountsSchema),
  attestations: z.object({ added: z.number().int(), unchanged: z.number().int() }),
});
export type BundleImportResult = z.infer<typeof bundleImportResultSchema>;

export const csvImportResultSchema = z.object({
  register: z.string(),
  mode: importModeSchema,
  rows: z.number().int(),
  counts: registerImportCountsSchema,
});
export type CsvImportResult = z.infer<typeof csvImportResultSchema>;

/** The JSON Schema of the bundle: docs/bundle.schema.json, written by scripts/generate-bundle-schema.ts. */
export function bundleJsonSchema(): Record<string, unknown> {
  // io 'input': the schema of what a person may write, so fields with defaults are optional.
  return z.toJSONSchema(bundleSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
