import type { SubmitOrderResponse } from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import type { NotificationOutbox } from '../notifications/notification-outbox.ts';
import type { NotificationChannelStore, NotificationStore } from '../notifications/notification-store.ts';
import { AppError } from '../shared/app-error.ts';
import { type BatchOutcome, createCommitBatcher } from '../shared/commit-batcher.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { evidenceGenesisHash, evidenceRowHash } from './order-evidence-chain.ts';
import type { OrderEvidence, OrderEvidenceStore, OrderSessionStore } from './order-store.ts';

/** The stores one group commit of accepted orders writes through, all bound to one transaction. */
export interface OrderAcceptanceStores {
  orders: {
    evidence: Pick<OrderEvidenceStore, 'lockHead' | 'acceptedNonces' | 'appendMany'>;
    sessions: Pick<OrderSessionStore, 'lastSerials' | 'advanceSerials'>;
  };
  notifications: Pick<NotificationStore, 'enqueue'>;
  channels: Pick<NotificationChannelStore, 'listForAccounts'>;
  audit: Pick<AuditStore, 'lockHead' | 'appendMany'>;
}

/** An order whose signature, certificate, MAC and timestamp were verified, waiting for its place in the chain. */
export interface VerifiedOrder {
  evidence: Omit<OrderEvidence, 'sequence' | 'prevHash' | 'hash'>;
  /** Who sent it, from where: the audit entry's actor. */
  actor: ActorContext;
  /** The trade notification to the account owner (A38.2). */
  notification: Record<string, unknown>;
  /** The audit entry's details; the evidence sequence and hash are added when they are known. */
  auditDetails: Record<string, unknown>;
}

export interface OrderAcceptanceWriter {
  /**
   * Records one verified order: its evidence row in the organization's hash chain (A35.5), the session's serial
   * (A35.4), the trade notification (A38.2) and the audit entry, committed before the promise settles. Orders that
   * arrive together share one transaction and one commit (one fsync on SQLite, one round of statements on
   * PostgreSQL); none is answered before that commit, and when the commit fails every order of the group is refused
   * with its error, so no order is ever reported accepted and then lost. Rejects with ORDER_REPLAYED when the
   * organization accepted the nonce before (or an earlier order of the same group carries it), and with
   * ORDER_SERIAL_OUT_OF_ORDER when the serial does not move the session forward.
   */
  record(order: VerifiedOrder): Promise<SubmitOrderResponse>;
  /**
   * Announces an order that is being verified: a group about to commit waits for announced orders (briefly, see
   * `maxWaitMs`) so that concurrent orders share its commit. `record` through the reservation, or `cancel` it when the
   * order is refused; a reservation neither recorded nor cancelled only delays groups by `maxWaitMs`.
   */
  reserve(): { record(order: VerifiedOrder): Promise<SubmitOrderResponse>; cancel(): void };
}

type Outcome = BatchOutcome<SubmitOrderResponse>;

function replayed(): AppError {
  return new AppError('ORDER_REPLAYED', 'This order nonce was accepted before; an order is accepted once.');
}

function serialOutOfOrder(serial: number): AppError {
  return new AppError(
    'ORDER_SERIAL_OUT_OF_ORDER',
    `Order serial ${serial} is not above the last serial accepted in this session.`,
  );
}

/** The whole group failed, not one order: surfaced as a server fault, never as an acceptance. */
class GroupInvariantError extends Error {}

/**
 * Decides and writes one organization's part of a group inside the transaction. The decisions (nonce seen, serial
 * forward) are made on values read under the chain's head lock, which every writer of the organization's orders
 * takes first, so they see every committed acceptance; the database then enforces both again (unique nonce,
 * conditional serial UPDATE) and any disagreement fails the whole transaction instead of storing a duplicate.
 */
