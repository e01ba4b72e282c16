export * from './actors.ts';
export * from './fake-clock.ts';
export * from './register-builders.ts';
