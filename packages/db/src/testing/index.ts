export * from './test-databases.ts';
export * from './test-rows.ts';
