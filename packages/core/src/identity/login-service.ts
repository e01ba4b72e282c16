import {
  type FactorProof,
  type FactorProofInput,
  factorProofSchema,
  type IssuedSession,
  kindOfProof,
  type LoginChallenge,
  type LoginStartRequest,
  type LoginStepResponse,
  loginStartRequestSchema,
  type Reminder,
} from '@ntg/contracts';
import type { OrganizationStore } from '../organizations/organization-store.ts';
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
  type VerifiedFactor,
} from './attempt-guard.ts';
import { normalizeClientIdentifier } from './client-identifier.ts';
import { type GatewayPolicy, remainingKinds } from './gateway-policy.ts';
import { challengeExpired } from './identity-errors.ts';
import type { AttemptOutcome, IdentityEvents } from './identity-events.ts';
import type {
  AuthenticatedAt,
  ChallengeRecord,
  ClientAccountStore,
  CredentialStore,
  IdentityStores,
} from './identity-store.ts';
import { passwordAge } from './password-age-policy.ts';
import { newSessionMacKey, type SessionMacKeyCipher } from './session-mac-key.ts';
import { newNonce, newSessionToken, sessionTokenHash } from './session-tokens.ts';

interface Stores extends GuardStores {
  identity: Pick<
    IdentityStores,
    'accounts' | 'challenges' | 'credentials' | 'sessions' | 'attempts' | 'totpDevices' | 'deviceKeys'
  >;
}

type FailureOutcome = Exclude<AttemptOutcome, 'success'>;

interface Reserved {
  type: 'reserved';
  c: ChallengeRecord;
  subject: AttemptSubject;
  accountId: string;
  organizationId: string;
  reserved: number;
}

type Taken =
  | { type: 'expired' }
  | { type: 'repeat'; next: ChallengeRecord }
  | { type: 'unknown' | 'locked'; c: ChallengeRecord; subject: AttemptSubject }
  | Reserved;

type Outcome =
  | { type: 'expired' }
  | { type: 'repeat' | 'continue'; next: ChallengeRecord }
  | { type: 'failed' }
  | {
      type: 'complete';
      reserved: Reserved;
      satisfied: AuthenticatedAt;
      expiresAt: string;
      reminders: Reminder[];
    };

function bindingOf(c: ChallengeRecord): FactorBinding {
  return { purpose: 'login', challengeId: c.id, nonce: c.nonce, usedCredentialIds: c.usedCredentialIds };
}

export interface LoginService {
  /**
   * Same answer for every identifier, client or not, locked or not (A37.7). With a first factor that signs no server
   * nonce (PIN, TOTP), the start is also that factor's step: one round trip less, the same checks and records.
   */
  start(ctx: RequestContext, input: LoginStartRequest): Promise<LoginStepResponse>;
  /** One factor; a session only once every required kind is proven (A36.1), every check on the server (A37.4). */
  step(ctx: RequestContext, challengeId: string, factor: FactorProofInput): Promise<LoginStepResponse>;
}

