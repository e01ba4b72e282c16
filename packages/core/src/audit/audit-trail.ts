import type { AuditActor, AuditVerification } from '@ntg/contracts';
import type { Clock } from '../shared/clock.ts';
import { entryHash, entryMac, genesisHash, sameDigest } from './audit-chain.ts';
import type { AuditEntry, AuditOutcome, AuditStore } from './audit-store.ts';

/** Who acts and from where; passed down from the route or command that started the change. */
export interface ActorContext {
  actor: AuditActor;
  /** Client address for HTTP requests, `cli@host` for commands, null for scheduled jobs. */
  source: string | null;
}

export interface AuditRecordInput {
  organizationId: string;
  action: string;
  objectType: string;
  objectId: string | null;
  outcome?: AuditOutcome;
  details?: Record<string, unknown>;
}

export interface AuditTrail {
  /** Appends one entry. Call it with the stores of the unit of work that makes the change it records. */
  record(
    store: Pick<AuditStore, 'lockHead' | 'append'>,
    ctx: ActorContext,
    input: AuditRecordInput,
  ): Promise<AuditEntry>;
  /**
   * Appends several entries of one organization in chain order, under one lock of the head and with one insert: a
   * batch of changes committed together (accepted orders of one group commit) costs one round of statements, not one
   * per entry. The chain is the same as `record` called once per entry.
   */
  recordAll(
    store: Pick<AuditStore, 'lockHead' | 'appendMany'>,
    organizationId: string,
    entries: readonly { ctx: ActorContext; input: Omit<AuditRecordInput, 'organizationId'> }[],
  ): Promise<AuditEntry[]>;
  /** Walks the whole chain and names the first broken link. */
  verify(store: Pick<AuditStore, 'page' | 'head'>, organizationId: string): Promise<AuditVerification>;
}

const pageSize = 1000;

export function createAuditTrail(deps: { clock: Clock; auditKey: Buffer }): AuditTrail {
  const { clock, auditKey } = deps;

  /** The entries that follow `head` in the chain, in order: each links to the one before and carries its MAC. */
  function chained(
    organizationId: string,
    head: { seq: number; hash: string } | null,
    items: readonly { ctx: ActorContext; input: Omit<AuditRecordInput, 'organizationId'> }[],
  ): AuditEntry[] {
    let prevHash = head?.hash ?? genesisHash(organizationId);
    let seq = head?.seq ?? 0;
    const at = clock.now().toISOString();
    return items.map(({ ctx, input }) => {
      seq += 1;
      const partial = {
        organizationId,
        seq,
        at,
        actor: ctx.actor,
        action: input.action,
        objectType: input.objectType,
        objectId: input.objectId,
        source: ctx.source,
        outcome: input.outcome ?? 'success',
        details: input.details ?? {},
        prevHash,
      };
      const hash = entryHash(partial);
      prevHash = hash;
      return { ...partial, hash, mac: entryMac(hash, auditKey) };
    });
  }

  return {
    async record(store, ctx, input) {
      const head = await store.lockHead(input.organizationId);
      const [entry] = chained(input.organizationId, head, [{ ctx, input }]) as [AuditEntry];
      await store.append(entry);
      return entry;
    },

    async recordAll(store, organizationId, items) {
      if (items.length === 0) return [];
      const head = await store.lockHead(organizationId);
      const entries = chained(organizationId, head, items);
      await store.appendMany(entries);
      return entries;
    },

    async verify(store, organizationId) {
      let expectedPrev = genesisHash(organizationId);
      let expectedSeq = 1;
      let count = 0;
      const broken = (seq: number, problem: string): AuditVerification => ({
        organizationId,
        entries: count,
        ok: false,
        firstBroken: { seq, problem },
      });
      for (;;) {
        const entries = await store.page(organizationId, expectedSeq - 1, pageSize);
        for (const entry of entries) {
          if (entry.seq !== expectedSeq) {
            return broken(expectedSeq, `entry ${expectedSeq} is missing; the next stored entry is ${entry.seq}`);
          }
          if (entry.prevHash !== expectedPrev) {
            return broken(entry.seq, 'its previous-hash does not match the entry before it (deleted or reordered)');
          }
          if (!sameDigest(entryHash(entry), entry.hash)) {
            return broken(entry.seq, 'its content does not match its hash (edited)');
          }
          if (!sameDigest(entryMac(entry.hash, auditKey), entry.mac)) {
            return broken(entry.seq, 'its MAC is not valid under the audit key (chain recomputed or forged)');
          }
          expectedPrev = entry.hash;
          expectedSeq += 1;
          count += 1;
        }
        if (entries.length < pageSize) break;
      }
      // The head is kept apart from the entries: removing the newest entries leaves a head that points past them.
      const head = await store.head(organizationId);
      const lastSeq = expectedSeq - 1;
      if ((head?.seq ?? 0) !== lastSeq || (head !== null && head.hash !== expectedPrev)) {
        return broken(
          lastSeq + 1,
          `the chain ends at entry ${lastSeq} but its head records entry ${head?.seq ?? 0} (truncated)`,
        );
      }
      return { organizationId, entries: count, ok: true, firstBroken: null };
    },
  };
}
