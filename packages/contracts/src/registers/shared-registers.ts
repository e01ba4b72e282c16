import { z } from 'zod';
import { fact, isoDate, optionalDate, text } from './register-fields.ts';

export const trainingTopics = [
  'iot-security',
  'deepfake-awareness',
  'social-media',
  'mobile-devices',
  'cloud',
  'e-trading',
  'general-security',
] as const;

/** A12.2, A29, A42: a training session. */
export const trainingFields = z.object({
  date: isoDate,
  topics: z.array(z.enum(trainingTopics)).min(1),
  audience: text(300).nullable().default(null),
  attendees: z.number().int().min(0).default(0),
  materialsKept: fact(),
});
export type TrainingFields = z.infer<typeof trainingFields>;

export const procedureKinds = [
  'cloud-emergency-response',
  'cloud-exit-plan',
  'incident-notification',
  'social-media-irregularity-reporting',
  'mobile-device-lifecycle',
  'byod-review',
  'app-release-approval',
  'lab-report-review',
  'iot-inventory-update',
  'iot-exception-handling',
  'e-trading-identity-lifecycle',
  'telephone-identity-verification',
  'video-call-verification',
  'other',
] as const;

/** Documented procedures and regulations the directions ask for (A9.1, A14.1, A17.1, A37.1, A40.1, ...). */
export const procedureFields = z.object({
  kind: z.enum(procedureKinds),
  version: text(50).nullable().default(null),
  approvedDate: optionalDate(),
  lastReviewDate: optionalDate(),
  /** A17.1: a lifecycle regulation covers application, use, renewal, return and loss. */
  covers: z.array(text(100)).default([]),
  documentEvidenceId: z.string().nullable().default(null),
});
export type ProcedureFields = z.infer<typeof procedureFields>;

export const measureKinds = [
  'website-external-link-prompt',
  'iot-inventory-review',
  'mobile-device-risk-assessment',
  'other',
] as const;

/** Organization-wide measures that are one fact each: A13.2's link prompt, A23's yearly inventory review, ... */
export const measureFields = z.object({
  kind: z.enum(measureKinds),
  implemented: fact(),
  lastVerifiedDate: optionalDate(),
});
export type MeasureFields = z.infer<typeof measureFields>;