async function writeOrganization(
  s: OrderAcceptanceStores,
  deps: { outbox: NotificationOutbox; audit: AuditTrail },
  organizationId: string,
  group: readonly VerifiedOrder[],
): Promise<Outcome[]> {
  const head = await s.orders.evidence.lockHead(organizationId);
  const taken = await s.orders.evidence.acceptedNonces(
    organizationId,
    group.map((o) => o.evidence.nonce),
  );
  const serials = await s.orders.sessions.lastSerials([...new Set(group.map((o) => o.evidence.sessionId))]);

  let sequence = head?.sequence ?? 0;
  let prevHash = head?.hash ?? evidenceGenesisHash(organizationId);
  const rows: OrderEvidence[] = [];
  const accepted: { order: VerifiedOrder; row: OrderEvidence }[] = [];
  const moved = new Map<string, number>();
  const outcomes: Outcome[] = group.map((order) => {
    const e = order.evidence;
    // A35.4: the nonce first, so a duplicate is named a replay whatever its serial.
    if (taken.has(e.nonce)) return { ok: false, error: replayed() };
    const last = serials.get(e.sessionId);
    // A session that is not there has no serial to move: refused as the single-row UPDATE refuses it.
    if (last === undefined || (last !== null && e.serial <= last))
      return { ok: false, error: serialOutOfOrder(e.serial) };
    taken.add(e.nonce);
    serials.set(e.sessionId, e.serial);
    moved.set(e.sessionId, e.serial);
    sequence += 1;
    const partial: Omit<OrderEvidence, 'hash'> = { ...e, sequence, prevHash };
    const row: OrderEvidence = { ...partial, hash: evidenceRowHash(partial) };
    prevHash = row.hash;
    rows.push(row);
    accepted.push({ order, row });
    return {
      ok: true,
      value: { orderId: e.orderId, acceptedAt: e.acceptedAt, evidenceSequence: row.sequence, evidenceHash: row.hash },
    };
  });
  if (rows.length === 0) return outcomes;

  await s.orders.evidence.appendMany(rows);
  const updates = [...moved].map(([sessionId, serial]) => ({ sessionId, serial }));
  if (!(await s.orders.sessions.advanceSerials(updates))) {
    throw new GroupInvariantError('A session serial moved while the evidence head was locked.');
  }
  // A38.2: the account owner hears of each trade; the outbox rows commit with the orders or not at all.
  await deps.outbox.enqueueAll(
    { notifications: s.notifications, channels: s.channels },
    organizationId,
    accepted.map(({ order }) => ({
      accountId: order.evidence.accountId,
      kind: 'trade' as const,
      payload: order.notification,
    })),
  );
  await deps.audit.recordAll(
    s.audit,
    organizationId,
    accepted.map(({ order, row }) => ({
      ctx: order.actor,
      input: {
        action: 'orders.order.accept',
        objectType: 'order',
        objectId: row.orderId,
        details: { ...order.auditDetails, evidenceSequence: row.sequence, evidenceHash: row.hash },
      },
    })),
  );
  return outcomes;
}

/**
 * `maxBatch` bounds a group (and so the statement sizes and the time one transaction holds the chain's lock).
 * Groups are written one at a time: orders verified while a group commits form the next one, and a group waits for
 * the orders announced (`reserve`) while they are still being verified.
 */
export function createOrderAcceptanceWriter(deps: {
  uow: UnitOfWork<OrderAcceptanceStores>;
  outbox: NotificationOutbox;
  audit: AuditTrail;
  maxBatch?: number;
  /** How long a group waits for announced orders still being verified (default 10 ms). */
  maxWaitMs?: number;
}): OrderAcceptanceWriter {
  // The transaction did not commit when `uow.run` throws (a statement, the invariant or COMMIT failed): the batcher
  // then rejects every order of the group, none is answered as accepted.
  const batcher = createCommitBatcher<VerifiedOrder, SubmitOrderResponse>(
    (batch) =>
      deps.uow.run(async (s) => {
        const byOrganization = new Map<string, number[]>();
        batch.forEach((order, i) => {
          const list = byOrganization.get(order.evidence.organizationId);
          if (list === undefined) byOrganization.set(order.evidence.organizationId, [i]);
          else list.push(i);
        });
        const outcomes: Outcome[] = new Array(batch.length);
        for (const [org, indexes] of byOrganization) {
          const result = await writeOrganization(
            s,
            deps,
            org,
            indexes.map((i) => batch[i] as VerifiedOrder),
          );
          indexes.forEach((i, k) => {
            outcomes[i] = result[k] as Outcome;
          });
        }
        return outcomes;
      }),
    { maxBatch: deps.maxBatch ?? 128, maxWaitMs: deps.maxWaitMs ?? 10 },
  );
  return {
    record: batcher.submit,
    reserve() {
      const reservation = batcher.reserve();
      return { record: reservation.submit, cancel: reservation.cancel };
    },
  };
}
