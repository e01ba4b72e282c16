export * from './console-auth-service.ts';
export type * from './console-store.ts';
export { passwordProblem } from './password-rules.ts';
