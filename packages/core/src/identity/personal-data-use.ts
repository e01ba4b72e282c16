import type { PersonalDataUse } from '@ntg/contracts';
import type { AuditEntry, AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import { formatCsv, guardText, utf8Bom } from '../registers/csv-format.ts';

/** The audit action of a use of a client's personal data (Directions A38.1). */
export const personalDataUseAction = 'personal-data.use';

/** The system name A38.1 asks for, as every use records it. */
export const gatewaySystemName = 'NewTech Guard identity gateway';

export interface PersonalDataUseInput {
  organizationId: string;
  clientAccountId: string;
  /** The system function, e.g. "admin.account.view". */
  function: string;
  /** What was asked (identifiers, filters), never a secret. */
  query: Record<string, unknown>;
  /** What was shown, summarized, e.g. "identifier, lock state, 2 enrolled factors". */
  result: string;
}

/**
 * Directions A38.1: records one use of a client's personal data in the hash-chained audit trail, with the login
 * account (the actor), the function, the time, the system name, the query and a summary of the result, so that an
 * unauthorized disclosure can be traced. Call it inside the unit of work of the read it records.
 */
export function recordPersonalDataUse(
  audit: AuditTrail,
  store: Pick<AuditStore, 'lockHead' | 'append'>,
  ctx: ActorContext,
  use: PersonalDataUseInput,
): Promise<AuditEntry> {
  return audit.record(store, ctx, {
    organizationId: use.organizationId,
    action: personalDataUseAction,
    objectType: 'client-account',
    objectId: use.clientAccountId,
    details: { function: use.function, system: gatewaySystemName, query: use.query, result: use.result },
  });
}

/** The uses among audit entries, as A38.1 lists them. */
export function personalDataUsesOf(entries: readonly AuditEntry[]): PersonalDataUse[] {
  return entries
    .filter((e) => e.action === personalDataUseAction && e.objectId !== null)
    .map((e) => {
      const d = e.details as { function?: unknown; system?: unknown; query?: unknown; result?: unknown };
      return {
        at: e.at,
        loginAccount: `${e.actor.type}:${e.actor.id}`,
        function: typeof d.function === 'string' ? d.function : 'unknown',
        system: typeof d.system === 'string' ? d.system : gatewaySystemName,
        clientAccountId: e.objectId ?? '',
        query: typeof d.query === 'object' && d.query !== null ? (d.query as Record<string, unknown>) : {},
        result: typeof d.result === 'string' ? d.result : '',
        auditSeq: e.seq,
      };
    });
}

/** The uses as CSV for an inspector: one row per use, formula-guarded cells, UTF-8 with a header. */
export function personalDataUsesCsv(uses: readonly PersonalDataUse[]): string {
  const header = ['at', 'login_account', 'function', 'system', 'client_account', 'query', 'result', 'audit_seq'];
  const rows = uses.map((u) =>
    [
      u.at,
      u.loginAccount,
      u.function,
      u.system,
      u.clientAccountId,
      JSON.stringify(u.query),
      u.result,
      String(u.auditSeq),
    ].map(guardText),
  );
  return utf8Bom + formatCsv([header, ...rows]);
}
