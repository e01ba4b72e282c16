import { createHash } from 'node:crypto';
import {
  type Evidence,
  type EvidenceLinkTarget,
  type EvidenceUploadMetadata,
  type EvidenceVerification,
  evidenceLinkTargetSchema,
  evidenceUploadMetadataSchema,
  formatEvidenceLinkRef,
  isoDate,
  type RegisterType,
} from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import type { EvidenceIndex, EvidenceSummary } from '../evaluation/register-snapshot.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { parseInput } from '../shared/validation.ts';
import { checkEvidenceContent } from './content-type-check.ts';
import type { EvidenceBlobStore } from './evidence-blob-store.ts';
import type { EvidenceStore } from './evidence-store.ts';

/** 25 MiB: a scanned contract or a test report fits; a video recording (A41.3) is kept by the video system. */
export const defaultEvidenceMaxBytes = 25 * 1024 * 1024;

interface Stores {
  evidence: EvidenceStore;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

/** A file and what the uploader states about it. `contentType` is the declared type (a Content-Type header). */
export type EvidenceUpload = EvidenceUploadMetadata & { contentType: string; bytes: Uint8Array };

export interface EvidenceContent {
  evidence: Evidence;
  bytes: Uint8Array;
}

export interface EvidenceService {
  /** The largest file accepted, in bytes; the HTTP body limit of uploads. */
  readonly maxBytes: number;
  upload(ctx: ActorContext, organizationId: string, input: EvidenceUpload): Promise<Evidence>;
  list(organizationId: string, options?: { target?: EvidenceLinkTarget }): Promise<Evidence[]>;
  get(organizationId: string, evidenceId: string): Promise<Evidence>;
  /** The metadata and the bytes, re-hashed: altered or missing bytes are an error, never served. */
  content(organizationId: string, evidenceId: string): Promise<EvidenceContent>;
  link(ctx: ActorContext, organizationId: string, evidenceId: string, target: EvidenceLinkTarget): Promise<Evidence>;
  unlink(ctx: ActorContext, organizationId: string, evidenceId: string, target: EvidenceLinkTarget): Promise<Evidence>;
  /** Re-hashes every stored file of the organization and names those that are missing or altered. */
  verify(organizationId: string): Promise<EvidenceVerification>;
  /** The evidence that counts on `today` (YYYY-MM-DD, Asia/Taipei), by node and by record, for evaluation rules. */
  evidenceIndex(organizationId: string, today: string): Promise<EvidenceIndex>;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A size for people: 25 MiB, 64 KiB, 1000 bytes. */
function sizeText(bytes: number): string {
  const mebi = 1024 * 1024;
  if (bytes >= mebi) return `${Number.isInteger(bytes / mebi) ? bytes / mebi : (bytes / mebi).toFixed(1)} MiB`;
  if (bytes >= 1024 && Number.isInteger(bytes / 1024)) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function summaryOf(e: Evidence): EvidenceSummary {
  return {
    id: e.id,
    sha256: e.sha256,
    filename: e.filename,
    effectiveDate: e.effectiveDate,
    expiresOn: e.expiresOn,
    collectedBy: e.collectedBy,
  };
}

/** Newest evidence first: by effective date (undated last), then by upload time. */
function newestFirst(a: Evidence, b: Evidence): number {
  const ad = a.effectiveDate ?? '';
  const bd = b.effectiveDate ?? '';
  if (ad !== bd) return ad < bd ? 1 : -1;
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;
}

export function createEvidenceService(deps: {
  uow: UnitOfWork<Stores>;
  evidence: Pick<EvidenceStore, 'findById' | 'list'>;
  blobs: EvidenceBlobStore;
  audit: AuditTrail;
  clock: Clock;
  maxBytes?: number;
}): EvidenceService {
  const { uow, evidence, blobs, audit, clock } = deps;
  const maxBytes = deps.maxBytes ?? defaultEvidenceMaxBytes;

  async function find(store: Pick<EvidenceStore, 'findById'>, organizationId: string, evidenceId: string) {
    const found = await store.findById(organizationId, evidenceId);
    if (found === null) throw new AppError('NOT_FOUND', `No evidence "${evidenceId}" in this organization.`);
    return found;
  }

  return {
    maxBytes,

    async upload(ctx, organizationId, input) {
      const { contentType: declared, bytes, ...rawMetadata } = input;
      const metadata = parseInput(evidenceUploadMetadataSchema, rawMetadata, 'evidence');
      if (bytes.byteLength === 0) {
        throw new AppError(
          'VALIDATION_FAILED',
          `The file "${metadata.filename}" is empty; send its bytes as the body.`,
        );
      }
      if (bytes.byteLength > maxBytes) {
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `The file "${metadata.filename}" is ${bytes.byteLength} bytes; evidence files may be at most ${sizeText(maxBytes)}.`,
        );
      }
      const contentType = checkEvidenceContent(declared, bytes);
      const sha256 = sha256Hex(bytes);
      // The blob is stored before the metadata that points at it, so committed metadata never names missing
      // bytes. A failure after this leaves an unreferenced blob, which the next upload of the same file reuses.
      await blobs.put(sha256, bytes);
      const now = clock.now().toISOString();
      const record: Evidence = {
        id: newId('evd'),
        organizationId,
        sha256,
        filename: metadata.filename,
        contentType,
        size: bytes.byteLength,
        description: metadata.description ?? null,
        effectiveDate: metadata.effectiveDate ?? null,
        expiresOn: metadata.expiresOn ?? null,
        collectedBy: metadata.collectedBy ?? ctx.actor.id,
        createdAt: now,
        links: dedupe(metadata.links).map((t) => ({ ...t, createdAt: now })),
      };
      return uow.run(async (s) => {
        await s.evidence.insert(record);
        await audit.record(s.audit, ctx, {
          organizationId,
          action: 'evidence.upload',
          objectType: 'evidence',
          objectId: record.id,
          details: {
            filename: record.filename,
            contentType: record.contentType,
            size: record.size,
            sha256: record.sha256,
            effectiveDate: record.effectiveDate,
            expiresOn: record.expiresOn,
            collectedBy: record.collectedBy,
            links: record.links.map(formatEvidenceLinkRef),
          },
        });
        return record;
      });
    },

    async list(organizationId, options) {
      const target =
        options?.target === undefined ? undefined : parseInput(evidenceLinkTargetSchema, options.target, 'link');
      return evidence.list(organizationId, target === undefined ? {} : { target });
    },

    get: (organizationId, evidenceId) => find(evidence, organizationId, evidenceId),

    async content(organizationId, evidenceId) {
      const found = await find(evidence, organizationId, evidenceId);
      const bytes = await blobs.get(found.sha256);
      if (bytes === null) {
        throw new AppError('INTERNAL', `The stored file of evidence ${found.id} (sha256 ${found.sha256}) is missing.`);
      }
      // Evidence shown to an examiner must be the bytes that were collected: storage is re-checked on every read,
      // and altered bytes are refused rather than served under the original digest.
      if (bytes.byteLength !== found.size || sha256Hex(bytes) !== found.sha256) {
        throw new AppError(
          'INTERNAL',
          `The stored file of evidence ${found.id} no longer matches its SHA-256 ${found.sha256}; it was altered ` +
            'after upload and is not served. Run `ntg evidence verify` and restore it from a backup.',
        );
      }
      return { evidence: found, bytes };
    },

    async link(ctx, organizationId, evidenceId, rawTarget) {
      const target = parseInput(evidenceLinkTargetSchema, rawTarget, 'link');
      return uow.run(async (s) => {
        const found = await find(s.evidence, organizationId, evidenceId);
        const createdAt = clock.now().toISOString();
        const added = await s.evidence.addLink(organizationId, found.id, { ...target, createdAt });
        // Linking twice changes nothing and records nothing.
        if (!added) return found;
        await audit.record(s.audit, ctx, {
          organizationId,
          action: 'evidence.link',
          objectType: 'evidence',
          objectId: found.id,
          details: { target: formatEvidenceLinkRef(target), sha256: found.sha256, filename: found.filename },
        });
        return find(s.evidence, organizationId, found.id);
      });
    },

    async unlink(ctx, organizationId, evidenceId, rawTarget) {
      const target = parseInput(evidenceLinkTargetSchema, rawTarget, 'link');
      return uow.run(async (s) => {
        const found = await find(s.evidence, organizationId, evidenceId);
        const removed = await s.evidence.removeLink(organizationId, found.id, target);
        if (!removed) {
          throw new AppError(
            'NOT_FOUND',
            `Evidence ${found.id} is not linked to ${formatEvidenceLinkRef(target)}; nothing to remove.`,
          );
        }
        await audit.record(s.audit, ctx, {
          organizationId,
          action: 'evidence.unlink',
          objectType: 'evidence',
          objectId: found.id,
          details: { target: formatEvidenceLinkRef(target), sha256: found.sha256, filename: found.filename },
        });
        return find(s.evidence, organizationId, found.id);
      });
    },

    async verify(organizationId) {
      const all = await evidence.list(organizationId);
      const bySha = new Map<string, Evidence[]>();
      for (const e of all) pushTo(bySha, e.sha256, e);
      const failures: EvidenceVerification['failures'] = [];
      // One blob at a time: memory stays at one file's size however many files there are.
      for (const [sha256, records] of bySha) {
        const bytes = await blobs.get(sha256);
        const problem = bytes === null ? 'missing' : sha256Hex(bytes) !== sha256 ? 'altered' : null;
        if (problem !== null) {
          failures.push({
            sha256,
            problem,
            evidenceIds: records.map((r) => r.id),
            filenames: [...new Set(records.map((r) => r.filename))],
          });
        }
      }
      return { organizationId, evidence: all.length, blobs: bySha.size, ok: failures.length === 0, failures };
    },

    async evidenceIndex(organizationId, rawToday) {
      const today = parseInput(isoDate, rawToday, 'date');
      const all = await evidence.list(organizationId);
      const byNode = new Map<string, EvidenceSummary[]>();
      const byRecord = new Map<string, EvidenceSummary[]>();
      const recordKey = (type: RegisterType, id: string) => `${type}\u0000${id}`;
      // Expired evidence no longer shows a duty is done, and evidence that takes effect later does not show it yet.
      const current = all
        .filter(
          (e) =>
            (e.expiresOn === null || e.expiresOn >= today) && (e.effectiveDate === null || e.effectiveDate <= today),
        )
        .sort(newestFirst);
      for (const e of current) {
        const summary = summaryOf(e);
        for (const l of e.links) {
          const map = l.targetType === 'node' ? byNode : byRecord;
          const key = l.targetType === 'node' ? l.targetId : recordKey(l.targetType, l.targetId);
          pushTo(map, key, summary);
        }
      }
      return {
        forNode: (nodeId) => byNode.get(nodeId) ?? [],
        forRecord: (recordType, recordId) => byRecord.get(recordKey(recordType, recordId)) ?? [],
      };
    },
  };
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Each target once, in the order stores return links made at the same time (by type, then id). */
function dedupe(targets: readonly EvidenceLinkTarget[]): EvidenceLinkTarget[] {
  const seen = new Map<string, EvidenceLinkTarget>();
  for (const t of targets) seen.set(formatEvidenceLinkRef(t), t);
  return [...seen.values()].sort((a, b) =>
    a.targetType !== b.targetType ? (a.targetType < b.targetType ? -1 : 1) : a.targetId < b.targetId ? -1 : 1,
  );
}
