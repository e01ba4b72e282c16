import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migration-dialect.ts';

// Frozen in time: never edit after release; add a new dated migration instead.
// One table for every register (docs/adr/0008): the register's fields are canonical JSON in `data`; the columns
// that every page sorts and filters on are real columns.
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('register_records')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('register', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('register_records_pk', ['organization_id', 'register', 'id'])
    .execute();
  await db.schema
    .createIndex('register_records_name')
    .on('register_records')
    .columns(['organization_id', 'register', 'name', 'id'])
    .execute();
  await db.schema
    .createIndex('register_records_owner')
    .on('register_records')
    .columns(['organization_id', 'register', 'owner'])
    .execute();
  await db.schema
    .createIndex('register_records_updated')
    .on('register_records')
    .columns(['organization_id', 'register', 'updated_at'])
    .execute();
}
