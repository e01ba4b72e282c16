import type { RegisterFields, RegisterRecord, RegisterType } from '@ntg/contracts';
import type { ActorContext } from '../../audit/audit-trail.ts';
import type { RegisterService } from '../../registers/register-service.ts';
import { isAppError } from '../../shared/app-error.ts';
import { canonicalJson } from '../../shared/canonical-json.ts';

export type RecordUpdate =
  | { outcome: 'updated'; changed: string[]; record: RegisterRecord<RegisterType> }
  | { outcome: 'unchanged' }
  | { outcome: 'failed'; problem: string };

/** A record as input for `replace`: its meta fields a person may set, and its register fields. */
function inputOf(record: Record<string, unknown>): Record<string, unknown> {
  const { revision: _r, createdAt: _c, updatedAt: _u, ...input } = record;
  return input;
}

/**
 * Changes some fields of one record through the register service, so a collector's change is validated, audited
 * with its field diff and triggers re-evaluation exactly like a person's edit. Nothing is written when the values
 * are already there. A concurrent edit (a person saving the same record) is retried once on the fresh record; a
 * change the register refuses is reported, not thrown, so one bad record does not lose the rest of a run.
 */
export async function updateRecordFields<R extends RegisterType>(
  registers: Pick<RegisterService, 'get' | 'replace'>,
  ctx: ActorContext,
  organizationId: string,
  register: R,
  id: string,
  patchOf: (record: RegisterRecord<R>) => Partial<RegisterFields<R>>,
): Promise<RecordUpdate> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const record = await registers.get(organizationId, register, id);
      const patch = patchOf(record) as Record<string, unknown>;
      const current = record as unknown as Record<string, unknown>;
      const changed = Object.keys(patch).filter((k) => canonicalJson(current[k] ?? null) !== canonicalJson(patch[k]));
      if (changed.length === 0) return { outcome: 'unchanged' };
      const updated = await registers.replace(
        ctx,
        organizationId,
        register,
        id,
        { ...inputOf(current), ...patch },
        record.revision,
      );
      return { outcome: 'updated', changed, record: updated as RegisterRecord<RegisterType> };
    } catch (error) {
      if (isAppError(error) && error.code === 'CONFLICT' && attempt === 0) continue;
      if (isAppError(error) && error.code !== 'INTERNAL') return { outcome: 'failed', problem: error.message };
      throw error;
    }
  }
}
