import type { RegisterType } from '@ntg/contracts';
import type { RecordStore, StoredRecord } from '@ntg/core';
import { canonicalJson } from '@ntg/core';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { DialectCapabilities } from '../dialect.ts';
import type { Database, RegisterRecordsTable } from '../schema.ts';

function toStored(row: Selectable<RegisterRecordsTable>): StoredRecord {
  return {
    organizationId: row.organization_id,
    register: row.register as RegisterType,
    id: row.id,
    name: row.name,
    owner: row.owner,
    notes: row.notes,
    data: JSON.parse(row.data) as Record<string, unknown>,
    revision: Number(row.revision),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRow(r: StoredRecord): RegisterRecordsTable {
  return {
    organization_id: r.organizationId,
    register: r.register,
    id: r.id,
    name: r.name,
    owner: r.owner,
    notes: r.notes,
    data: canonicalJson(r.data),
    revision: r.revision,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

const columnOf = { name: 'name', owner: 'owner', updatedAt: 'updated_at', createdAt: 'created_at' } as const;

/** Rows per INSERT statement: under SQLite's 32,766 bound-parameter limit at 10 columns a row. */
const insertBatch = 500;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function createRecordStore(db: Kysely<Database>, dialect: DialectCapabilities): RecordStore {
  return {
    async insert(record) {
      await db.insertInto('register_records').values(toRow(record)).execute();
    },
    async insertMany(records) {
      for (let i = 0; i < records.length; i += insertBatch) {
        await db
          .insertInto('register_records')
          .values(records.slice(i, i + insertBatch).map(toRow))
          .execute();
      }
    },
    async update(record, expectedRevision) {
      const row = toRow(record);
      const result = await db
        .updateTable('register_records')
        .set({
          name: row.name,
          owner: row.owner,
          notes: row.notes,
          data: row.data,
          revision: row.revision,
          updated_at: row.updated_at,
        })
        .where('organization_id', '=', record.organizationId)
        .where('register', '=', record.register)
        .where('id', '=', record.id)
        .where('revision', '=', expectedRevision)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async delete(organizationId, register, id) {
      const result = await db
        .deleteFrom('register_records')
        .where('organization_id', '=', organizationId)
        .where('register', '=', register)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async get(organizationId, register, id) {
      const row = await db
        .selectFrom('register_records')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('register', '=', register)
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? null : toStored(row);
    },
    async exists(organizationId, register, ids) {
      if (ids.length === 0) return new Set();
      const rows = await db
        .selectFrom('register_records')
        .select('id')
        .where('organization_id', '=', organizationId)
        .where('register', '=', register)
        .where('id', 'in', [...ids])
        .execute();
      return new Set(rows.map((r) => r.id));
    },
    async page(organizationId, register, q) {
      let base = db
        .selectFrom('register_records')
        .where('organization_id', '=', organizationId)
        .where('register', '=', register);
      if (q.search !== undefined && q.search !== '') {
        const pattern = `%${escapeLike(q.search.toLowerCase())}%`;
        base = base.where((eb) =>
          eb.or([
            sql<boolean>`lower(name) like ${pattern} escape '\\'`,
            sql<boolean>`lower(owner) like ${pattern} escape '\\'`,
          ]),
        );
      }
      if (q.owner !== undefined) base = base.where('owner', '=', q.owner);
      for (const f of q.filters) base = base.where(dialect.jsonFieldEquals('data', f.field, f.value));
      const sortExpr =
        'column' in q.sort ? sql.ref(columnOf[q.sort.column]) : dialect.jsonSortKey('data', q.sort.field);
      const narrowed = (q.search !== undefined && q.search !== '') || q.owner !== undefined || q.filters.length > 0;
      if (narrowed) {
        // A search or filter scans the register once: the page and the count of all matches in one query (a
        // window count), instead of one scan for each. The plain listing keeps two queries: its count is cheap
        // and its page can stop early.
        const rows = await base
          .selectAll()
          .select((eb) => eb.fn.countAll<number>().over().as('total_matches'))
          .orderBy(sortExpr, q.order)
          .orderBy('id', q.order)
          .offset(q.offset)
          .limit(q.limit)
          .execute();
        const first = rows[0];
        if (first !== undefined) return { rows: rows.map(toStored), total: Number(first.total_matches) };
        if (q.offset === 0) return { rows: [], total: 0 };
      }
      const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await base
        .selectAll()
        .orderBy(sortExpr, q.order)
        .orderBy('id', q.order)
        .offset(q.offset)
        .limit(q.limit)
        .execute();
      return { rows: rows.map(toStored), total: Number(totalRow.n) };
    },
    async all(organizationId, register) {
      const rows = await db
        .selectFrom('register_records')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('register', '=', register)
        .orderBy('id')
        .execute();
      return rows.map(toStored);
    },
    async counts(organizationId) {
      const rows = await db
        .selectFrom('register_records')
        .select(['register', (eb) => eb.fn.countAll<number>().as('n')])
        .where('organization_id', '=', organizationId)
        .groupBy('register')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.register, Number(r.n)]));
    },
    async deleteAll(organizationId, register) {
      const result = await db
        .deleteFrom('register_records')
        .where('organization_id', '=', organizationId)
        .where('register', '=', register)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
