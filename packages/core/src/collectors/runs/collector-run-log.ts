import {
  type CollectorRun,
  type CollectorRunKind,
  type CollectorStatusResponse,
  collectorRunKinds,
  type EvidenceContentType,
  type EvidenceLinkTarget,
  evidenceFilenameSchema,
  formatEvidenceLinkRef,
} from '@ntg/contracts';
import type { AuditStore } from '../../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../../audit/audit-trail.ts';
import { checkEvidenceContent } from '../../evidence/content-type-check.ts';
import type { EvidenceService } from '../../evidence/evidence-service.ts';
import type { RecordChangeListener } from '../../registers/register-service.ts';
import { AppError } from '../../shared/app-error.ts';
import { canonicalJson } from '../../shared/canonical-json.ts';
import type { Clock } from '../../shared/clock.ts';
import { newId } from '../../shared/ids.ts';
import type { UnitOfWork } from '../../shared/unit-of-work.ts';
import { parseInput } from '../../shared/validation.ts';
import { type CollectorFacts, collectorFactsFrom } from './collector-facts.ts';
import type { CollectorRunListFilter, CollectorRunStore } from './collector-run-store.ts';
import { collectorStatusOf } from './collector-status.ts';

interface Stores {
  collectorRuns: Pick<CollectorRunStore, 'insert'>;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

/** The file a run keeps as evidence: its raw input (a report, an export) or its raw output (TLS facts). */
export interface RunEvidenceFile {
  bytes: Uint8Array;
  filename: string;
  contentType: EvidenceContentType;
  description: string;
  /** The date the observation was made (YYYY-MM-DD, Asia/Taipei). */
  effectiveDate: string;
  /** Catalog nodes the run serves and the records it concerns. */
  links: readonly EvidenceLinkTarget[];
}

export interface CollectorRunInput {
  kind: CollectorRunKind;
  target: string;
  startedAt: Date;
  status: 'ok' | 'error';
  error?: string | null;
  /** SHA-256 of the raw input, or of the evidence file when the output is what is kept. */
  rawSha256: string;
  evidence: RunEvidenceFile;
  summary: Record<string, unknown>;
}

export interface CollectorRunLog {
  /**
   * Refuses, before a collector changes any record, a file that could not then be kept as evidence (a bad name,
   * too large, bytes that are not their type): a run's changes are never left without their evidence.
   */
  preflight(file: Pick<RunEvidenceFile, 'bytes' | 'filename' | 'contentType'>): void;
  /**
   * Stores the evidence file (content-addressed, linked to its nodes and records), then the run row and its audit
   * entry in one transaction, and asks for re-evaluation: an observation can change a verdict without any register
   * change (an endpoint that starts accepting TLS 1.0).
   */
  record(ctx: ActorContext, organizationId: string, input: CollectorRunInput): Promise<CollectorRun>;
  list(organizationId: string, filter: CollectorRunListFilter): Promise<CollectorRun[]>;
  get(organizationId: string, id: string): Promise<CollectorRun>;
  latest(organizationId: string, kind: CollectorRunKind): Promise<CollectorRun | null>;
  /** The observations rules read: the newest network scan and the newest scan of every TLS endpoint. */
  facts(organizationId: string): Promise<CollectorFacts>;
  /** How each collector stands: runs, the newest run, health, and when a scheduled one runs next. */
  status(
    organizationId: string,
    nextScheduledAt?: Partial<Record<CollectorRunKind, string | null>>,
  ): Promise<CollectorStatusResponse>;
}

/** Links an upload may carry at once (the evidence contract); the rest are added one by one. */
const linksPerUpload = 50;

export function actorName(ctx: ActorContext): string {
  return `${ctx.actor.type}:${ctx.actor.id}`;
}

export function createCollectorRunLog(deps: {
  uow: UnitOfWork<Stores>;
  runs: Pick<CollectorRunStore, 'findById' | 'list' | 'latest' | 'latestPerTarget' | 'kindStats'>;
  evidence: Pick<EvidenceService, 'upload' | 'link' | 'maxBytes'>;
  audit: AuditTrail;
  clock: Clock;
  listener?: RecordChangeListener;
}): CollectorRunLog {
  const { uow, runs, evidence, audit, clock } = deps;

  return {
    preflight(file) {
      parseInput(evidenceFilenameSchema, file.filename, 'file name');
      if (file.bytes.byteLength === 0) throw new AppError('VALIDATION_FAILED', 'The file is empty; send its bytes.');
      if (file.bytes.byteLength > evidence.maxBytes) {
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `The file is ${file.bytes.byteLength} bytes; it is kept as evidence, which may be at most ${evidence.maxBytes} bytes.`,
        );
      }
      checkEvidenceContent(file.contentType, file.bytes);
    },

    async record(ctx, organizationId, input) {
      const file = input.evidence;
      const links = [...new Map(file.links.map((l) => [formatEvidenceLinkRef(l), l])).values()];
      const stored = await evidence.upload(ctx, organizationId, {
        filename: file.filename,
        contentType: file.contentType,
        bytes: file.bytes,
        description: file.description,
        effectiveDate: file.effectiveDate,
        collectedBy: `collector:${input.kind}`,
        links: links.slice(0, linksPerUpload),
      });
      for (const link of links.slice(linksPerUpload)) await evidence.link(ctx, organizationId, stored.id, link);
      const run: CollectorRun = {
        id: newId('crun'),
        organizationId,
        kind: input.kind,
        target: input.target,
        status: input.status,
        startedAt: input.startedAt.toISOString(),
        finishedAt: clock.now().toISOString(),
        rawSha256: input.rawSha256,
        evidenceId: stored.id,
        actor: actorName(ctx),
        // Stored as canonical JSON (docs/adr/0004); read back, it must be the same value.
        summary: JSON.parse(canonicalJson(input.summary)) as Record<string, unknown>,
        error: input.error ?? null,
      };
      await uow.run(async (s) => {
        await s.collectorRuns.insert(run);
        await audit.record(s.audit, ctx, {
          organizationId,
          action: 'collector.run',
          objectType: 'collector-run',
          objectId: run.id,
          outcome: run.status === 'ok' ? 'success' : 'failure',
          details: {
            kind: run.kind,
            target: run.target,
            status: run.status,
            rawSha256: run.rawSha256,
            evidenceId: run.evidenceId,
            error: run.error,
          },
        });
      });
      deps.listener?.recordsChanged(organizationId);
      return run;
    },

    list: (organizationId, filter) => runs.list(organizationId, filter),

    async get(organizationId, id) {
      const found = await runs.findById(organizationId, id);
      if (found === null) throw new AppError('NOT_FOUND', `No collector run "${id}" in this organization.`);
      return found;
    },

    latest: (organizationId, kind) => runs.latest(organizationId, kind),

    async status(organizationId, nextScheduledAt = {}) {
      const stats = await runs.kindStats(organizationId);
      const latest = new Map<CollectorRunKind, CollectorRun>();
      for (const kind of collectorRunKinds) {
        const run = stats.some((s) => s.kind === kind) ? await runs.latest(organizationId, kind) : null;
        if (run !== null) latest.set(kind, run);
      }
      return collectorStatusOf({ organizationId, now: clock.now(), stats, latest, nextScheduledAt });
    },

    async facts(organizationId) {
      return collectorFactsFrom({
        latestNetworkScan: await runs.latest(organizationId, 'nmap-import'),
        tlsScans: await runs.latestPerTarget(organizationId, 'tls-scan'),
      });
    },
  };
}
