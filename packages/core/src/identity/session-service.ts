import {
  type FactorKind,
  type FactorProofInput,
  factorProofSchema,
  kindOfProof,
  type SessionView,
  type StepUpChallenge,
  type StepUpResponse,
} from '@ntg/contracts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { parseInput } from '../shared/validation.ts';
import {
  type AttemptGuard,
  type AttemptSubject,
  type FactorBinding,
  factorReadsOf,
  type GuardStores,
  type RequestContext,
} from './attempt-guard.ts';
import type { GatewayPolicy } from './gateway-policy.ts';
import { challengeExpired, sessionRequired } from './identity-errors.ts';
import type { AuthenticatedAt, IdentityStores, SessionStore } from './identity-store.ts';
import { newNonce, sessionTokenHash } from './session-tokens.ts';

/** A live session, as the routes see it after `authenticate`. */
export interface AuthenticatedSession {
  id: string;
  accountId: string;
  organizationId: string;
  identifier: string;
  createdAt: string;
  expiresAt: string;
  idleExpiresAt: string;
  authenticatedAt: AuthenticatedAt;
}

export interface SessionService {
  /** The session a bearer token stands for; UNAUTHENTICATED when unknown, ended, timed out or its account locked. */
  authenticate(token: string | undefined): Promise<AuthenticatedSession>;
  view(session: AuthenticatedSession): SessionView;
  logout(session: AuthenticatedSession): Promise<void>;
  /**
   * For a sensitive function: STEP_UP_REQUIRED unless one of `kinds` was proven within the policy's step-up age
   * (by the login itself or by `stepUp`).
   */
  requireFresh(session: AuthenticatedSession, kinds: readonly FactorKind[]): void;
  stepUpChallenge(session: AuthenticatedSession): Promise<StepUpChallenge>;
  /** Proves a factor again inside a session, under the same reserve-then-verify and lockout as a login. */
  stepUp(
    ctx: RequestContext,
    session: AuthenticatedSession,
    challengeId: string,
    factor: FactorProofInput,
  ): Promise<StepUpResponse>;
}

interface Stores extends GuardStores {
  identity: Pick<
    IdentityStores,
    'accounts' | 'challenges' | 'sessions' | 'attempts' | 'credentials' | 'totpDevices' | 'deviceKeys'
  >;
}

type StepUpOutcome = { type: 'expired' } | { type: 'ok' } | { type: 'failed' };

// lastSeenAt is written at most this often, so a busy session costs one write per half minute, not per request.
const touchEveryMs = 30_000;

