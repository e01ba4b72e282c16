import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.ts';

describe('gateway configuration (A36.1, A36.2, A37.6)', () => {
  it('defaults to PIN plus possession, 90 days, and the Argon2id floor', () => {
    expect(loadConfig({}).gateway).toEqual({
      factorKinds: ['knowledge', 'possession'],
      reviewedAuthenticatorTypes: [],
      passwordMaxAgeDays: 90,
      argon2: { memoryKib: 19456, iterations: 2 },
      sessionIdleMinutes: 15,
      sessionMaxHours: 8,
      webauthn: {
        rpId: 'localhost',
        rpName: 'NewTech Guard',
        origins: ['http://localhost:8080'],
        synced: 'refuse',
        registrationAaguids: [],
      },
    });
    expect(Object.isFrozen(loadConfig({}).gateway)).toBe(true);
  });

  it('reads the factor kinds as a list and counts a kind named twice once', () => {
    const config = loadConfig({
      NTG_GATEWAY_FACTOR_KINDS: ' Possession , inherence,possession ',
      NTG_GATEWAY_REVIEWED_AUTHENTICATORS: 'ios-secure-enclave, android-strongbox',
    });
    expect(config.gateway.factorKinds).toEqual(['possession', 'inherence']);
    expect(config.gateway.reviewedAuthenticatorTypes).toEqual(['ios-secure-enclave', 'android-strongbox']);
  });

  it('refuses a policy of fewer than two different factor kinds, and unknown kinds', () => {
    expect(() => loadConfig({ NTG_GATEWAY_FACTOR_KINDS: 'knowledge' })).toThrow(ConfigError);
    expect(() => loadConfig({ NTG_GATEWAY_FACTOR_KINDS: 'knowledge,knowledge' })).toThrow(
      /NTG_GATEWAY_FACTOR_KINDS: name at least two different factor kinds/,
    );
    expect(() => loadConfig({ NTG_GATEWAY_FACTOR_KINDS: 'knowledge,sms' })).toThrow(/"sms" is not a factor kind/);
  });

  it('never allows a password age beyond three months', () => {
    expect(loadConfig({ NTG_PASSWORD_MAX_AGE_DAYS: '92' }).gateway.passwordMaxAgeDays).toBe(92);
    expect(loadConfig({ NTG_PASSWORD_MAX_AGE_DAYS: '30' }).gateway.passwordMaxAgeDays).toBe(30);
    expect(() => loadConfig({ NTG_PASSWORD_MAX_AGE_DAYS: '93' })).toThrow(/NTG_PASSWORD_MAX_AGE_DAYS: A37.6/);
    expect(() => loadConfig({ NTG_PASSWORD_MAX_AGE_DAYS: '0' })).toThrow(ConfigError);
  });

  it('accepts stronger Argon2id parameters and refuses weaker ones', () => {
    expect(loadConfig({ NTG_ARGON2_MEMORY_KIB: '65536', NTG_ARGON2_ITERATIONS: '3' }).gateway.argon2).toEqual({
      memoryKib: 65536,
      iterations: 3,
    });
    expect(() => loadConfig({ NTG_ARGON2_MEMORY_KIB: '19455' })).toThrow(/NTG_ARGON2_MEMORY_KIB: use at least 19456/);
    expect(() => loadConfig({ NTG_ARGON2_ITERATIONS: '1' })).toThrow(/NTG_ARGON2_ITERATIONS: use at least 2/);
  });
});
