import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.ts';
import type { AuditEntry } from './audit-store.ts';

/** The first link of each chain points at a value bound to its organization, so chains cannot be swapped. */
export function genesisHash(organizationId: string): string {
  return createHash('sha256').update(`ntg-audit-genesis:${organizationId}`).digest('hex');
}

type Hashable = Omit<AuditEntry, 'hash' | 'mac'>;

/** SHA-256 over the previous hash and the canonical JSON of every recorded field. */
export function entryHash(entry: Hashable): string {
  const body = canonicalJson({
    organizationId: entry.organizationId,
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    objectType: entry.objectType,
    objectId: entry.objectId,
    source: entry.source,
    outcome: entry.outcome,
    details: entry.details,
  });
  return createHash('sha256').update(entry.prevHash).update('\n').update(body).digest('hex');
}

export function entryMac(hash: string, key: Buffer): string {
  return createHmac('sha256', key).update(hash).digest('hex');
}

/** Constant-time comparison of two hex digests: a MAC check must not leak how many leading bytes matched. */
export function sameDigest(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === bb.length && ab.length > 0 && timingSafeEqual(ab, bb);
}
