import { createHash } from 'node:crypto';
import type { Catalog } from '@ntg/catalog';
import { type RuleResult, registerTypes } from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import type { CollectorFacts } from '../collectors/runs/collector-facts.ts';
import type { FindingStore } from '../findings/finding-store.ts';
import { failingByKey, findingsToChange, syncFindingRows } from '../findings/finding-sync.ts';
import type { OrganizationStore } from '../organizations/organization-store.ts';
import type { RecordStore } from '../registers/record-store.ts';
import { toRecord } from '../registers/register-records.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import type { AttestationStore } from './attestation.ts';
import { type CadencePolicy, defaultCadencePolicy } from './cadence.ts';
import { evaluateOrganization } from './evaluation-engine.ts';
import type { EvaluationRun, EvaluationStore, RunTrigger } from './evaluation-store.ts';
import type { EvidenceIndex, RegisterSnapshot } from './register-snapshot.ts';
import type { AttestationSpec, Rule } from './rule.ts';
import type { CollectorCheck } from './rules/collector-rules.ts';
import { addDays, taipeiDate } from './taipei-date.ts';

interface Stores {
  evaluations: Pick<EvaluationStore, 'insertRun' | 'replaceResults' | 'storedResultsDigest'>;
  findings: Pick<FindingStore, 'syncRows' | 'byIds' | 'insertMany' | 'updateMany' | 'addEvents'>;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

/** Passing results are kept only while their next due date is this close: the dashboard's "due soon". */
export const dueSoonDays = 30;

export interface EvaluationService {
  run(ctx: ActorContext, organizationId: string, trigger: RunTrigger): Promise<EvaluationRun>;
  latest(organizationId: string): Promise<EvaluationRun | null>;
}

export interface EvaluationReads {
  organizations: Pick<OrganizationStore, 'findById'>;
  records: Pick<RecordStore, 'all'>;
  attestations: Pick<AttestationStore, 'latestByNode'>;
  evidenceIndex(organizationId: string, today: string): Promise<EvidenceIndex>;
  evaluations: Pick<EvaluationStore, 'latestRun'>;
  /** What collectors observed (docs/adr/0011); without it, collector checks add nothing. */
  collectorFacts?(organizationId: string): Promise<CollectorFacts>;
}

/**
 * A digest of the results a run stores, in the engine's order (catalog order, then each register's stored order):
 * equal digests mean equal rows.
 */
export function resultsDigest(results: readonly RuleResult[]): string {
  const hash = createHash('sha256');
  // One update per result: concatenating hundreds of reasons into one string first measured five times slower
  // (the rope of one- and two-byte strings is flattened before hashing).
  for (const r of results) {
    hash.update(
      `${r.requirementId}\u0000${r.status}\u0000${r.recordType ?? ''}\u0000${r.recordId ?? ''}\u0000${r.recordName ?? ''}\u0000${r.dueDate ?? ''}\u0000${r.reason}\u0001`,
    );
  }
  return hash.digest('hex');
}

/** Reads every register of an organization into the snapshot rules evaluate. */
export async function readSnapshot(
  records: Pick<RecordStore, 'all'>,
  organizationId: string,
): Promise<{ snapshot: RegisterSnapshot; count: number }> {
  const snapshot: Record<string, unknown[]> = {};
  let count = 0;
  for (const register of registerTypes) {
    const rows = await records.all(organizationId, register);
    snapshot[register] = rows.map((r) => toRecord(r as typeof r & { register: typeof register }));
    count += rows.length;
  }
  return { snapshot: snapshot as unknown as RegisterSnapshot, count };
}

export function createEvaluationService(deps: {
  uow: UnitOfWork<Stores>;
  reads: EvaluationReads;
  catalog: () => Catalog;
  rules: readonly Rule[];
  attestationSpecs: readonly AttestationSpec[];
  audit: AuditTrail;
  clock: Clock;
  cadencePolicy?: CadencePolicy;
  collectorChecks?: readonly CollectorCheck[];
}): EvaluationService {
  const { uow, reads, audit, clock } = deps;

  return {
    async run(ctx, organizationId, trigger) {
      const organization = await reads.organizations.findById(organizationId);
      if (organization === null) throw new AppError('ORGANIZATION_NOT_FOUND', `No organization "${organizationId}".`);
      const startedAt = clock.now();
      const catalog = deps.catalog();
      const { snapshot, count } = await readSnapshot(reads.records, organizationId);
      const today = taipeiDate(startedAt);
      // Passes due beyond the horizon are not kept (below), so the engine need not make rows of them.
      const horizon = addDays(today, dueSoonDays);
      const outcome = evaluateOrganization({
        organization,
        catalog,
        registers: snapshot,
        evidence: await reads.evidenceIndex(organizationId, today),
        attestations: await reads.attestations.latestByNode(organizationId),
        now: startedAt,
        rules: deps.rules,
        attestationSpecs: deps.attestationSpecs,
        cadencePolicy: deps.cadencePolicy ?? defaultCadencePolicy,
        passesDueBy: horizon,
        ...(reads.collectorFacts === undefined || deps.collectorChecks === undefined
          ? {}
          : { collectorFacts: await reads.collectorFacts(organizationId), collectorChecks: deps.collectorChecks }),
      });

      // Owners are looked up only for findings opened by this run, so the map is built on first use.
      let owners: Map<string, string> | undefined;
      const ownerOf = (r: RuleResult) => {
        if (owners === undefined) {
          owners = new Map();
          for (const register of registerTypes) {
            const byId = owners;
            for (const rec of snapshot[register] as readonly { id: string; owner: string }[])
              byId.set(`${register}|${rec.id}`, rec.owner);
          }
        }
        return (
          (r.recordType !== null && r.recordId !== null ? owners.get(`${r.recordType}|${r.recordId}`) : undefined) ??
          'Compliance'
        );
      };
      const kept = outcome.results.filter(
        (r) =>
          r.status === 'fail' ||
          r.status === 'error' ||
          r.status === 'needs-evidence' ||
          (r.status === 'pass' && r.dueDate !== null && r.dueDate <= horizon),
      );
      const id = newId('run');
      const digest = resultsDigest(kept);

      return uow.run(async (s) => {
        // The audit entry comes first: it locks the organization's chain head, so two instances evaluating the
        // same organization at once take turns instead of racing to open the same findings.
        await audit.record(s.audit, ctx, {
          organizationId,
          action: 'evaluation.run',
          objectType: 'evaluation-run',
          objectId: id,
          details: { trigger, catalogVersion: catalog.version, score: outcome.scores.overall },
        });
        // Read after the chain head is locked, so no other run changes the stored results meanwhile.
        const storedDigest = await s.evaluations.storedResultsDigest(organizationId);
        // Stored findings are read by the columns the sync compares; full rows only for those this run changes.
        const existing = await s.findings.syncRows(organizationId);
        const failing = failingByKey(outcome.results);
        const changing = findingsToChange(existing, failing, outcome.today);
        const full = new Map((await s.findings.byIds(organizationId, changing)).map((f) => [f.id, f]));
        const sync = syncFindingRows({
          organizationId,
          existing,
          full,
          failing,
          results: outcome.results,
          obligationOf: (nodeId) => catalog.get(nodeId)?.obligation ?? null,
          ownerOf,
          now: startedAt,
          today: outcome.today,
        });
        await s.findings.insertMany(sync.inserts);
        await s.findings.updateMany(sync.updates);
        await s.findings.addEvents(sync.events);
        // Open after this run: each stored finding by its new status where this run changed it, and the new ones.
        const changed = new Map(sync.updates.map((f) => [f.id, f.status]));
        let openCount = 0;
        for (const f of existing) if ((changed.get(f.id) ?? f.status) === 'open') openCount += 1;
        for (const f of sync.inserts) if (f.status === 'open') openCount += 1;
        const run: EvaluationRun = {
          organizationId,
          id,
          startedAt: startedAt.toISOString(),
          finishedAt: clock.now().toISOString(),
          trigger,
          catalogVersion: catalog.version,
          score: outcome.scores.overall,
          summary: {
            nodes: outcome.nodes,
            scores: outcome.scores,
            chapters: outcome.chapters,
            findings: { opened: sync.opened, reopened: sync.reopened, fixed: sync.fixed, open: openCount },
            recordsEvaluated: count,
            resultsDigest: digest,
          },
        };
        await s.evaluations.insertRun(run);
        if (storedDigest !== digest) await s.evaluations.replaceResults(organizationId, id, kept);
        return run;
      });
    },

    latest: (organizationId) => reads.evaluations.latestRun(organizationId),
  };
}
