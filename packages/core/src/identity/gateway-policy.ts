import { type FactorKind, factorKinds } from '@ntg/contracts';
import { IdentityPolicyError } from './identity-errors.ts';

/** What a login must prove and how long its pieces live. Built once at wiring time and never changed. */
export interface GatewayPolicy {
  /** Distinct kinds; a login completes when each has been proven once (A36.1: two or more of the three). */
  readonly requiredKinds: readonly FactorKind[];
  /** Authenticator types whose biometric gating the firm reviewed; inherence is accepted only from these (A36.1.3). */
  readonly reviewedAuthenticatorTypes: ReadonlySet<string>;
  /** A PIN older than this earns a reminder at login (A37.6); at most 92 days ("three months"). */
  readonly passwordMaxAgeDays: number;
  readonly challengeTtlSeconds: number;
  readonly sessionIdleSeconds: number;
  readonly sessionAbsoluteSeconds: number;
  /** How recent a second factor must be for a sensitive function (step-up). */
  readonly stepUpMaxAgeSeconds: number;
}

export interface GatewayPolicyInput {
  requiredKinds: readonly string[];
  reviewedAuthenticatorTypes?: readonly string[];
  passwordMaxAgeDays?: number;
  challengeTtlSeconds?: number;
  sessionIdleSeconds?: number;
  sessionAbsoluteSeconds?: number;
  stepUpMaxAgeSeconds?: number;
}

export const passwordMaxAgeLimitDays = 92;

/**
 * Checks a policy before anything serves a login. A policy that would let one kind of factor suffice (fewer than two
 * distinct kinds: "knowledge,knowledge" counts once) is refused here, so a misconfigured gateway never starts.
 */
export function createGatewayPolicy(input: GatewayPolicyInput): GatewayPolicy {
  const kinds: FactorKind[] = [];
  for (const k of input.requiredKinds) {
    if (!(factorKinds as readonly string[]).includes(k)) {
      throw new IdentityPolicyError(`Unknown factor kind "${k}"; use ${factorKinds.join(', ')}.`);
    }
    if (!kinds.includes(k as FactorKind)) kinds.push(k as FactorKind);
  }
  if (kinds.length < 2) {
    throw new IdentityPolicyError(
      `A login must prove at least two different factor kinds (Directions A36.1); the policy names ${kinds.length === 0 ? 'none' : kinds.join(', ')}.`,
    );
  }
  const reviewed = new Set(input.reviewedAuthenticatorTypes ?? []);
  if (kinds.includes('inherence') && reviewed.size === 0) {
    throw new IdentityPolicyError(
      'The policy requires inherence but no authenticator type has been reviewed (Directions A36.1.3: review the ' +
        'validity of an indirect biometric method first).',
    );
  }
  const passwordMaxAgeDays = input.passwordMaxAgeDays ?? 90;
  if (!Number.isInteger(passwordMaxAgeDays) || passwordMaxAgeDays < 1 || passwordMaxAgeDays > passwordMaxAgeLimitDays) {
    throw new IdentityPolicyError(
      `The password age limit must be 1 to ${passwordMaxAgeLimitDays} days (Directions A37.6: three months).`,
    );
  }
  const policy: GatewayPolicy = {
    requiredKinds: Object.freeze(kinds),
    reviewedAuthenticatorTypes: reviewed,
    passwordMaxAgeDays,
    challengeTtlSeconds: input.challengeTtlSeconds ?? 120,
    sessionIdleSeconds: input.sessionIdleSeconds ?? 15 * 60,
    sessionAbsoluteSeconds: input.sessionAbsoluteSeconds ?? 8 * 3600,
    stepUpMaxAgeSeconds: input.stepUpMaxAgeSeconds ?? 5 * 60,
  };
  if (policy.challengeTtlSeconds < 10 || policy.challengeTtlSeconds > 600) {
    throw new IdentityPolicyError('A challenge lives 10 to 600 seconds.');
  }
  if (policy.sessionIdleSeconds < 60 || policy.sessionIdleSeconds > policy.sessionAbsoluteSeconds) {
    throw new IdentityPolicyError('The idle timeout is at least a minute and no longer than the absolute timeout.');
  }
  if (policy.stepUpMaxAgeSeconds < 30 || policy.stepUpMaxAgeSeconds > policy.sessionIdleSeconds) {
    throw new IdentityPolicyError('A step-up stays fresh 30 seconds to the idle timeout.');
  }
  return Object.freeze(policy);
}

/** The required kinds not yet proven, in policy order. */
export function remainingKinds(policy: GatewayPolicy, satisfied: Partial<Record<FactorKind, string>>): FactorKind[] {
  return policy.requiredKinds.filter((k) => satisfied[k] === undefined);
}
