import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.ts';
import type { OrderEvidence } from './order-store.ts';

/** The first row of each organization's chain points at a value bound to it, so chains cannot be swapped. */
export function evidenceGenesisHash(organizationId: string): string {
  return createHash('sha256').update(`ntg-order-evidence-genesis:${organizationId}`).digest('hex');
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * SHA-256 over the previous row's hash and the canonical JSON of every stored field (A35.5, ADR 0014): editing any
 * of them, the signed bytes and the certificate included, changes the hash.
 */
export function evidenceRowHash(row: Omit<OrderEvidence, 'hash'>): string {
  const body = canonicalJson({
    organizationId: row.organizationId,
    sequence: row.sequence,
    orderId: row.orderId,
    accountId: row.accountId,
    sessionId: row.sessionId,
    serial: row.serial,
    nonce: row.nonce,
    canonicalBytes: b64(row.canonicalBytes),
    signature: { format: row.signature.format, value: row.signature.value },
    signerCertificate: b64(row.signerCertificateDer),
    signerFingerprint: row.signerFingerprint,
    verification: row.verification,
    acceptedAt: row.acceptedAt,
  });
  return createHash('sha256').update(row.prevHash).update('\n').update(body).digest('hex');
}
