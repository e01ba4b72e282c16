import { createHash } from 'node:crypto';
import { type OrderEvidenceVerification, orderPayloadSchema } from '@ntg/contracts';
import { isAppError } from '../shared/app-error.ts';
import { anchorsOf } from './order-anchors.ts';
import { evidenceGenesisHash, evidenceRowHash } from './order-evidence-chain.ts';
import type { ApprovedCa, ApprovedCaStore, OrderEvidence, OrderEvidenceStore } from './order-store.ts';
import type { RevocationChecker, VerifyOrderSignature } from './order-verification.ts';

/**
 * Offline, nothing can be asked of a CRL or OCSP responder about the past: the status is recorded as not checked.
 * What was known at acceptance is in each row's verification result.
 */
const offlineRevocation: RevocationChecker = {
  check: async () => ({ status: 'unknown', source: 'none', detail: 'not checked in offline re-verification' }),
};

export interface OrderEvidenceVerifier {
  /**
   * Re-verifies the stored orders of one organization (A35.5), optionally those accepted in [from, to): each row's
   * hash, its link to the row before, the signature over the stored canonical bytes with the stored certificate at
   * the time of acceptance, and that the signed payload matches the row. Names every failing row.
   */
  verify(organizationId: string, range?: { from?: string; to?: string }): Promise<OrderEvidenceVerification>;
}

const pageSize = 500;

/** The CAs approved at `at`: added before it and not removed by then. */
function approvedAt(cas: readonly ApprovedCa[], at: string): ApprovedCa[] {
  return cas.filter((ca) => ca.addedAt <= at && (ca.removedAt === null || ca.removedAt > at));
}

export function createOrderEvidenceVerifier(deps: {
  evidence: Pick<OrderEvidenceStore, 'page' | 'head' | 'findBySequence'>;
  approvedCas: Pick<ApprovedCaStore, 'list'>;
  verify: VerifyOrderSignature;
}): OrderEvidenceVerifier {
  const { evidence, approvedCas, verify } = deps;

  async function problemsOf(row: OrderEvidence, cas: readonly ApprovedCa[]): Promise<string[]> {
    const problems: string[] = [];
    if (evidenceRowHash(row) !== row.hash) problems.push('its content does not match its hash (edited)');
    const payload = (() => {
      try {
        return orderPayloadSchema.safeParse(
          JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(row.canonicalBytes)),
        );
      } catch {
        return null;
      }
    })();
    if (payload === null || !payload.success) {
      problems.push('its signed bytes are not an order payload');
    } else {
      const p = payload.data;
      if (p.organizationId !== row.organizationId || p.sessionId !== row.sessionId) {
        problems.push('its signed payload names another organization or session than the row');
      }
      if (p.serial !== row.serial || p.nonce !== row.nonce) {
        problems.push('its signed serial or nonce differs from the row');
      }
    }
    const fingerprint = createHash('sha256').update(row.signerCertificateDer).digest('hex');
    if (fingerprint !== row.signerFingerprint) problems.push('its signer certificate does not match its fingerprint');
    const anchors = approvedAt(cas, row.acceptedAt);
    try {
      const verified = await verify({
        canonicalBytes: row.canonicalBytes,
        signature: row.signature,
        anchors: anchorsOf(anchors),
        at: new Date(row.acceptedAt),
        revocation: offlineRevocation,
        unknownRevocation: 'fail-open',
      });
      if (Buffer.compare(Buffer.from(verified.signerCertificateDer), Buffer.from(row.signerCertificateDer)) !== 0) {
        problems.push('its signature was made with another certificate than the one stored');
      }
    } catch (error) {
      const why = isAppError(error) ? `${error.code}: ${error.message}` : 'the verifier failed';
      problems.push(`its signature does not verify (${why})`);
    }
    return problems;
  }

  return {
    async verify(organizationId, range = {}) {
      const cas = await approvedCas.list(organizationId, { includeRemoved: true });
      const failures: OrderEvidenceVerification['failures'] = [];
      let rows = 0;
      let previous: OrderEvidence | null = null;
      let after = 0;
      for (;;) {
        const page = await evidence.page(organizationId, after, pageSize, range);
        for (const row of page) {
          const problems: string[] = [];
          // The row before, which may lie outside the range asked for.
          let before: OrderEvidence | null = null;
          if (previous !== null && previous.sequence === row.sequence - 1) before = previous;
          else if (row.sequence > 1) {
            before = await evidence.findBySequence(organizationId, row.sequence - 1);
            if (before === null) problems.push(`row ${row.sequence - 1} before it is missing (deleted)`);
          }
          const expectedPrev = row.sequence === 1 ? evidenceGenesisHash(organizationId) : before?.hash;
          if (expectedPrev !== undefined && row.prevHash !== expectedPrev) {
            problems.push('its previous-hash does not match the row before it (reordered or edited)');
          }
          problems.push(...(await problemsOf(row, cas)));
          if (problems.length > 0) failures.push({ sequence: row.sequence, orderId: row.orderId, problems });
          previous = row;
          after = row.sequence;
          rows += 1;
        }
        if (page.length < pageSize) break;
      }
      // Without an end to the range, the newest row must be the head: removing the newest rows is detected.
      if (range.to === undefined && (range.from === undefined || rows > 0)) {
        const head = await evidence.head(organizationId);
        const lastSequence = previous?.sequence ?? 0;
        if ((head?.sequence ?? 0) !== lastSequence || (head !== null && head.hash !== previous?.hash)) {
          failures.push({
            sequence: lastSequence + 1,
            orderId: null,
            problems: [
              `the log ends at row ${lastSequence} but its head records row ${head?.sequence ?? 0} (truncated)`,
            ],
          });
        }
      }
      return {
        organizationId,
        from: range.from ?? null,
        to: range.to ?? null,
        rows,
        ok: failures.length === 0,
        failures,
      };
    },
  };
}
