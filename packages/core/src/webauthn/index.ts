export * from './webauthn-policy.ts';
export * from './webauthn-store.ts';
export * from './webauthn-verifier.ts';
