import { type ChangePinRequest, changePinRequestSchema } from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { parseInput } from '../shared/validation.ts';
import type { AttemptGuard, AttemptSubject, RequestContext } from './attempt-guard.ts';
import type { GatewayPolicy } from './gateway-policy.ts';
import type { CredentialStore, IdentityStores } from './identity-store.ts';
import type { SecretHasher } from './secret-hasher.ts';
import { checkNewSecret, pinHistoryDepth } from './secret-policy.ts';
import type { AuthenticatedSession, SessionService } from './session-service.ts';

interface Stores {
  identity: Pick<IdentityStores, 'accounts' | 'credentials' | 'attempts'>;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

export interface CredentialService {
  /**
   * A37.6: the client changes the PIN whenever they like, with the current PIN and a fresh second factor (step-up).
   * The current PIN is checked under the same lockout as a login; the new one may not repeat the last five.
   */
  changePin(
    ctx: RequestContext,
    session: AuthenticatedSession,
    input: ChangePinRequest,
  ): Promise<{ changedAt: string }>;
}

/** True when `secret` matches any of the stored hashes. Runs them all, so timing does not say which. */
export async function matchesAny(hasher: SecretHasher, phcs: readonly string[], secret: string): Promise<boolean> {
  const results = await Promise.all(phcs.map((phc) => hasher.verify(phc, secret)));
  return results.includes(true);
}

export function createCredentialService(deps: {
  uow: UnitOfWork<Stores>;
  reads: { credentials: Pick<CredentialStore, 'recent'> };
  guard: AttemptGuard;
  sessions: Pick<SessionService, 'requireFresh'>;
  hasher: SecretHasher;
  policy: GatewayPolicy;
  audit: AuditTrail;
  clock: Clock;
}): CredentialService {
  const { uow, reads, guard, sessions, hasher, policy, audit, clock } = deps;

  return {
    async changePin(ctx, session, raw) {
      const input = parseInput(changePinRequestSchema, raw, 'PIN change');
      const otherKinds = policy.requiredKinds.filter((k) => k !== 'knowledge');
      sessions.requireFresh(session, otherKinds);
      checkNewSecret(input.newPin, session.identifier);
      const subject: AttemptSubject = {
        accountId: session.accountId,
        organizationId: session.organizationId,
        identifier: session.identifier,
      };
      const reserved = await uow.run((s) =>
        guard.reserve(s.identity.accounts, session.accountId, clock.now().toISOString()),
      );
      if (reserved === null) {
        await guard.burn({ method: 'pin', pin: input.currentPin });
        return guard.refuse(ctx, subject, 'knowledge', 'pin-change', null, 'locked');
      }
      const verified = await guard.check(null, session.accountId, { method: 'pin', pin: input.currentPin }, null);
      const current = verified?.pin?.credential;
      if (verified === null || current === undefined) {
        return guard.refuse(ctx, subject, 'knowledge', 'pin-change', reserved, 'failure');
      }
      const history = await reads.credentials.recent(session.accountId, pinHistoryDepth);
      const reused = await matchesAny(
        hasher,
        history.map((c) => c.phc),
        input.newPin,
      );
      const phc = reused ? null : await hasher.hash(input.newPin);
      const at = clock.now().toISOString();
      const outcome = await uow.run(async (s) => {
        const released = await s.identity.accounts.releaseAttempt(session.accountId, at);
        await s.identity.attempts.record({
          id: newId('lat'),
          at,
          organizationId: session.organizationId,
          identifier: session.identifier,
          accountId: session.accountId,
          source: ctx.source,
          purpose: 'pin-change',
          factorKind: 'knowledge',
          outcome: released ? 'success' : 'locked',
        });
        if (!released) return 'locked' as const;
        if (phc === null) return 'reused' as const;
        await s.identity.credentials.retire(current.id, at);
        await s.identity.credentials.insert({
          id: newId('crd'),
          accountId: session.accountId,
          kind: 'pin',
          phc,
          createdAt: at,
          retiredAt: null,
        });
        await s.identity.credentials.pruneHistory(session.accountId, pinHistoryDepth);
        await audit.record(
          s.audit,
          { actor: { type: 'client', id: session.accountId }, source: ctx.source },
          {
            organizationId: session.organizationId,
            action: 'identity.credential.change',
            objectType: 'client-account',
            objectId: session.accountId,
            details: { kind: 'knowledge', by: 'client' },
          },
        );
        return 'changed' as const;
      });
      if (outcome === 'locked') return guard.failed();
      if (outcome === 'reused') {
        throw new AppError('CREDENTIAL_REUSED', `Choose a PIN that differs from your last ${pinHistoryDepth}.`);
      }
      return { changedAt: at };
    },
  };
}
