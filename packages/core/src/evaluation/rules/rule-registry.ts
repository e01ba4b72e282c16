import type { AttestationSpec, Rule } from '../rule.ts';
import { cloudAttestations, cloudRules } from './cloud-rules.ts';
import { deepfakeAttestations, deepfakeRules, eTradingAttestations } from './e-trading-deepfake-rules.ts';
import { iotAttestations, iotRules } from './iot-rules.ts';
import { mobileAppAttestations, mobileAppRules } from './mobile-app-rules.ts';
import { mobileDeviceAttestations, mobileDeviceRules } from './mobile-device-rules.ts';
import { socialMediaAttestations, socialMediaRules } from './social-media-rules.ts';

/** Every rule, one file per article group. */
export const allRules: readonly Rule[] = [
  ...cloudRules,
  ...socialMediaRules,
  ...mobileDeviceRules,
  ...mobileAppRules,
  ...iotRules,
  ...deepfakeRules,
];

/** Every requirement answered by attestation (chapter VI until the gateway reports its own configuration). */
export const allAttestationSpecs: readonly AttestationSpec[] = [
  ...cloudAttestations,
  ...socialMediaAttestations,
  ...mobileDeviceAttestations,
  ...mobileAppAttestations,
  ...iotAttestations,
  ...eTradingAttestations,
  ...deepfakeAttestations,
];