export function createLoginService(deps: {
  uow: UnitOfWork<Stores>;
  reads: {
    organizations: Pick<OrganizationStore, 'findById' | 'findBySlug'>;
    accounts: Pick<ClientAccountStore, 'findByIdentifier'>;
    credentials: Pick<CredentialStore, 'current'>;
  };
  guard: AttemptGuard;
  policy: GatewayPolicy;
  clock: Clock;
  events: IdentityEvents;
  /** Seals the session's order MAC key (A35.2); the key itself leaves only in the login response. */
  macKeys: SessionMacKeyCipher;
}): LoginService {
  const { uow, reads, guard, policy, clock, events, macKeys } = deps;
  let lastPurge = 0;

  function challengeView(c: ChallengeRecord): LoginChallenge {
    const satisfiedKinds = policy.requiredKinds.filter((k) => c.satisfied[k] !== undefined);
    return {
      challengeId: c.id,
      nonce: c.nonce,
      expiresAt: c.expiresAt,
      requiredKinds: [...policy.requiredKinds],
      satisfiedKinds,
      remainingKinds: remainingKinds(policy, c.satisfied),
    };
  }

  function nextChallenge(from: ChallengeRecord, now: Date, patch: Partial<ChallengeRecord>): ChallengeRecord {
    return {
      ...from,
      id: newId('chl'),
      nonce: newNonce(),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + policy.challengeTtlSeconds * 1000).toISOString(),
      ...patch,
    };
  }

  // Organization ids and slugs never change once created, so a found one is remembered (unknown ones are not:
  // an attacker could otherwise fill the map).
  const organizationIds = new Map<string, string>();
  async function resolveOrganization(idOrSlug: string) {
    const known = organizationIds.get(idOrSlug);
    if (known !== undefined) return known;
    const org = idOrSlug.startsWith('org_')
      ? await reads.organizations.findById(idOrSlug)
      : await reads.organizations.findBySlug(idOrSlug);
    if (org !== null && organizationIds.size < 10_000) organizationIds.set(idOrSlug, org.id);
    return org?.id ?? null;
  }

  /** A37.6: inside the login's transaction, so the reminder's notice commits with the session. */
  async function reminderFor(
    s: Stores,
    accountId: string,
    organizationId: string,
    verified: VerifiedFactor,
    at: Date,
  ): Promise<Reminder[]> {
    if (!policy.requiredKinds.includes('knowledge')) return [];
    const credential = verified.pin?.credential ?? (await s.identity.credentials.current(accountId));
    if (credential === null) return [];
    const age = passwordAge(credential.createdAt, at, policy.passwordMaxAgeDays);
    if (!age.reminderDue) return [];
    await events.passwordAgeReminder(s, {
      accountId,
      organizationId,
      at: at.toISOString(),
      credentialAgeDays: age.ageDays,
      maxAgeDays: policy.passwordMaxAgeDays,
    });
    return [
      {
        type: 'password-age',
        credentialAgeDays: age.ageDays,
        maxAgeDays: policy.passwordMaxAgeDays,
        message: `Your PIN has been in use for ${age.ageDays} days; please change it (limit ${policy.passwordMaxAgeDays} days).`,
      },
    ];
  }

  return {
    async start(ctx, raw) {
      const input = parseInput(loginStartRequestSchema, raw, 'login');
      const first = input.factor === undefined ? null : parseInput(factorProofSchema, input.factor, 'factor');
      if (first !== null && (first.method === 'device-key' || first.method === 'webauthn')) {
        throw new AppError(
          'BAD_REQUEST',
          'A device key or WebAuthn authenticator signs the challenge: start without it, then send it as a step.',
        );
      }
      const now = clock.now();
      const identifier = normalizeClientIdentifier(input.identifier);
      const organizationId = await resolveOrganization(input.organization);
      const account =
        organizationId === null || identifier === ''
          ? null
          : await reads.accounts.findByIdentifier(organizationId, identifier);
      // A challenge is issued whether or not the identifier is a client: the flow, its timing and its responses look
      // the same, and the attempt on a non-client is recorded when the first factor fails (A37.7).
      const challenge: ChallengeRecord = {
        id: newId('chl'),
        purpose: 'login',
        organizationId,
        identifier,
        accountId: account?.id ?? null,
        sessionId: null,
        nonce: newNonce(),
        satisfied: {},
        usedCredentialIds: [],
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + policy.challengeTtlSeconds * 1000).toISOString(),
      };
      const purge = now.getTime() - lastPurge > 60_000;
      if (purge) lastPurge = now.getTime();
      // With a first factor the challenge is never stored: the step consumes it in memory, and what follows it (the
      // next challenge, or the failure record) is stored as after any step.
      if (first !== null) return advance(ctx, { fresh: challenge, purge }, first);
      // Through the unit of work, so that on SQLite concurrent starts share one commit (group commit).
      await uow.run(async (s) => {
        await s.identity.challenges.insert(challenge);
        if (purge) await s.identity.challenges.purgeExpired(now.toISOString());
      });
      return { status: 'continue', ...challengeView(challenge) };
    },

    step: (ctx, challengeId, rawFactor) =>
      advance(ctx, { challengeId }, parseInput(factorProofSchema, rawFactor, 'factor')),
  };

  /** One factor against a stored challenge, or against the fresh one of a start that carried its first factor. */
  async function advance(
    ctx: RequestContext,
    source: { challengeId: string } | { fresh: ChallengeRecord; purge: boolean },
    proof: FactorProof,
  ): Promise<LoginStepResponse> {
    const kind = kindOfProof(proof);
    if (!policy.requiredKinds.includes(kind)) {
      throw new AppError(
        'BAD_REQUEST',
        `This gateway does not use ${kind} factors; it asks for ${policy.requiredKinds.join(' and ')}.`,
      );
    }
    const now = clock.now();
    const at = now.toISOString();
    const token = newSessionToken();
    const sessionId = newId('ses');
    const orderMacKey = newSessionMacKey();

    /** Consumes the single-use challenge; a repeated kind gets a fresh challenge and counts for nothing. */
    async function consume(s: Stores): Promise<Taken> {
      let c: ChallengeRecord | null;
      if ('fresh' in source) {
        c = source.fresh;
        if (source.purge) await s.identity.challenges.purgeExpired(at);
      } else {
        c = await s.identity.challenges.take(source.challengeId);
      }
      if (c === null || c.purpose !== 'login' || c.expiresAt <= at) return { type: 'expired' };
      // A36.1: one kind proven twice counts once, and one credential cannot stand for two kinds.
      const repeat =
        c.satisfied[kind] !== undefined ||
        (proof.method === 'device-key' && c.usedCredentialIds.includes(proof.deviceKeyId));
      if (repeat) {
        const next = nextChallenge(c, now, {});
        await s.identity.challenges.insert(next);
        return { type: 'repeat', next };
      }
      const subject = { accountId: c.accountId, organizationId: c.organizationId, identifier: c.identifier };
      if (c.accountId === null || c.organizationId === null) return { type: 'unknown', c, subject };
      const reserved = await guard.reserve(s.identity.accounts, c.accountId, at);
      return reserved === null
        ? { type: 'locked', c, subject }
        : { type: 'reserved', c, subject, accountId: c.accountId, organizationId: c.organizationId, reserved };
    }

    /**
     * After a good factor: give the reservation back and issue the next challenge, or, when every required kind
     * is proven, reset the counter and issue the session. A lock that landed meanwhile wins.
     */
    async function settle(s: Stores, r: Reserved, verified: VerifiedFactor): Promise<Outcome> {
      const satisfied = { ...r.c.satisfied, [kind]: at };
      const complete = remainingKinds(policy, satisfied).length === 0;
      const ok = complete
        ? await s.identity.accounts.resetAttempts(r.accountId, at)
        : await s.identity.accounts.releaseAttempt(r.accountId, at);
      await s.identity.attempts.record({
        id: newId('lat'),
        at,
        organizationId: r.organizationId,
        identifier: r.c.identifier,
        accountId: r.accountId,
        source: ctx.source,
        purpose: 'login',
        factorKind: kind,
        outcome: ok ? 'success' : 'locked',
      });
      if (!ok) return { type: 'failed' };
      if (verified.pin?.rehashed)
        await s.identity.credentials.replaceHash(verified.credentialId, verified.pin.rehashed);
      if (!complete) {
        const next = nextChallenge(r.c, now, {
          satisfied,
          usedCredentialIds: [...r.c.usedCredentialIds, verified.credentialId],
        });
        await s.identity.challenges.insert(next);
        return { type: 'continue', next };
      }
      const expiresAt = new Date(now.getTime() + policy.sessionAbsoluteSeconds * 1000).toISOString();
      await s.identity.sessions.insert({
        id: sessionId,
        accountId: r.accountId,
        organizationId: r.organizationId,
        tokenHash: sessionTokenHash(token),
        authenticatedAt: satisfied,
        createdAt: at,
        lastSeenAt: at,
        expiresAt,
        revokedAt: null,
        orderMacKeySealed: macKeys.seal(orderMacKey, sessionId),
      });
      // A38.2: the owner hears of the login; the notice commits with the session, or neither exists.
      await events.loginSucceeded(s, {
        accountId: r.accountId,
        organizationId: r.organizationId,
        at,
        source: ctx.source,
        factorKinds: policy.requiredKinds.filter((k) => satisfied[k] !== undefined),
      });
      const reminders = await reminderFor(s, r.accountId, r.organizationId, verified, now);
      return { type: 'complete', reserved: r, satisfied, expiresAt, reminders };
    }

    /** The outcome of a refused or failed factor, recorded in the transaction `s`. */
    async function fail(
      s: Stores,
      subject: AttemptSubject,
      reserved: number | null,
      outcome: FailureOutcome,
    ): Promise<Outcome> {
      await guard.recordFailure(s, ctx, subject, kind, 'login', reserved, outcome);
      return { type: 'failed' };
    }

    let outcome: Outcome;
    if (guard.checksInTransaction(proof)) {
      // TOTP and device keys: reserve, check, and record the outcome in one transaction (one commit).
      outcome = await uow.run(async (s) => {
        const taken = await consume(s);
        if (taken.type === 'expired' || taken.type === 'repeat') return taken;
        if (taken.type !== 'reserved') {
          await guard.burn(proof);
          return fail(s, taken.subject, null, taken.type === 'unknown' ? 'unknown-identifier' : 'locked');
        }
        const verified = await guard.check(factorReadsOf(s), taken.accountId, proof, bindingOf(taken.c));
        return verified === null ? fail(s, taken.subject, taken.reserved, 'failure') : settle(s, taken, verified);
      });
    } else {
      // A PIN: the reservation commits before Argon2 runs, so parallel requests see it; no lock is held meanwhile.
      const taken = await uow.run(consume);
      if (taken.type === 'expired' || taken.type === 'repeat') {
        outcome = taken;
      } else if (taken.type !== 'reserved') {
        await guard.burn(proof);
        const why = taken.type === 'unknown' ? 'unknown-identifier' : 'locked';
        outcome = await uow.run((s) => fail(s, taken.subject, null, why));
      } else {
        const verified = await guard.check(null, taken.accountId, proof, bindingOf(taken.c));
        outcome = await uow.run((s) =>
          verified === null ? fail(s, taken.subject, taken.reserved, 'failure') : settle(s, taken, verified),
        );
      }
    }

    switch (outcome.type) {
      case 'expired':
        throw challengeExpired();
      case 'repeat':
        return { status: 'continue', ...challengeView(outcome.next) };
      case 'continue':
        return { status: 'continue', ...challengeView(outcome.next) };
      case 'failed':
        return guard.failed();
      case 'complete': {
        const { accountId } = outcome.reserved;
        const session: IssuedSession = {
          token,
          accountId,
          sessionId,
          orderMacKey: orderMacKey.toString('base64url'),
          expiresAt: outcome.expiresAt,
          idleTimeoutSeconds: policy.sessionIdleSeconds,
          authenticatedAt: outcome.satisfied,
        };
        return { status: 'complete', session, reminders: outcome.reminders };
      }
    }
  }
}
