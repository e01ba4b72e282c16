import { type ClientAccountView, type PersonalDataUse, type UnlockAccount, unlockAccountSchema } from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { parseInput } from '../shared/validation.ts';
import type { WebauthnCredentialStore } from '../webauthn/webauthn-store.ts';
import type { IdentityStores } from './identity-store.ts';
import { personalDataUseAction, personalDataUsesOf, recordPersonalDataUse } from './personal-data-use.ts';

interface Stores {
  identity: Pick<IdentityStores, 'accounts'>;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

export interface AccountAdminService {
  view(accountId: string): Promise<ClientAccountView>;
  /** The view an operator asks for: a use of the client's personal data, audited as A38.1 asks. */
  inspect(ctx: ActorContext, accountId: string): Promise<ClientAccountView>;
  /** A38.1: the recorded uses of clients' personal data, by client and period, newest first. */
  personalDataUses(query: {
    organizationId: string;
    clientAccountId?: string;
    from?: string;
    to?: string;
    limit: number;
  }): Promise<PersonalDataUse[]>;
  /**
   * A37.5: a locked account stays locked until an audited procedure unlocks it: an operator with a reason, or
   * after the client's identity was verified again. The counter restarts.
   */
  unlock(ctx: ActorContext, accountId: string, input: UnlockAccount): Promise<ClientAccountView>;
}

export function createAccountAdminService(deps: {
  uow: UnitOfWork<Stores>;
  reads: Pick<IdentityStores, 'accounts' | 'credentials' | 'totpDevices' | 'deviceKeys'> & {
    /** WebAuthn credentials, when the gateway offers them. */
    webauthn?: Pick<WebauthnCredentialStore, 'listForSubject'>;
  };
  auditReads: Pick<AuditStore, 'search'>;
  audit: AuditTrail;
  clock: Clock;
}): AccountAdminService {
  const { uow, reads, audit, clock } = deps;

  async function view(accountId: string): Promise<ClientAccountView> {
    const account = await reads.accounts.findById(accountId);
    if (account === null) throw new AppError('CLIENT_ACCOUNT_NOT_FOUND', `No client account "${accountId}".`);
    const [pin, totp, keys, webauthn] = await Promise.all([
      reads.credentials.current(accountId),
      reads.totpDevices.listForAccount(accountId),
      reads.deviceKeys.listForAccount(accountId),
      reads.webauthn?.listForSubject('client-account', accountId) ?? [],
    ]);
    return {
      id: account.id,
      organizationId: account.organizationId,
      identifier: account.identifier,
      lockedAt: account.lockedAt,
      failedAttempts: account.failedAttempts,
      createdAt: account.createdAt,
      factors: {
        knowledge: pin === null ? null : { changedAt: pin.createdAt },
        totpDevices: totp.map((d) => ({ id: d.id, label: d.label, createdAt: d.createdAt })),
        deviceKeys: keys.map((k) => ({
          id: k.id,
          label: k.label,
          biometricGated: k.biometricGated,
          authenticatorType: k.authenticatorType,
          createdAt: k.createdAt,
        })),
        webauthn: webauthn.map((w) => ({
          id: w.id,
          label: w.label,
          aaguid: w.aaguid,
          synced: w.backupEligible,
          createdAt: w.createdAt,
          lastUsedAt: w.lastUsedAt,
          suspendedAt: w.suspendedAt,
          suspendedReason: w.suspendedReason,
        })),
      },
    };
  }

  return {
    view,
    async inspect(ctx, accountId) {
      const shown = await view(accountId);
      const factors =
        shown.factors.totpDevices.length +
        shown.factors.deviceKeys.length +
        shown.factors.webauthn.length +
        (shown.factors.knowledge ? 1 : 0);
      await uow.run((s) =>
        recordPersonalDataUse(audit, s.audit, ctx, {
          organizationId: shown.organizationId,
          clientAccountId: accountId,
          function: 'admin.account.view',
          query: { accountId },
          result: `identifier, lock state and ${factors} enrolled ${factors === 1 ? 'factor' : 'factors'} shown`,
        }),
      );
      return shown;
    },
    async personalDataUses(q) {
      const entries = await deps.auditReads.search({
        organizationId: q.organizationId,
        action: personalDataUseAction,
        objectType: 'client-account',
        ...(q.clientAccountId === undefined ? {} : { objectId: q.clientAccountId }),
        ...(q.from === undefined ? {} : { from: q.from }),
        ...(q.to === undefined ? {} : { to: q.to }),
        limit: q.limit,
      });
      return personalDataUsesOf(entries);
    },
    async unlock(ctx, accountId, raw) {
      const input = parseInput(unlockAccountSchema, raw, 'unlock');
      const at = clock.now().toISOString();
      await uow.run(async (s) => {
        const account = await s.identity.accounts.findForUpdate(accountId);
        if (account === null) throw new AppError('CLIENT_ACCOUNT_NOT_FOUND', `No client account "${accountId}".`);
        if (account.lockedAt === null || !(await s.identity.accounts.unlock(accountId, at))) {
          throw new AppError('CONFLICT', `Client account "${accountId}" is not locked.`);
        }
        await audit.record(s.audit, ctx, {
          organizationId: account.organizationId,
          action: 'identity.account.unlock',
          objectType: 'client-account',
          objectId: accountId,
          details: { method: input.method, reason: input.reason, lockedAt: account.lockedAt },
        });
      });
      return view(accountId);
    },
  };
}
