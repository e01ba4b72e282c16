import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  canonicalJsonBytes,
  canonicalOrderBytes,
  type SubmitOrderResponse,
  submitOrderRequestSchema,
} from '@ntg/contracts';
import type { RequestContext } from '../identity/attempt-guard.ts';
import type { SessionMacKeyCipher } from '../identity/session-mac-key.ts';
import type { AuthenticatedSession } from '../identity/session-service.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import { parseInput } from '../shared/validation.ts';
import type { OrderAcceptanceWriter } from './order-acceptance-writer.ts';
import { anchorsOf, enforceUnknownRevocation, verifierRevocationPolicy } from './order-anchors.ts';
import type { ApprovedCaStore, ClientCertificateStore, OrderSessionStore } from './order-store.ts';
import type { RevocationChecker, VerifyOrderSignature } from './order-verification.ts';

export interface OrderService {
  /**
   * Accepts one signed order sent in `session` (A35, A36.5): checks the session MAC, the payload's binding to the
   * session, the timestamp, the signature and the certificate bound to the account, then records the order, its
   * evidence row, the trade notification and the audit entry in one transaction, committed before it returns.
   * Every refusal throws an AppError with its ORDER_* code and stores nothing.
   */
  submit(
    ctx: RequestContext,
    session: AuthenticatedSession,
    body: unknown,
    macHeader: string | undefined,
  ): Promise<SubmitOrderResponse>;
}

export const defaultOrderSkewSeconds = 120;

function macInvalid(): AppError {
  return new AppError('ORDER_MAC_INVALID', 'The x-ntg-mac header does not match this session and body.');
}

