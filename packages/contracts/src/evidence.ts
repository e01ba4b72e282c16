import { z } from 'zod';
import { catalogNodeIdSchema } from './catalog.ts';
import { isoDate, recordIdSchema } from './registers/register-fields.ts';
import { registerTypes } from './registers/register-types.ts';

/**
 * Evidence: the documents and records the directions ask an organization to keep (A6.2 service-quality reports,
 * A7.2 deletion records, A20.1 approval records, A20.4 test records, A20.5 review records, A41.3 video recordings), stored by their SHA-256
 * and linked to the catalog nodes and register records they show.
 */
export const evidenceIdSchema = z.string().regex(/^evd_[0-9a-z]{10,40}$/, 'an evidence id looks like evd_…');

export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest is 64 lower-case hex digits');

/**
 * The file types accepted as evidence. Each has a byte-level check in core (content-type-check.ts), so a file is
 * stored only when its bytes are what its type says: no executables or HTML renamed to .pdf.
 */
export const evidenceContentTypes = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'text/plain',
  'text/csv',
  'application/json',
  'application/xml',
  'text/xml',
] as const;
export const evidenceContentTypeSchema = z.enum(evidenceContentTypes);
export type EvidenceContentType = z.infer<typeof evidenceContentTypeSchema>;

const contentTypeByExtension: Record<string, EvidenceContentType> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  txt: 'text/plain',
  log: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  xml: 'application/xml',
};

/** The evidence type a file name suggests (for the CLI and the console's file picker), or null for none. */
export function contentTypeOfFilename(filename: string): EvidenceContentType | null {
  const dot = filename.lastIndexOf('.');
  if (dot < 0) return null;
  return contentTypeByExtension[filename.slice(dot + 1).toLowerCase()] ?? null;
}

/**
 * A file name as the uploader gave it, shown in lists and sent back in Content-Disposition. Control characters
 * (header injection), path separators and unpaired surrogates (not encodable in UTF-8) are refused.
 */
export const evidenceFilenameSchema = z
  .string()
  .trim()
  .min(1, 'give the file name, e.g. cloud-audit-2026.pdf')
  .max(255)
  .refine((v) => !/[\p{Cc}\p{Cs}/\\]/u.test(v), 'a file name may not contain control characters, / or \\')
  .refine((v) => v !== '.' && v !== '..', 'a file name may not be . or ..');

/** What a link points at: `node` (a catalog node id) or a register name (a record id of that register). */
export const evidenceTargetTypeSchema = z.enum(['node', ...registerTypes]);
export type EvidenceTargetType = z.infer<typeof evidenceTargetTypeSchema>;

export const evidenceLinkTargetSchema = z.discriminatedUnion('targetType', [
  z.object({ targetType: z.literal('node'), targetId: catalogNodeIdSchema }).strict(),
  z.object({ targetType: z.enum(registerTypes), targetId: recordIdSchema }).strict(),
]);
export type EvidenceLinkTarget = z.infer<typeof evidenceLinkTargetSchema>;

/** `node:A12.1` or `mobile-devices:dev_…`: a link target in one string, for query strings and the CLI. */
export function formatEvidenceLinkRef(target: { targetType: string; targetId: string }): string {
  return `${target.targetType}:${target.targetId}`;
}

export const evidenceLinkRefSchema = z
  .string()
  .max(200)
  .transform((value, ctx): EvidenceLinkTarget => {
    const colon = value.indexOf(':');
    const parsed = evidenceLinkTargetSchema.safeParse(
      colon < 0 ? { targetType: value } : { targetType: value.slice(0, colon), targetId: value.slice(colon + 1) },
    );
    if (!parsed.success) {
      const why = parsed.error.issues[0]?.message ?? 'invalid';
      ctx.addIssue({
        code: 'custom',
        message: `link "${value}" is not TYPE:ID like node:A12.1 or mobile-devices:dev_… (${why})`,
      });
      return z.NEVER;
    }
    return parsed.data;
  });

export const evidenceLinkSchema = z.object({
  targetType: evidenceTargetTypeSchema,
  targetId: z.string(),
  createdAt: z.string(),
});
export type EvidenceLink = z.infer<typeof evidenceLinkSchema>;

/** Stored evidence: its metadata and links. The bytes are fetched apart, by SHA-256. */
export const evidenceSchema = z.object({
  id: evidenceIdSchema,
  organizationId: z.string(),
  sha256: sha256HexSchema,
  filename: z.string(),
  contentType: evidenceContentTypeSchema,
  size: z.number().int().min(1),
  description: z.string().nullable(),
  /** The date the document takes effect or the record was made (YYYY-MM-DD). */
  effectiveDate: z.string().nullable(),
  /** The last date the evidence counts (YYYY-MM-DD); after it, rules no longer see it. */
  expiresOn: z.string().nullable(),
  /** Who collected it: a person or department; the uploading actor when not given. */
  collectedBy: z.string(),
  createdAt: z.string(),
  links: z.array(evidenceLinkSchema),
});
export type Evidence = z.infer<typeof evidenceSchema>;

/** What an uploader states about a file, besides its bytes and type. */
const uploadMetadataFields = {
  filename: evidenceFilenameSchema,
  description: z.string().trim().max(2000).optional(),
  effectiveDate: isoDate.optional(),
  expiresOn: isoDate.optional(),
  collectedBy: z.string().trim().min(1).max(200).optional(),
};

export const evidenceUploadMetadataSchema = z
  .object({ ...uploadMetadataFields, links: z.array(evidenceLinkTargetSchema).max(50).default([]) })
  .strict()
  .refine((v) => v.effectiveDate === undefined || v.expiresOn === undefined || v.expiresOn >= v.effectiveDate, {
    message: 'expiresOn is before effectiveDate',
    path: ['expiresOn'],
  });
export type EvidenceUploadMetadata = z.input<typeof evidenceUploadMetadataSchema>;

/**
 * The query string of an upload: the request body is the file itself, so its metadata travels here. `link` may be
 * repeated (`link=node:A12.1&link=mobile-devices:dev_…`).
 */
export const evidenceUploadQuerySchema = z
  .object({
    ...uploadMetadataFields,
    link: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(evidenceLinkRefSchema).max(50)).optional(),
  })
  // A misspelt field (expires= for expiresOn=) would silently drop a compliance date: refuse it instead.
  .strict();

export const evidenceListQuerySchema = z.object({
  target: evidenceLinkRefSchema.optional().describe('only evidence linked to this target, e.g. node:A12.1'),
});

export const evidenceListResponseSchema = z.object({ evidence: z.array(evidenceSchema) });

/** The result of re-hashing every stored file of an organization. */
export const evidenceVerificationSchema = z.object({
  organizationId: z.string(),
  /** Evidence records checked, and the distinct files (blobs) they point at. */
  evidence: z.number().int(),
  blobs: z.number().int(),
  ok: z.boolean(),
  failures: z.array(
    z.object({
      sha256: z.string(),
      problem: z.enum(['missing', 'altered']),
      evidenceIds: z.array(z.string()),
      filenames: z.array(z.string()),
    }),
  ),
});
export type EvidenceVerification = z.infer<typeof evidenceVerificationSchema>;