export function createSessionService(deps: {
  uow: UnitOfWork<Stores>;
  reads: {
    sessions: Pick<SessionStore, 'findByTokenHash' | 'touch' | 'revoke'>;
    challenges: Pick<IdentityStores['challenges'], 'insert'>;
  };
  guard: AttemptGuard;
  policy: GatewayPolicy;
  clock: Clock;
}): SessionService {
  const { uow, reads, guard, policy, clock } = deps;

  return {
    async authenticate(token) {
      if (token === undefined || token.length < 16 || token.length > 200) throw sessionRequired();
      const found = await reads.sessions.findByTokenHash(sessionTokenHash(token));
      const now = clock.now();
      if (found === null || found.revokedAt !== null || found.accountLockedAt !== null) throw sessionRequired();
      const lastSeen = new Date(found.lastSeenAt).getTime();
      const idleDeadline = lastSeen + policy.sessionIdleSeconds * 1000;
      if (now.getTime() >= new Date(found.expiresAt).getTime() || now.getTime() >= idleDeadline) {
        throw sessionRequired();
      }
      let seen = lastSeen;
      if (now.getTime() - lastSeen >= touchEveryMs) {
        seen = now.getTime();
        await reads.sessions.touch(found.id, now.toISOString());
      }
      return {
        id: found.id,
        accountId: found.accountId,
        organizationId: found.organizationId,
        identifier: found.identifier,
        createdAt: found.createdAt,
        expiresAt: found.expiresAt,
        idleExpiresAt: new Date(
          Math.min(seen + policy.sessionIdleSeconds * 1000, new Date(found.expiresAt).getTime()),
        ).toISOString(),
        authenticatedAt: found.authenticatedAt,
      };
    },

    view: (session) => ({
      accountId: session.accountId,
      organizationId: session.organizationId,
      createdAt: session.createdAt,
      expiresAt: session.expiresAt,
      idleExpiresAt: session.idleExpiresAt,
      authenticatedAt: session.authenticatedAt,
    }),

    async logout(session) {
      await reads.sessions.revoke(session.id, clock.now().toISOString());
    },

    requireFresh(session, kinds) {
      const now = clock.now().getTime();
      const fresh = kinds.some((k) => {
        const at = session.authenticatedAt[k];
        return at !== undefined && now - new Date(at).getTime() <= policy.stepUpMaxAgeSeconds * 1000;
      });
      if (!fresh) {
        throw new AppError(
          'STEP_UP_REQUIRED',
          `Prove ${kinds.join(' or ')} again (POST /gateway/v1/step-up) within ${policy.stepUpMaxAgeSeconds} s before this.`,
        );
      }
    },

    async stepUpChallenge(session) {
      const now = clock.now();
      const challenge = {
        id: newId('chl'),
        purpose: 'step-up' as const,
        organizationId: session.organizationId,
        identifier: session.identifier,
        accountId: session.accountId,
        sessionId: session.id,
        nonce: newNonce(),
        satisfied: {},
        usedCredentialIds: [],
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + policy.challengeTtlSeconds * 1000).toISOString(),
      };
      await reads.challenges.insert(challenge);
      return { challengeId: challenge.id, nonce: challenge.nonce, expiresAt: challenge.expiresAt };
    },

    async stepUp(ctx, session, challengeId, rawFactor) {
      const proof = parseInput(factorProofSchema, rawFactor, 'factor');
      const kind = kindOfProof(proof);
      if (!policy.requiredKinds.includes(kind)) {
        throw new AppError('BAD_REQUEST', `This gateway does not use ${kind} factors.`);
      }
      const at = clock.now().toISOString();
      const subject: AttemptSubject = {
        accountId: session.accountId,
        organizationId: session.organizationId,
        identifier: session.identifier,
      };
      const authenticatedAt: AuthenticatedAt = { ...session.authenticatedAt, [kind]: at };

      async function consume(s: Stores) {
        const c = await s.identity.challenges.take(challengeId);
        if (c === null || c.purpose !== 'step-up' || c.sessionId !== session.id || c.expiresAt <= at) return null;
        const binding: FactorBinding = { purpose: 'step-up', challengeId: c.id, nonce: c.nonce };
        return { binding, reserved: await guard.reserve(s.identity.accounts, session.accountId, at) };
      }

      async function settle(s: Stores): Promise<StepUpOutcome> {
        const released = await s.identity.accounts.releaseAttempt(session.accountId, at);
        await s.identity.attempts.record({
          id: newId('lat'),
          at,
          organizationId: session.organizationId,
          identifier: session.identifier,
          accountId: session.accountId,
          source: ctx.source,
          purpose: 'step-up',
          factorKind: kind,
          outcome: released ? 'success' : 'locked',
        });
        if (!released) return { type: 'failed' };
        await s.identity.sessions.setAuthenticatedAt(session.id, authenticatedAt);
        return { type: 'ok' };
      }

      async function fail(s: Stores, reserved: number | null, outcome: 'failure' | 'locked'): Promise<StepUpOutcome> {
        await guard.recordFailure(s, ctx, subject, kind, 'step-up', reserved, outcome);
        return { type: 'failed' };
      }

      let outcome: StepUpOutcome;
      if (guard.checksInTransaction(proof)) {
        outcome = await uow.run(async (s) => {
          const taken = await consume(s);
          if (taken === null) return { type: 'expired' } as const;
          if (taken.reserved === null) {
            await guard.burn(proof);
            return fail(s, null, 'locked');
          }
          const verified = await guard.check(factorReadsOf(s), session.accountId, proof, taken.binding);
          return verified === null ? fail(s, taken.reserved, 'failure') : settle(s);
        });
      } else {
        const taken = await uow.run(consume);
        if (taken === null) {
          outcome = { type: 'expired' };
        } else if (taken.reserved === null) {
          await guard.burn(proof);
          outcome = await uow.run((s) => fail(s, null, 'locked'));
        } else {
          const reserved = taken.reserved;
          const verified = await guard.check(null, session.accountId, proof, taken.binding);
          outcome = await uow.run((s) => (verified === null ? fail(s, reserved, 'failure') : settle(s)));
        }
      }
      if (outcome.type === 'expired') throw challengeExpired();
      if (outcome.type === 'failed') return guard.failed();
      return { authenticatedAt };
    },
  };
}
