import type { Organization, Profile } from '@ntg/contracts';
import type {
  Attestation,
  AttestationStore,
  AuditEntry,
  AuditHead,
  AuditStore,
  OrganizationStore,
  RecordStore,
  StoredRecord,
  UnitOfWork,
} from '@ntg/core';

/** Everything the memory stores hold; a unit of work runs on a copy that replaces it only on success. */
export interface MemoryState {
  organizations: Organization[];
  records: StoredRecord[];
  attestations: Attestation[];
  audit: AuditEntry[];
  heads: Record<string, AuditHead>;
}

export interface MemoryStores {
  organizations: OrganizationStore;
  records: RecordStore;
  attestations: AttestationStore;
  audit: AuditStore;
}

export interface MemoryDatabase {
  /** Stores outside any transaction, for reads. */
  stores: MemoryStores;
  uow: UnitOfWork<MemoryStores>;
  state(): MemoryState;
  /**
   * Called before every write with its name (`records.insertMany`, `audit.append`, ...): throw from it to make
   * that write fail and check that the unit of work leaves nothing behind.
   */
  beforeWrite: (operation: string) => void;
}

const key = (r: { organizationId: string; register: string; id: string }) =>
  `${r.organizationId}|${r.register}|${r.id}`;

function stores(read: () => MemoryState, beforeWrite: (op: string) => void): MemoryStores {
  const write = (op: string) => beforeWrite(op);
  const recordsOf = (org: string, register: string) =>
    read()
      .records.filter((r) => r.organizationId === org && r.register === register)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // A primary key as the databases have: (organization, register, id).
  const insertRecords = (records: readonly StoredRecord[]) => {
    const taken = new Set(read().records.map(key));
    for (const r of records) {
      if (taken.has(key(r))) throw new Error(`duplicate key ${key(r)}`);
      taken.add(key(r));
      read().records.push(structuredClone(r));
    }
  };
  return {
    organizations: {
      async insert(org) {
        write('organizations.insert');
        if (read().organizations.some((o) => o.id === org.id || o.slug === org.slug)) throw new Error('unique');
        read().organizations.push(structuredClone(org));
      },
      async findById(id) {
        return structuredClone(read().organizations.find((o) => o.id === id) ?? null);
      },
      async findBySlug(slug) {
        return structuredClone(read().organizations.find((o) => o.slug === slug) ?? null);
      },
      async list() {
        return structuredClone(read().organizations);
      },
      async updateProfile(id: string, profile: Profile, updatedAt: string) {
        write('organizations.updateProfile');
        const org = read().organizations.find((o) => o.id === id);
        if (org !== undefined) Object.assign(org, { profile: structuredClone(profile), updatedAt });
      },
    },
    records: {
      async insert(record) {
        write('records.insert');
        insertRecords([record]);
      },
      async insertMany(records) {
        write('records.insertMany');
        insertRecords(records);
      },
      async update(record, expectedRevision) {
        write('records.update');
        const i = read().records.findIndex((r) => key(r) === key(record) && r.revision === expectedRevision);
        if (i < 0) return false;
        read().records[i] = structuredClone(record);
        return true;
      },
      async delete(org, register, id) {
        write('records.delete');
        const before = read().records.length;
        read().records = read().records.filter((r) => key(r) !== key({ organizationId: org, register, id }));
        return read().records.length < before;
      },
      async get(org, register, id) {
        return structuredClone(recordsOf(org, register).find((r) => r.id === id) ?? null);
      },
      async exists(org, register, ids) {
        const wanted = new Set(ids);
        return new Set(
          recordsOf(org, register)
            .filter((r) => wanted.has(r.id))
            .map((r) => r.id),
        );
      },
      async page(org, register, q) {
        const rows = recordsOf(org, register);
        return { rows: structuredClone(rows.slice(q.offset, q.offset + q.limit)), total: rows.length };
      },
      async all(org, register) {
        return structuredClone(recordsOf(org, register));
      },
      async counts(org) {
        const out: Record<string, number> = {};
        for (const r of read().records) if (r.organizationId === org) out[r.register] = (out[r.register] ?? 0) + 1;
        return out;
      },
      async deleteAll(org, register) {
        write('records.deleteAll');
        const before = read().records.length;
        read().records = read().records.filter((r) => r.organizationId !== org || r.register !== register);
        return before - read().records.length;
      },
    },
    attestations: {
      async insert(a) {
        write('attestations.insert');
        read().attestations.push(structuredClone(a));
      },
      async latestByNode(org) {
        const latest = new Map<string, Attestation>();
        const rows = read()
          .attestations.filter((a) => a.organizationId === org)
          .sort((a, b) =>
            a.attestedAt === b.attestedAt ? (a.id < b.id ? -1 : 1) : a.attestedAt < b.attestedAt ? -1 : 1,
          );
        for (const a of rows) latest.set(a.nodeId, structuredClone(a));
        return latest;
      },
      async history(org, nodeId) {
        return structuredClone(
          read()
            .attestations.filter((a) => a.organizationId === org && a.nodeId === nodeId)
            .sort((a, b) => (a.attestedAt < b.attestedAt ? 1 : -1)),
        );
      },
    },
    audit: {
      async lockHead(org) {
        return structuredClone(read().heads[org] ?? null);
      },
      async append(entry) {
        write('audit.append');
        read().audit.push(structuredClone(entry));
        read().heads[entry.organizationId] = { seq: entry.seq, hash: entry.hash };
      },
      async appendMany(entries) {
        for (const entry of entries) {
          write('audit.append');
          read().audit.push(structuredClone(entry));
          read().heads[entry.organizationId] = { seq: entry.seq, hash: entry.hash };
        }
      },
      async head(org) {
        return structuredClone(read().heads[org] ?? null);
      },
      async page(org, afterSeq, limit) {
        return structuredClone(
          read()
            .audit.filter((e) => e.organizationId === org && e.seq > afterSeq)
            .slice(0, limit),
        );
      },
      async search(q) {
        return structuredClone(
          read()
            .audit.filter((e) => e.organizationId === q.organizationId)
            .slice(0, q.limit),
        );
      },
    },
  };
}

/**
 * In-memory stores with transactions: the work of a unit runs on a draft copy of the state that replaces it only
 * when the work returns, as a database commits or rolls back.
 */
export function createMemoryDatabase(): MemoryDatabase {
  let state: MemoryState = { organizations: [], records: [], attestations: [], audit: [], heads: {} };
  const db: MemoryDatabase = {
    stores: stores(
      () => state,
      (op) => db.beforeWrite(op),
    ),
    uow: {
      async run(work) {
        const draft = structuredClone(state);
        const result = await work(
          stores(
            () => draft,
            (op) => db.beforeWrite(op),
          ),
        );
        state = draft;
        return result;
      },
    },
    state: () => state,
    beforeWrite: () => {},
  };
  return db;
}
