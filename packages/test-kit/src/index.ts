export * from './actors.ts';
export * from './fake-clock.ts';
export * from './memory-stores.ts';
export * from './pkcs12.ts';
export * from './pki/test-pki.ts';
export * from './register-builders.ts';
export * from './rule-harness.ts';
export * from './webauthn-authenticator.ts';
