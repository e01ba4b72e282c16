import { z } from 'zod';
import { fact, optionalDate, text } from './register-fields.ts';

export const iotDeviceKinds = [
  'digital-recorder',
  'ip-pbx',
  'fax',
  'audio-recorder',
  'copier',
  'printer',
  'surveillance',
  'access-control',
  'sensor',
  'other',
] as const;

/** A21-A31: IoT office equipment. */
export const iotDeviceFields = z.object({
  kind: z.enum(iotDeviceKinds),
  // A23: purpose, online setup, location, manager (the record owner).
  purpose: text(500).nullable().default(null),
  location: text(200).nullable().default(null),
  ipAddresses: z.array(text(64)).default([]),
  macAddresses: z
    .array(z.string().regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'use a MAC like 00:1a:2b:3c:4d:5e'))
    .default([]),
  networkSegment: text(100).nullable().default(null),
  physicalAccessControlled: fact(),
  // A24
  securityUpdateMechanism: fact(),
  lastSecurityUpdateDate: optionalDate(),
  // A25
  identityVerificationOrPairing: fact(),
  initialPasswordChanged: fact(),
  leastPrivilege: fact(),
  // A26
  unnecessaryServicesDisabled: fact(),
  publicAddress: fact(),
  frontFirewall: fact(),
  whitelistFiltering: fact(),
  wireless: fact(),
  encryptedAccessPoint: fact(),
  nicWhitelist: fact(),
  /** A26 "or other protection measures": what protects wireless access instead of a NIC whitelist, if anything. */
  wirelessOtherProtection: text(300).nullable().default(null),
  /** Open ports seen by a network scan, with what the device said (kept raw: service detection errs on OA devices). */
  openServices: z
    .array(
      z.object({
        port: z.number().int().min(0).max(65535),
        protocol: z.enum(['tcp', 'udp']),
        service: text(100).nullable(),
        banner: text(1000).nullable(),
      }),
    )
    .default([]),
  lastScanDate: optionalDate(),
  // A27
  purchaseEvaluated: fact(),
  certificationMark: fact(),
  // A28
  supplierAgreementId: z.string().nullable().default(null),
  // A30: exceptions.
  exception: z.enum(['none', 'unfixable-defect', 'function-limitation']).default('none'),
  exceptionDisconnected: fact(),
  exceptionIsolatedSegment: fact(),
  replacementPlanDate: optionalDate(),
  // A31
  sensorWithoutManagement: z.boolean().default(false),
  retired: z.boolean().default(false),
});
export type IotDeviceFields = z.infer<typeof iotDeviceFields>;

/** A28: an IoT supplier's purchase agreement and its security terms. */
export const supplierAgreementFields = z.object({
  supplier: text(200).min(1),
  signedDate: optionalDate(),
  securityTerms: fact(),
  securityUpdatePeriodMonths: z.number().int().min(0).nullable().default(null),
  vulnerabilityReporting: fact(),
  actionPlans: fact(),
});
export type SupplierAgreementFields = z.infer<typeof supplierAgreementFields>;
