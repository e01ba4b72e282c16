import type { RegisterType } from '@ntg/contracts';

/** A register record as stored: meta columns, and the register's own fields as `data`. */
export interface StoredRecord {
  organizationId: string;
  register: RegisterType;
  id: string;
  name: string;
  owner: string;
  notes: string | null;
  data: Record<string, unknown>;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** A sort or filter key: a meta column, or one of the register's fields (validated against its schema first). */
export type RecordField = { column: 'name' | 'owner' | 'updatedAt' | 'createdAt' } | { field: string };

export interface RecordPageQuery {
  sort: RecordField;
  order: 'asc' | 'desc';
  /** Case-insensitive substring of name or owner. */
  search?: string | undefined;
  owner?: string | undefined;
  /** Equality on fields; values are compared as the JSON scalar they are. */
  filters: { field: string; value: string | number | boolean | null }[];
  offset: number;
  limit: number;
}

export interface RecordStore {
  insert(record: StoredRecord): Promise<void>;
  insertMany(records: readonly StoredRecord[]): Promise<void>;
  /** Replaces a record if its revision is still `expectedRevision`; false when someone changed it meanwhile. */
  update(record: StoredRecord, expectedRevision: number): Promise<boolean>;
  delete(organizationId: string, register: RegisterType, id: string): Promise<boolean>;
  get(organizationId: string, register: RegisterType, id: string): Promise<StoredRecord | null>;
  exists(organizationId: string, register: RegisterType, ids: readonly string[]): Promise<Set<string>>;
  page(
    organizationId: string,
    register: RegisterType,
    query: RecordPageQuery,
  ): Promise<{ rows: StoredRecord[]; total: number }>;
  /** Every record of a register in id order, read in pages so memory stays flat for the caller that streams. */
  all(organizationId: string, register: RegisterType): Promise<StoredRecord[]>;
  counts(organizationId: string): Promise<Partial<Record<RegisterType, number>>>;
  deleteAll(organizationId: string, register: RegisterType): Promise<number>;
}
