/** Migrations receive the dialect name, so the few statements that differ (triggers) can differ in one place. */
export type MigrationDialect = 'sqlite' | 'postgres';
