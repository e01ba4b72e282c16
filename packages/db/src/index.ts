export * from './connection.ts';
export * from './dialect.ts';
export * from './group-commit.ts';
export * from './health.ts';
export * from './migrator.ts';
export type { Database } from './schema.ts';
export * from './stores/evidence-blob-stores.ts';
export * from './stores/evidence-store.ts';
export * from './stores.ts';
