import { z } from 'zod';

/**
 * Field helpers shared by every register. A compliance fact has three states: true, false, and not recorded
 * (null). Rules treat "not recorded" as needing evidence, and false as a failure, so the two are never merged.
 */
export const fact = () => z.boolean().nullable().default(null);

/** A calendar date in Asia/Taipei, as people write it in registers: YYYY-MM-DD. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use a date like 2026-03-31')
  .refine(
    (v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
    'not a real calendar date',
  );

export const optionalDate = () => isoDate.nullable().default(null);

export const text = (max = 2000) => z.string().trim().max(max);
export const optionalText = (max = 2000) => text(max).nullable().default(null);

export const recordIdSchema = z.string().regex(/^[a-z]{2,5}_[0-9a-z]{10,40}$/, 'a record id looks like dev_…');

/** Fields every register record has besides its own. */
export const recordMetaSchema = z.object({
  id: recordIdSchema,
  /** A person or department responsible for the record (A23 "managers"; the asset owner in the console). */
  owner: text(200).min(1),
  name: text(300).min(1),
  notes: optionalText(4000),
  revision: z.number().int().min(1),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RecordMeta = z.infer<typeof recordMetaSchema>;

/** Input for a new or replaced record: the meta fields a person may set, plus the register's own fields. */
export const recordInputMetaSchema = z.object({
  id: recordIdSchema.optional(),
  owner: text(200).min(1),
  name: text(300).min(1),
  notes: optionalText(4000),
});
