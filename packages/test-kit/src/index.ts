export * from './actors.ts';
export * from './fake-clock.ts';