/** A35.2, A35.3: HMAC-SHA256 under the session key over the canonical body, compared in constant time. */
function macMatches(key: Buffer, body: Uint8Array, header: string | undefined): boolean {
  if (header === undefined || !/^[A-Za-z0-9_-]{43}$/.test(header)) return false;
  const given = Buffer.from(header, 'base64url');
  const expected = createHmac('sha256', key).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function createOrderService(deps: {
  /** Records verified orders, in groups that share one commit (order-acceptance-writer.ts). */
  writer: OrderAcceptanceWriter;
  reads: {
    approvedCas: Pick<ApprovedCaStore, 'list'>;
    clientCertificates: Pick<ClientCertificateStore, 'findBound'>;
    sessions: Pick<OrderSessionStore, 'sealedMacKey'>;
  };
  macKeys: SessionMacKeyCipher;
  verify: VerifyOrderSignature;
  revocation: RevocationChecker;
  clock: Clock;
  /** How far the client's timestamp may be from the server's clock, either way (default 120 s). */
  skewSeconds?: number;
}): OrderService {
  const { writer, reads, macKeys, verify, revocation, clock } = deps;
  const skewMs = (deps.skewSeconds ?? defaultOrderSkewSeconds) * 1000;

  return {
    async submit(ctx, session, raw, macHeader) {
      // Announced now, so the group commit this order will join waits for its verification (order-acceptance-writer).
      const place = writer.reserve();
      try {
        return await accept(ctx, session, raw, macHeader, place);
      } finally {
        place.cancel();
      }
    },
  };

  async function accept(
    ctx: RequestContext,
    session: AuthenticatedSession,
    raw: unknown,
    macHeader: string | undefined,
    place: { record: OrderAcceptanceWriter['record'] },
  ): Promise<SubmitOrderResponse> {
    // Strict schemas: an unknown member anywhere is refused, so nothing unsigned rides along (ADR 0014).
    const request = parseInput(submitOrderRequestSchema, raw, 'order');
    const { payload, signature } = request;

    const sealed = await reads.sessions.sealedMacKey(session.id);
    if (sealed === null) throw macInvalid();
    let key: Buffer;
    try {
      key = macKeys.open(sealed, session.id);
    } catch {
      throw macInvalid();
    }
    if (!macMatches(key, canonicalJsonBytes(request), macHeader)) throw macInvalid();

    // The signed payload must name the session it is sent in: an order signed for another client, firm or
    // session cannot be replayed through this one.
    if (
      payload.organizationId !== session.organizationId ||
      payload.clientId !== session.identifier ||
      payload.sessionId !== session.id
    ) {
      throw new AppError(
        'FORBIDDEN',
        'The order names another organization, client or session than the session it is sent in.',
      );
    }

    const now = clock.now();
    const signedAt = Date.parse(payload.timestamp);
    if (Number.isNaN(signedAt)) throw new AppError('ORDER_MALFORMED', 'The order timestamp is not a real time.');
    if (Math.abs(now.getTime() - signedAt) > skewMs) {
      throw new AppError(
        'ORDER_TIMESTAMP_SKEW',
        `The order was signed at ${payload.timestamp}, more than ${skewMs / 1000} s from the server's time ${now.toISOString()}.`,
      );
    }

    const canonicalBytes = canonicalOrderBytes(payload);
    const cas = await reads.approvedCas.list(session.organizationId);
    if (cas.length === 0) {
      throw new AppError('ORDER_CERTIFICATE_UNTRUSTED', 'This organization has approved no CA for order signatures.');
    }
    const verified = await verify({
      canonicalBytes,
      signature,
      anchors: anchorsOf(cas),
      at: now,
      revocation,
      unknownRevocation: verifierRevocationPolicy(cas),
    });
    enforceUnknownRevocation(cas, verified.anchorId, verified.revocation);

    // The binding is looked up by the fingerprint of the bytes the verifier returned, computed here.
    const fingerprint = createHash('sha256').update(verified.signerCertificateDer).digest('hex');
    const bound = await reads.clientCertificates.findBound(session.accountId, fingerprint);
    if (bound === null) {
      throw new AppError(
        'ORDER_CERTIFICATE_NOT_BOUND',
        'The order is signed with a certificate that is not bound to this client account.',
      );
    }

    const orderId = newId('ord');
    const acceptedAt = now.toISOString();
    const verification = {
      algorithm: verified.algorithm,
      anchorId: verified.anchorId,
      chain: verified.chain.map((c) => ({
        subject: c.subject,
        issuer: c.issuer,
        serialNumber: c.serialNumber,
        fingerprint: c.fingerprint,
        notBefore: c.notBefore,
        notAfter: c.notAfter,
      })),
      revocation: {
        status: verified.revocation.status,
        source: verified.revocation.source,
        ...(verified.revocation.producedAt === undefined ? {} : { producedAt: verified.revocation.producedAt }),
        ...(verified.revocation.detail === undefined ? {} : { detail: verified.revocation.detail }),
      },
      boundCertificateId: bound.id,
    };

    // A35.4, A35.5, A38.2: the evidence row, the serial, the trade notification and the audit entry commit together
    // (with the other orders of the same group commit) before this answers.
    return place.record({
      evidence: {
        organizationId: session.organizationId,
        orderId,
        accountId: session.accountId,
        sessionId: session.id,
        serial: payload.serial,
        nonce: payload.nonce,
        canonicalBytes,
        signature,
        signerCertificateDer: verified.signerCertificateDer,
        signerFingerprint: fingerprint,
        verification,
        acceptedAt,
      },
      actor: { actor: { type: 'client', id: session.accountId }, source: ctx.source },
      notification: {
        orderId,
        at: acceptedAt,
        source: ctx.source,
        account: payload.order.account,
        symbol: payload.order.symbol,
        side: payload.order.side,
        type: payload.order.type,
        quantity: payload.order.quantity,
        ...(payload.order.price === undefined ? {} : { price: payload.order.price }),
        timeInForce: payload.order.timeInForce,
      },
      auditDetails: {
        sessionId: session.id,
        serial: payload.serial,
        signerFingerprint: fingerprint,
        symbol: payload.order.symbol,
        side: payload.order.side,
      },
    });
  }
}
