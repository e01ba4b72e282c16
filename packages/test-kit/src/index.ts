export * from './actors.ts';
export * from './fake-clock.ts';
export * from './memory-stores.ts';
export * from './register-builders.ts';
export * from './rule-harness.ts';
export * from './webauthn-authenticator.ts';
