import { type AcceptedOrder, orderPayloadSchema } from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import { recordPersonalDataUse } from '../identity/personal-data-use.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import type { OrderEvidence, OrderEvidenceQuery, OrderEvidenceStore } from './order-store.ts';

export interface AcceptedOrderService {
  /**
   * Accepted orders, newest first, as operators see them. A client's trades are personal data: each client account
   * shown is recorded as a use (A38.1) in the same transaction as the read.
   */
  list(ctx: ActorContext, query: OrderEvidenceQuery): Promise<AcceptedOrder[]>;
}

/** The signed bytes are what the client ordered; a row whose bytes no longer parse shows no order, never an error. */
export function acceptedOrderView(row: OrderEvidence): AcceptedOrder {
  let order: AcceptedOrder['order'] = null;
  try {
    const parsed = orderPayloadSchema.safeParse(JSON.parse(new TextDecoder().decode(row.canonicalBytes)));
    if (parsed.success) order = parsed.data.order;
  } catch {
    // Not JSON any more; `ntg orders verify-evidence` names the row.
  }
  const chain = row.verification.chain;
  const signer = Array.isArray(chain) ? (chain[0] as { subject?: unknown } | undefined) : undefined;
  return {
    orderId: row.orderId,
    sequence: row.sequence,
    accountId: row.accountId,
    sessionId: row.sessionId,
    serial: row.serial,
    acceptedAt: row.acceptedAt,
    order,
    signatureFormat: row.signature.format,
    signerSubject: typeof signer?.subject === 'string' ? signer.subject : '',
    signerFingerprint: row.signerFingerprint,
    hash: row.hash,
  };
}

export function createAcceptedOrderService(deps: {
  uow: UnitOfWork<{ audit: Pick<AuditStore, 'lockHead' | 'append'> }>;
  evidence: Pick<OrderEvidenceStore, 'search'>;
  audit: AuditTrail;
}): AcceptedOrderService {
  const { uow, evidence, audit } = deps;
  return {
    async list(ctx, query) {
      const orders = (await evidence.search(query)).map(acceptedOrderView);
      const perAccount = new Map<string, number>();
      for (const o of orders) perAccount.set(o.accountId, (perAccount.get(o.accountId) ?? 0) + 1);
      if (perAccount.size > 0) {
        await uow.run(async (s) => {
          for (const [clientAccountId, count] of perAccount) {
            await recordPersonalDataUse(audit, s.audit, ctx, {
              organizationId: query.organizationId,
              clientAccountId,
              function: 'admin.orders.list',
              query: {
                ...(query.accountId === undefined ? {} : { accountId: query.accountId }),
                ...(query.from === undefined ? {} : { from: query.from }),
                ...(query.to === undefined ? {} : { to: query.to }),
                limit: query.limit,
              },
              result: `${count} accepted ${count === 1 ? 'order' : 'orders'} shown`,
            });
          }
        });
      }
      return orders;
    },
  };
}
