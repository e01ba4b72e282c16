import { describe, expect, it } from 'vitest';
import { createGatewayPolicy, remainingKinds } from './gateway-policy.ts';
import { IdentityPolicyError } from './identity-errors.ts';

describe('gateway policy (A36.1)', () => {
  it('refuses a policy with fewer than two different factor kinds', () => {
    expect(() => createGatewayPolicy({ requiredKinds: ['knowledge'] })).toThrow(IdentityPolicyError);
    expect(() => createGatewayPolicy({ requiredKinds: ['possession', 'possession'] })).toThrow(/two different/);
    expect(() => createGatewayPolicy({ requiredKinds: ['knowledge', 'voice'] })).toThrow(/Unknown factor kind/);
  });

  it('refuses inherence until an authenticator type has been reviewed (A36.1.3)', () => {
    expect(() => createGatewayPolicy({ requiredKinds: ['knowledge', 'inherence'] })).toThrow(/reviewed/);
    const policy = createGatewayPolicy({
      requiredKinds: ['knowledge', 'inherence'],
      reviewedAuthenticatorTypes: ['ios-secure-enclave'],
    });
    expect(policy.reviewedAuthenticatorTypes.has('ios-secure-enclave')).toBe(true);
  });

  it('caps the password age at three months (A37.6)', () => {
    expect(() => createGatewayPolicy({ requiredKinds: ['knowledge', 'possession'], passwordMaxAgeDays: 93 })).toThrow(
      IdentityPolicyError,
    );
    expect(createGatewayPolicy({ requiredKinds: ['knowledge', 'possession'] }).passwordMaxAgeDays).toBe(90);
  });

  it('uses single-use challenges of 120 seconds by default and lists what is still missing', () => {
    const policy = createGatewayPolicy({ requiredKinds: ['knowledge', 'possession'] });
    expect(policy.challengeTtlSeconds).toBe(120);
    expect(Object.isFrozen(policy)).toBe(true);
    expect(remainingKinds(policy, {})).toEqual(['knowledge', 'possession']);
    expect(remainingKinds(policy, { possession: 'x', inherence: 'y' })).toEqual(['knowledge']);
  });
});
