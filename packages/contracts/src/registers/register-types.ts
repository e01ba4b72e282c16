import { z } from 'zod';
import { cloudServiceFields } from './cloud-registers.ts';
import { networkExclusionFields, tlsEndpointFields } from './collector-registers.ts';
import { iotDeviceFields, supplierAgreementFields } from './iot-registers.ts';
import { appReleaseFields, byodAgreementFields, mobileAppFields, mobileDeviceFields } from './mobile-registers.ts';
import { recordInputMetaSchema, recordMetaSchema } from './register-fields.ts';
import { measureFields, procedureFields, trainingFields } from './shared-registers.ts';
import {
  officialProfileFields,
  socialMediaPlatformRiskFields,
  socialMediaPolicyFields,
} from './social-media-registers.ts';

/**
 * Every register the product keeps, with its id prefix, the articles it serves and its fields. A record is flat:
 * the meta fields (id, owner, name, notes, revision, timestamps) beside the register's own fields, which is how
 * forms, CSV columns and bundle files show it.
 */
export const registerDefinitions = {
  'cloud-services': { prefix: 'cld', articles: 'A3-A9', label: 'Cloud services', fields: cloudServiceFields },
  'social-media-policies': {
    prefix: 'smp',
    articles: 'A12.1',
    label: 'Social media use policies',
    fields: socialMediaPolicyFields,
  },
  'social-media-platforms': {
    prefix: 'smr',
    articles: 'A12.2',
    label: 'Social media platform risk assessments',
    fields: socialMediaPlatformRiskFields,
  },
  'official-profiles': {
    prefix: 'smo',
    articles: 'A13-A14',
    label: 'Official social media profiles',
    fields: officialProfileFields,
  },
  'mobile-devices': { prefix: 'dev', articles: 'A15-A18', label: 'Mobile devices', fields: mobileDeviceFields },
  'byod-agreements': { prefix: 'byod', articles: 'A18', label: 'BYOD agreements', fields: byodAgreementFields },
  'mobile-apps': { prefix: 'app', articles: 'A19-A20', label: 'Mobile apps', fields: mobileAppFields },
  'app-releases': { prefix: 'rel', articles: 'A20', label: 'Mobile app releases', fields: appReleaseFields },
  'iot-devices': { prefix: 'iot', articles: 'A21-A31', label: 'IoT equipment', fields: iotDeviceFields },
  'supplier-agreements': {
    prefix: 'sup',
    articles: 'A28',
    label: 'IoT supplier agreements',
    fields: supplierAgreementFields,
  },
  trainings: { prefix: 'trn', articles: 'A12.2, A29, A42', label: 'Trainings', fields: trainingFields },
  procedures: {
    prefix: 'prc',
    articles: 'A9, A14, A17, A37, A40',
    label: 'Procedures and regulations',
    fields: procedureFields,
  },
  measures: { prefix: 'msr', articles: 'A13.2, A23', label: 'Organization-wide measures', fields: measureFields },
  'tls-endpoints': {
    prefix: 'tls',
    articles: 'A5.3, A7.5, A35.1',
    label: 'TLS endpoints (scanned daily)',
    fields: tlsEndpointFields,
  },
  'network-exclusions': {
    prefix: 'nex',
    articles: 'A23',
    label: 'Network hosts that are not IoT equipment',
    fields: networkExclusionFields,
  },
} as const;

export type RegisterType = keyof typeof registerDefinitions;
export const registerTypes = Object.keys(registerDefinitions) as RegisterType[];
export const registerTypeSchema = z.enum(registerTypes as [RegisterType, ...RegisterType[]]);

type Defs = typeof registerDefinitions;
export type RegisterFields<R extends RegisterType> = z.output<Defs[R]['fields']>;
export type RegisterRecord<R extends RegisterType> = z.output<typeof recordMetaSchema> & RegisterFields<R>;

/** The schema of a stored record of register R (meta and fields). */
export function recordSchemaOf<R extends RegisterType>(register: R) {
  return recordMetaSchema.extend(registerDefinitions[register].fields.shape);
}

/** The schema of a create/replace input for register R: unknown fields are refused, not dropped. */
export function recordInputSchemaOf<R extends RegisterType>(register: R) {
  return recordInputMetaSchema.extend(registerDefinitions[register].fields.shape).strict();
}

export type RecordInput<R extends RegisterType> = z.input<ReturnType<typeof recordInputSchemaOf<R>>>;

/** Query for a register page: server-side sort, filters and pagination. */
export const registerQuerySchema = z.object({
  sort: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9]*$/)
    .default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
  q: z.string().max(200).optional(),
  owner: z.string().max(200).optional(),
  filter: z
    .string()
    .max(500)
    .optional()
    .describe('field:value pairs separated by commas, e.g. ownership:byod,jailbrokenOrRooted:true'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type RegisterQuery = z.infer<typeof registerQuerySchema>;
