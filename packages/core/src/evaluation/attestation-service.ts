import type { Catalog } from '@ntg/catalog';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import type { RecordChangeListener } from '../registers/register-service.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import type { Attestation, AttestationAnswer, AttestationStore } from './attestation.ts';
import { type CadencePolicy, defaultCadencePolicy, nextDue, periodOf } from './cadence.ts';
import type { AttestationSpec } from './rule.ts';
import { taipeiDate } from './taipei-date.ts';

interface Stores {
  attestations: Pick<AttestationStore, 'insert'>;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

export interface AttestationInput {
  answer: AttestationAnswer;
  statement: string;
  evidenceIds?: string[];
}

export interface AttestationService {
  specs(): readonly AttestationSpec[];
  attest(ctx: ActorContext, organizationId: string, nodeId: string, input: AttestationInput): Promise<Attestation>;
  latest(organizationId: string): Promise<Map<string, Attestation>>;
  history(organizationId: string, nodeId: string): Promise<Attestation[]>;
}

/**
 * Attestations answer requirements no register can show. Each answer expires with its node's cadence (12 months
 * where the text gives none), so "time alone" turns an old answer into a finding.
 */
export function createAttestationService(deps: {
  uow: UnitOfWork<Stores>;
  attestations: Pick<AttestationStore, 'latestByNode' | 'history'>;
  specs: readonly AttestationSpec[];
  catalog: () => Catalog;
  audit: AuditTrail;
  clock: Clock;
  cadencePolicy?: CadencePolicy;
  listener?: RecordChangeListener;
}): AttestationService {
  const specIds = new Set(deps.specs.map((s) => s.nodeId));
  return {
    specs: () => deps.specs,
    async attest(ctx, organizationId, nodeId, input) {
      const node = deps.catalog().get(nodeId);
      if (node === undefined) throw new AppError('CATALOG_NODE_NOT_FOUND', `No catalog node ${nodeId}.`);
      if (!specIds.has(nodeId)) {
        throw new AppError(
          'VALIDATION_FAILED',
          `${nodeId} is evaluated by a rule over the registers, not by attestation.`,
          {
            issues: [{ path: 'nodeId', message: 'not an attestation requirement' }],
          },
        );
      }
      const statement = input.statement.trim();
      if (statement.length < 10) {
        throw new AppError('VALIDATION_FAILED', 'Say in a sentence what is in place (at least 10 characters).', {
          issues: [{ path: 'statement', message: 'too short' }],
        });
      }
      const now = deps.clock.now();
      const today = taipeiDate(now);
      const period = periodOf(node, deps.cadencePolicy ?? defaultCadencePolicy) ?? {
        months: (deps.cadencePolicy ?? defaultCadencePolicy).periodicMonths,
      };
      const attestation: Attestation = {
        organizationId,
        id: newId('att'),
        nodeId,
        answer: input.answer,
        statement,
        evidenceIds: input.evidenceIds ?? [],
        attestedBy: ctx.actor.id,
        attestedAt: now.toISOString(),
        expiresOn: nextDue(today, period),
      };
      await deps.uow.run(async (s) => {
        await s.attestations.insert(attestation);
        await deps.audit.record(s.audit, ctx, {
          organizationId,
          action: 'attestation.create',
          objectType: 'attestation',
          objectId: attestation.id,
          details: {
            nodeId,
            answer: attestation.answer,
            statement,
            evidenceIds: attestation.evidenceIds,
            expiresOn: attestation.expiresOn,
          },
        });
      });
      deps.listener?.recordsChanged(organizationId);
      return attestation;
    },
    latest: (organizationId) => deps.attestations.latestByNode(organizationId),
    history: (organizationId, nodeId) => deps.attestations.history(organizationId, nodeId),
  };
}
