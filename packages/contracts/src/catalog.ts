import { z } from 'zod';

/** Stable catalog node id: A{article}, A{article}.{paragraph} or A{article}.{paragraph}.{item}. */
export const catalogNodeIdSchema = z
  .string()
  .regex(/^A\d{1,2}(\.\d{1,2}){0,2}$/, 'a node id looks like A37, A37.5 or A17.4.5');
export type CatalogNodeId = z.infer<typeof catalogNodeIdSchema>;

export const nodeKindSchema = z.enum(['purpose', 'definition', 'scope', 'requirement']);
export type NodeKind = z.infer<typeof nodeKindSchema>;

/** Obligation read from the English modal verb as written (a later version may override it). */
export const obligationSchema = z.enum(['shall', 'should', 'advised']);
export type Obligation = z.infer<typeof obligationSchema>;

export const actorSchema = z.enum([
  'organization',
  'cloud-service-user',
  'cloud-service-provider',
  'iot-supplier',
  'mobile-device',
  'app-publisher',
]);
export type Actor = z.infer<typeof actorSchema>;

export const cadenceSchema = z.enum([
  'daily',
  'three-months',
  'yearly',
  'every-release',
  'on-change',
  'periodic',
  'once',
  'continuous',
]);
export type Cadence = z.infer<typeof cadenceSchema>;

export const evidenceKindSchema = z.enum(['document', 'record', 'register-field', 'automated-check']);
export type EvidenceKind = z.infer<typeof evidenceKindSchema>;

/** One sentence (or clause) of a node with its own modal verb: A4.2 mixes "shall evaluate" and "it is advised". */
export const statementSchema = z.object({
  text: z.string().min(1),
  obligation: obligationSchema,
});
export type Statement = z.infer<typeof statementSchema>;

/** A value the text sets: 3 failed attempts, 3 months, TLS 1.2, RSA-2048, ... */
export const parameterSchema = z.object({
  name: z.string().regex(/^[a-z][a-zA-Z0-9]*$/),
  value: z.union([z.number(), z.string()]),
  unit: z.string().optional(),
});
export type Parameter = z.infer<typeof parameterSchema>;

/** The scope questions of the directions, answered once per organization (A3, A11, A13, A16, A18, A20.3, A22, A34, A40, A41). */
export const profileFlagSchema = z.enum([
  'usesCloudServices',
  'cloudInvolvesCore',
  'onlyPrivateInternalCloud',
  'operatesSocialMedia',
  'usesMobileDevicesForSensitiveAffairs',
  'allowsByod',
  'publishesMobileApp',
  'publishesInvestorApp',
  'hasIotEquipment',
  'offersInternetTrading',
  'offersTelephoneTrading',
  'verifiesByVideoCall',
]);
export type ProfileFlag = z.infer<typeof profileFlagSchema>;

export type Applicability =
  | { always: true }
  | { flag: ProfileFlag }
  | { not: Applicability }
  | { all: Applicability[] }
  | { any: Applicability[] };

export const applicabilitySchema: z.ZodType<Applicability> = z.lazy(() =>
  z.union([
    z.object({ always: z.literal(true) }).strict(),
    z.object({ flag: profileFlagSchema }).strict(),
    z.object({ not: applicabilitySchema }).strict(),
    z.object({ all: z.array(applicabilitySchema).min(1) }).strict(),
    z.object({ any: z.array(applicabilitySchema).min(1) }).strict(),
  ]),
);

export const chapterSchema = z.object({
  number: z.number().int().min(1),
  roman: z.string().min(1),
  title: z.string().min(1),
});
export type Chapter = z.infer<typeof chapterSchema>;

export const catalogNodeSchema = z.object({
  id: catalogNodeIdSchema,
  parentId: catalogNodeIdSchema.nullable(),
  article: z.number().int().min(1),
  paragraph: z.number().int().min(1).nullable(),
  item: z.number().int().min(1).nullable(),
  chapter: chapterSchema,
  /** The article's title, e.g. "Control and management of identity verification of electronic trading". */
  title: z.string().min(1),
  /** Exactly as in the source text (typos included); empty for an article with no lead-in text. */
  text: z.string(),
  kind: nodeKindSchema,
  /** Null where the text carries no modal verb (definitions, purpose, scope). */
  obligation: obligationSchema.nullable(),
  statements: z.array(statementSchema),
  actor: actorSchema.nullable(),
  cadence: cadenceSchema.nullable(),
  parameters: z.array(parameterSchema),
  applicability: applicabilitySchema,
  evidence: z.array(evidenceKindSchema),
});
export type CatalogNode = z.infer<typeof catalogNodeSchema>;

export const catalogSummarySchema = z.object({
  version: z.string(),
  title: z.string(),
  language: z.string(),
  nodeCount: z.number().int(),
});

export const catalogListResponseSchema = catalogSummarySchema.extend({
  nodes: z.array(catalogNodeSchema),
});

export const catalogDiffSchema = z.object({
  from: z.string(),
  to: z.string(),
  added: z.array(catalogNodeIdSchema),
  removed: z.array(catalogNodeIdSchema),
  changed: z.array(z.object({ id: catalogNodeIdSchema, fields: z.array(z.string()) })),
});
export type CatalogDiff = z.infer<typeof catalogDiffSchema>;
