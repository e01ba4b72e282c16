import type { AttestationSpec, Rule } from '../rule.ts';
import { cloudAttestations, cloudRules } from './cloud-rules.ts';
import { socialMediaAttestations, socialMediaRules } from './social-media-rules.ts';

/** Every rule, one file per article group. */
export const allRules: readonly Rule[] = [...cloudRules, ...socialMediaRules];

/** Every requirement answered by attestation. */
export const allAttestationSpecs: readonly AttestationSpec[] = [...cloudAttestations, ...socialMediaAttestations];
