import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  acceptInvitationSchema,
  type ConsoleUser,
  type CreateUserResponse,
  changePasswordSchema,
  createFirstAdministratorSchema,
  createUserSchema,
  type Organization,
  passwordSignInSchema,
  type SecondFactorMethod,
  type SessionResponse,
  type SignInStep,
  secondFactorProofSchema,
  totpEnrolmentConfirmSchema,
  unlockUserSchema,
  updateMeSchema,
  updateUserSchema,
  webauthnEnrolmentVerifySchema,
} from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import { maxFailedAttempts } from '../identity/lockout-policy.ts';
import type { SecretHasher } from '../identity/secret-hasher.ts';
import { sessionTokenHash } from '../identity/session-tokens.ts';
import { matchTotpStep, newTotpSeed, type TotpSeedCipher, totpSecretBase32, totpUri } from '../identity/totp-factor.ts';
import type { OrganizationStore } from '../organizations/organization-store.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { parseInput } from '../shared/validation.ts';
import { registrationRefusal } from '../webauthn/webauthn-policy.ts';
import type { WebauthnCredential, WebauthnCredentialStore, WebauthnStores } from '../webauthn/webauthn-store.ts';
import { newWebauthnChallenge, type WebauthnVerifier } from '../webauthn/webauthn-verifier.ts';
import type { ConsoleSessionRow, ConsoleStores, ConsoleUserRow } from './console-store.ts';
import { passwordProblem } from './password-rules.ts';

/**
 * Console users have no organization of their own, so what they do to their accounts (sign-ins, lockouts, users
 * created, roles changed) is chained in one installation-wide audit chain under this id.
 */
export const installationAuditChain = 'installation';

/** A37.5, held to by the console: the third failure in a row locks the user until an administrator unlocks. */
export const consoleMaxAttempts = maxFailedAttempts;

interface Stores {
  console: ConsoleStores;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
  webauthn: WebauthnStores;
}

export interface ConsoleAuthOptions {
  idleMinutes: number;
  absoluteHours: number;
  /** How long a one-time setup link stays good. */
  setupLinkMinutes: number;
  invitationHours: number;
  /** How long a sign-in may wait between the password and the second factor. */
  pendingMinutes: number;
  /** Shown by authenticator apps beside the account. */
  totpIssuer: string;
}

export const defaultConsoleAuthOptions: ConsoleAuthOptions = {
  idleMinutes: 30,
  absoluteHours: 12,
  setupLinkMinutes: 60,
  invitationHours: 72,
  pendingMinutes: 10,
  totpIssuer: 'NewTech Guard',
};

/** A sign-in between its steps: the caller sets this token as the `ntg_pending` cookie. */
export interface PendingSignIn {
  token: string;
  step: SignInStep;
  expiresAt: string;
}

/** A signed-in session: the caller sets the token as the `ntg_session` cookie and never shows it. */
export interface IssuedSession {
  token: string;
  session: SessionResponse;
}

export interface ConsolePrincipal {
  user: ConsoleUser;
  sessionId: string;
  tokenHash: string;
  expiresAt: string;
  idleExpiresAt: string;
}

export interface OneTimeLink {
  token: string;
  path: string;
  expiresAt: string;
}

export interface ConsoleAuthService {
  /** First run, or `ntg users create-admin`: a setup link, only while no administrator exists. */
  createSetupLink(ctx: ActorContext): Promise<OneTimeLink>;
  setupLinkStatus(token: string): Promise<{ valid: true; expiresAt: string }>;
  createFirstAdministrator(token: string, input: unknown, source: string | null): Promise<PendingSignIn>;
  signIn(input: unknown, source: string | null): Promise<PendingSignIn>;
  proveSecondFactor(pendingToken: string, input: unknown, source: string | null): Promise<IssuedSession>;
  startTotpEnrolment(token: string): Promise<{ secret: string; otpauthUri: string }>;
  /** Finishes enrolment: a pending sign-in becomes a session (a new token); an active session stays as it is. */
  confirmTotpEnrolment(token: string, input: unknown, source: string | null): Promise<IssuedSession | SessionResponse>;
  /** The options for navigator.credentials.get() at the second step of a pending sign-in. */
  webauthnSignInOptions(pendingToken: string): Promise<Record<string, unknown>>;
  /** The options for navigator.credentials.create(), on a pending sign-in without a second factor or a session. */
  startWebauthnEnrolment(token: string): Promise<Record<string, unknown>>;
  /** Finishes a security key's enrolment as `confirmTotpEnrolment` finishes an authenticator app's. */
  confirmWebauthnEnrolment(
    token: string,
    input: unknown,
    source: string | null,
  ): Promise<IssuedSession | SessionResponse>;
  /** The principal of an active session, extending its idle time; null for anything else. */
  authenticate(token: string): Promise<ConsolePrincipal | null>;
  sessionResponse(principal: ConsolePrincipal): SessionResponse;
  /** The CSRF token of a session: derived from its token with a key, so nothing more is stored. */
  csrfToken(tokenHash: string): string;
  csrfMatches(tokenHash: string, given: string | undefined): boolean;
  signOut(token: string, source: string | null): Promise<void>;
  signOutEverywhere(ctx: ActorContext, userId: string): Promise<number>;
  updateMe(ctx: ActorContext, userId: string, input: unknown): Promise<ConsoleUser>;
  changePassword(ctx: ActorContext, userId: string, input: unknown): Promise<void>;
  listUsers(): Promise<ConsoleUser[]>;
  getUser(id: string): Promise<ConsoleUser>;
  createUser(ctx: ActorContext, input: unknown): Promise<CreateUserResponse>;
  updateUser(ctx: ActorContext, id: string, input: unknown): Promise<ConsoleUser>;
  unlockUser(ctx: ActorContext, id: string, input: unknown): Promise<ConsoleUser>;
  invitationStatus(token: string): Promise<{ email: string; displayName: string; expiresAt: string }>;
  acceptInvitation(token: string, input: unknown, source: string | null): Promise<PendingSignIn>;
}

const signInFailed = () =>
  new AppError('SIGN_IN_FAILED', 'The e-mail address, password or code is not right, or the account is locked.');
const setupInvalid = () =>
  new AppError('SETUP_LINK_INVALID', 'This link is not valid: it was used, it expired, or it never existed.');
const notSignedIn = () => new AppError('UNAUTHENTICATED', 'Sign in first.');

function newConsoleToken(): string {
  return `ntgc_${randomBytes(32).toString('base64url')}`;
}

/** A new user: no second factor yet, no attempts, enabled. Without a password until an invitation is accepted. */
function newUserRow(
  fields: Pick<ConsoleUserRow, 'email' | 'displayName' | 'role' | 'locale'> &
    Partial<Pick<ConsoleUserRow, 'ownerNames' | 'organizationIds' | 'passwordHash'>> & { at: string },
): ConsoleUserRow {
  const passwordHash = fields.passwordHash ?? null;
  return {
    id: newId('usr'),
    email: fields.email,
    displayName: fields.displayName,
    role: fields.role,
    locale: fields.locale,
    ownerNames: fields.ownerNames ?? [],
    organizationIds: fields.organizationIds ?? [],
    passwordHash,
    passwordChangedAt: passwordHash === null ? null : fields.at,
    totpSealedSeed: null,
    totpPendingSeed: null,
    totpLastStep: null,
    failedAttempts: 0,
    lockedAt: null,
    disabled: false,
    createdAt: fields.at,
    updatedAt: fields.at,
  };
}

function addMinutes(at: Date, minutes: number): string {
  return new Date(at.getTime() + minutes * 60_000).toISOString();
}

export function createConsoleAuthService(deps: {
  uow: UnitOfWork<Stores>;
  reads: ConsoleStores;
  organizations: Pick<OrganizationStore, 'list' | 'findById' | 'findBySlug'>;
  audit: AuditTrail;
  clock: Clock;
  hasher: SecretHasher;
  seedCipher: TotpSeedCipher;
  /** At least 32 bytes; keys the CSRF tokens. */
  csrfKey: Buffer;
  /** Security keys and passkeys as a second factor (ADR 0016); without it, TOTP only. */
  webauthn?: {
    verifier: WebauthnVerifier;
    reads: Pick<WebauthnCredentialStore, 'listForSubject' | 'findByCredentialId'>;
  };
  options?: Partial<ConsoleAuthOptions>;
}): ConsoleAuthService {
  const { uow, reads, audit, clock, hasher, seedCipher, csrfKey } = deps;
  const options = { ...defaultConsoleAuthOptions, ...deps.options };
  if (csrfKey.length < 32) throw new Error('The CSRF key must be at least 32 bytes.');
  // Unknown users cost one Argon2 verification too, so the answer's timing does not tell accounts apart.
  let dummyHash: Promise<string> | undefined;
  const dummyVerify = async (password: string) => {
    dummyHash ??= hasher.hash(randomBytes(32).toString('base64url'));
    await hasher.verify(await dummyHash, password);
  };

  const chain = (
    ctx: ActorContext,
    s: Stores,
    action: string,
    objectId: string | null,
    details = {},
    outcome?: 'failure',
  ) =>
    audit.record(s.audit, ctx, {
      organizationId: installationAuditChain,
      action,
      objectType: 'console-user',
      objectId,
      details,
      ...(outcome === undefined ? {} : { outcome }),
    });

  const userCtx = (userId: string, source: string | null): ActorContext => ({
    actor: { type: 'user', id: userId },
    source,
  });

  async function organizationsOf(row: ConsoleUserRow): Promise<ConsoleUser['organizations']> {
    const all = await deps.organizations.list();
    const visible = row.role === 'administrator' ? all : all.filter((o) => row.organizationIds.includes(o.id));
    return visible.map((o) => ({ id: o.id, slug: o.slug, name: o.name, demo: o.demo }));
  }

  const webauthn = deps.webauthn;

  /** `keys` is the transaction's store when called inside one: a read on the plain connection would wait for it. */
  async function liveKeys(
    userId: string,
    keys: Pick<WebauthnCredentialStore, 'listForSubject'> | undefined = webauthn?.reads,
  ): Promise<WebauthnCredential[]> {
    if (webauthn === undefined || keys === undefined) return [];
    return (await keys.listForSubject('console-user', userId)).filter((c) => c.suspendedAt === null);
  }

  async function secondFactorsOf(
    row: ConsoleUserRow,
    keys?: Pick<WebauthnCredentialStore, 'listForSubject'>,
  ): Promise<SecondFactorMethod[]> {
    const methods: SecondFactorMethod[] = row.totpSealedSeed === null ? [] : ['totp'];
    if ((await liveKeys(row.id, keys)).length > 0) methods.push('webauthn');
    return methods;
  }

  function webauthnOrThrow() {
    if (webauthn === undefined)
      throw new AppError('BAD_REQUEST', 'Security keys are not enabled on this installation.');
    return webauthn;
  }

  async function view(row: ConsoleUserRow): Promise<ConsoleUser> {
    return {
      id: row.id,
      email: row.email,
      displayName: row.displayName,
      role: row.role,
      locale: row.locale,
      ownerNames: row.role === 'asset-owner' ? row.ownerNames : [],
      organizations: await organizationsOf(row),
      secondFactors: await secondFactorsOf(row),
      disabled: row.disabled,
      lockedAt: row.lockedAt,
      createdAt: row.createdAt,
    };
  }

  async function userOrThrow(id: string): Promise<ConsoleUserRow> {
    const row = await reads.users.findById(id);
    if (row === null) throw new AppError('NOT_FOUND', `No user "${id}".`);
    return row;
  }

  async function resolveOrganizationIds(refs: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const ref of refs) {
      const org: Organization | null =
        (await deps.organizations.findById(ref)) ?? (await deps.organizations.findBySlug(ref));
      if (org === null) throw new AppError('VALIDATION_FAILED', `No organization "${ref}".`);
      if (!ids.includes(org.id)) ids.push(org.id);
    }
    return ids;
  }

  async function checkedNewPassword(password: string, email: string, displayName: string): Promise<string> {
    const problem = passwordProblem(password, [email, displayName]);
    if (problem !== null) {
      throw new AppError('VALIDATION_FAILED', `Choose another password: ${problem}.`, {
        issues: [{ path: 'password', message: problem }],
      });
    }
    return hasher.hash(password);
  }

  /** Starts a pending sign-in for a user whose password was just proven (or set). */
  async function startPending(s: Stores, row: ConsoleUserRow): Promise<PendingSignIn> {
    const now = clock.now();
    const token = newConsoleToken();
    const expiresAt = addMinutes(now, options.pendingMinutes);
    await s.console.sessions.insert({
      id: newId('css'),
      tokenHash: sessionTokenHash(token),
      userId: row.id,
      stage: 'pending',
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      idleExpiresAt: expiresAt,
      expiresAt,
    });
    const methods = await secondFactorsOf(row, s.webauthn.credentials);
    const step: SignInStep =
      methods.length === 0 ? { step: 'enrol-second-factor' } : { step: 'second-factor', methods };
    return { token, step, expiresAt };
  }

  /**
   * Turns a pending sign-in into a session, inside the caller's transaction. A new token at every privilege change
   * (session fixation): the pending token is spent. The answer is built by `sessionOf` after the commit, since it
   * reads outside the transaction.
   */
  async function issueSession(
    s: Stores,
    row: ConsoleUserRow,
    replaces: ConsoleSessionRow,
  ): Promise<{ token: string; session: ConsoleSessionRow }> {
    const now = clock.now();
    const token = newConsoleToken();
    await s.console.sessions.delete(replaces.id);
    const session: ConsoleSessionRow = {
      id: newId('css'),
      tokenHash: sessionTokenHash(token),
      userId: row.id,
      stage: 'active',
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      idleExpiresAt: addMinutes(now, options.idleMinutes),
      expiresAt: addMinutes(now, options.absoluteHours * 60),
    };
    await s.console.sessions.insert(session);
    await s.console.users.resetAttempts(row.id);
    return { token, session };
  }

  async function sessionOf(row: ConsoleUserRow, session: ConsoleSessionRow): Promise<SessionResponse> {
    return {
      user: await view(row),
      csrfToken: csrfToken(session.tokenHash),
      expiresAt: session.expiresAt,
      idleExpiresAt: session.idleExpiresAt,
    };
  }

  function csrfToken(tokenHash: string): string {
    return createHmac('sha256', csrfKey).update(`csrf:${tokenHash}`).digest('base64url');
  }

  async function liveSession(token: string, stage: 'pending' | 'active' | 'any'): Promise<ConsoleSessionRow | null> {
    if (!/^ntgc_[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const session = await reads.sessions.findByTokenHash(sessionTokenHash(token));
    if (session === null) return null;
    if (stage !== 'any' && session.stage !== stage) return null;
    const now = clock.now().toISOString();
    if (session.expiresAt <= now || session.idleExpiresAt <= now) return null;
    return session;
  }

  /**
   * One attempt of a sign-in step, counted as A37.5 asks: the slot is taken before the check, a success gives it
   * back, the third failure in a row locks. Throws SIGN_IN_FAILED for every way it can fail.
   */
  async function attempt(row: ConsoleUserRow, source: string | null, step: string, check: () => Promise<boolean>) {
    const reserved = await uow.run((s) => s.console.users.reserveAttempt(row.id, consoleMaxAttempts));
    if (reserved === null) {
      await uow.run((s) =>
        chain(userCtx(row.id, source), s, 'console.sign-in', row.id, { step, reason: 'locked or disabled' }, 'failure'),
      );
      throw signInFailed();
    }
    const good = await check();
    if (good) return;
    await uow.run(async (s) => {
      await chain(userCtx(row.id, source), s, 'console.sign-in', row.id, { step, attempt: reserved }, 'failure');
      if (reserved >= consoleMaxAttempts) {
        await s.console.users.lock(row.id, clock.now().toISOString());
        await s.console.sessions.deleteForUser(row.id);
        await chain(userCtx(row.id, source), s, 'console.user.lock', row.id, { failedAttempts: reserved });
      }
    });
    throw signInFailed();
  }

  async function totpMatches(row: ConsoleUserRow, sealed: string | null, code: string): Promise<boolean> {
    if (sealed === null) return false;
    let seed: Buffer;
    try {
      seed = seedCipher.decrypt(sealed, row.id);
    } catch {
      return false;
    }
    const step = matchTotpStep(seed, code, clock.now());
    if (step === null) return false;
    return uow.run((s) => s.console.users.claimTotpStep(row.id, step));
  }

  /** Spends a WebAuthn challenge of this user and sign-in; null when it is unknown, used, expired or another's. */
  async function takeChallenge(
    response: unknown,
    ceremony: 'registration' | 'authentication',
    row: ConsoleUserRow,
    session: ConsoleSessionRow,
  ): Promise<string | null> {
    const challenge = webauthnOrThrow().verifier.challengeOf(response);
    if (challenge === null) return null;
    // In a transaction of its own, before anything is verified: a failed answer cannot be retried on it.
    const taken = await uow.run((s) => s.webauthn.challenges.take(challenge));
    if (
      taken === null ||
      taken.ceremony !== ceremony ||
      taken.subjectKind !== 'console-user' ||
      taken.subjectId !== row.id ||
      taken.sessionId !== session.id ||
      taken.expiresAt <= clock.now().toISOString()
    ) {
      return null;
    }
    return taken.challenge;
  }

  async function issueChallenge(
    ceremony: 'registration' | 'authentication',
    row: ConsoleUserRow,
    session: ConsoleSessionRow,
  ): Promise<string> {
    const now = clock.now();
    const challenge = newWebauthnChallenge();
    const ttl = webauthnOrThrow().verifier.policy.challengeTtlSeconds;
    await uow.run(async (s) => {
      await s.webauthn.challenges.insert({
        challenge,
        ceremony,
        subjectKind: 'console-user',
        subjectId: row.id,
        sessionId: session.id,
        createdAt: now.toISOString(),
        // Never outlives the pending sign-in it belongs to.
        expiresAt: new Date(Math.min(now.getTime() + ttl * 1000, Date.parse(session.expiresAt))).toISOString(),
      });
      await s.webauthn.challenges.purgeExpired(now.toISOString());
    });
    return challenge;
  }

  async function assertionMatches(
    row: ConsoleUserRow,
    pending: ConsoleSessionRow,
    response: unknown,
    source: string | null,
  ): Promise<boolean> {
    const { verifier, reads: keys } = webauthnOrThrow();
    const challenge = await takeChallenge(response, 'authentication', row, pending);
    if (challenge === null) return false;
    const rawId = verifier.assertionCredentialId(response);
    const key = rawId === null ? null : await keys.findByCredentialId(rawId);
    if (key === null || key.subjectKind !== 'console-user' || key.subjectId !== row.id || key.suspendedAt !== null) {
      return false;
    }
    if (key.backupEligible && verifier.policy.synced === 'refuse') return false;
    const result = await verifier.verifyAssertion(response, challenge, key, false);
    const at = clock.now().toISOString();
    if (!result.ok) {
      if (result.reason !== 'invalid') {
        // A good signature with a counter that went backwards: the key exists twice; it stays refused.
        await uow.run(async (s) => {
          if (await s.webauthn.credentials.suspend(key.id, at, result.reason)) {
            await chain(
              userCtx(row.id, source),
              s,
              'console.webauthn.suspend',
              row.id,
              { credentialId: key.id, reason: result.reason, storedCounter: key.counter },
              'failure',
            );
          }
        });
      }
      return false;
    }
    return uow.run((s) => s.webauthn.credentials.advanceCounter(key.id, result.counter, at));
  }

  async function setupLinkStatus(token: string): Promise<{ valid: true; expiresAt: string }> {
    const link = await reads.links.find(sessionTokenHash(token));
    const now = clock.now().toISOString();
    if (link === null || link.kind !== 'setup' || link.usedAt !== null || link.expiresAt <= now) throw setupInvalid();
    return { valid: true, expiresAt: link.expiresAt };
  }

  async function invitationStatus(token: string): Promise<{ email: string; displayName: string; expiresAt: string }> {
    const link = await reads.links.find(sessionTokenHash(token));
    const now = clock.now().toISOString();
    if (link?.kind !== 'invitation' || link.usedAt !== null || link.expiresAt <= now || link.userId === null) {
      throw setupInvalid();
    }
    const row = await userOrThrow(link.userId);
    return { email: row.email, displayName: row.displayName, expiresAt: link.expiresAt };
  }

  return {
    async createSetupLink(ctx) {
      const now = clock.now();
      const token = newConsoleToken();
      const expiresAt = addMinutes(now, options.setupLinkMinutes);
      await uow.run(async (s) => {
        const administrators = (await s.console.users.list()).filter((u) => u.role === 'administrator');
        if (administrators.length > 0) {
          throw new AppError('CONFLICT', 'An administrator exists; administrators invite further users.');
        }
        await s.console.links.insert({
          tokenHash: sessionTokenHash(token),
          kind: 'setup',
          userId: null,
          createdAt: now.toISOString(),
          expiresAt,
          usedAt: null,
        });
        await chain(ctx, s, 'console.setup-link.create', null, { expiresAt });
      });
      return { token, path: `/setup/${token}`, expiresAt };
    },

    setupLinkStatus,

    async createFirstAdministrator(token, raw, source) {
      const input = parseInput(createFirstAdministratorSchema, raw, 'first administrator');
      await setupLinkStatus(token);
      const passwordHash = await checkedNewPassword(input.password, input.email, input.displayName);
      return uow.run(async (s) => {
        const now = clock.now().toISOString();
        const link = await s.console.links.find(sessionTokenHash(token));
        if (link?.kind !== 'setup' || !(await s.console.links.spend(link.tokenHash, now))) throw setupInvalid();
        if ((await s.console.users.list()).some((u) => u.role === 'administrator')) throw setupInvalid();
        const row = newUserRow({
          email: input.email,
          displayName: input.displayName,
          role: 'administrator',
          locale: input.locale,
          passwordHash,
          at: now,
        });
        await s.console.users.insert(row);
        await chain(userCtx(row.id, source), s, 'console.user.create', row.id, {
          email: row.email,
          role: row.role,
          via: 'setup-link',
        });
        return startPending(s, row);
      });
    },

    async signIn(raw, source) {
      const input = parseInput(passwordSignInSchema, raw, 'sign-in');
      const row = await reads.users.findByEmail(input.email);
      if (row === null || row.passwordHash === null) {
        await dummyVerify(input.password);
        throw signInFailed();
      }
      const hash = row.passwordHash;
      await attempt(row, source, 'password', () => hasher.verify(hash, input.password));
      return uow.run(async (s) => {
        // The password alone proves one factor: its slot is given back, but the count is reset only when the second
        // factor is proven too, so a stolen password does not buy unlimited guesses at the code.
        await s.console.users.releaseAttempt(row.id);
        return startPending(s, row);
      });
    },

    async proveSecondFactor(pendingToken, raw, source) {
      const input = parseInput(secondFactorProofSchema, raw, 'second factor');
      const pending = await liveSession(pendingToken, 'pending');
      if (pending === null) throw signInFailed();
      const row = await userOrThrow(pending.userId);
      if (input.method === 'webauthn') {
        webauthnOrThrow();
        const response = input.response;
        // A37.5: the slot is taken before the assertion is looked at; a wrong, replayed or cloned one fails it.
        await attempt(row, source, 'webauthn', () => assertionMatches(row, pending, response, source));
      } else {
        await attempt(row, source, 'totp', () => totpMatches(row, row.totpSealedSeed, input.code));
      }
      const issued = await uow.run(async (s) => {
        const created = await issueSession(s, row, pending);
        await chain(userCtx(row.id, source), s, 'console.sign-in', row.id, { methods: ['password', input.method] });
        return created;
      });
      return { token: issued.token, session: await sessionOf(row, issued.session) };
    },

    async startTotpEnrolment(token) {
      const session = await liveSession(token, 'any');
      if (session === null) throw notSignedIn();
      const row = await userOrThrow(session.userId);
      // A pending sign-in may enrol only the first factor: replacing one needs a full sign-in.
      if (session.stage === 'pending' && (await secondFactorsOf(row)).length > 0) throw notSignedIn();
      const seed = newTotpSeed();
      await uow.run((s) =>
        s.console.users.update(row.id, {
          totpPendingSeed: seedCipher.encrypt(seed, row.id),
          updatedAt: clock.now().toISOString(),
        }),
      );
      return { secret: totpSecretBase32(seed), otpauthUri: totpUri(seed, options.totpIssuer, row.email) };
    },

    async confirmTotpEnrolment(token, raw, source) {
      const input = parseInput(totpEnrolmentConfirmSchema, raw, 'TOTP confirmation');
      const session = await liveSession(token, 'any');
      if (session === null) throw notSignedIn();
      const row = await userOrThrow(session.userId);
      if (row.totpPendingSeed === null) throw new AppError('CONFLICT', 'Start the enrolment first.');
      if (session.stage === 'pending' && (await secondFactorsOf(row)).length > 0) throw notSignedIn();
      const pendingSeed = row.totpPendingSeed;
      await attempt(row, source, 'totp-enrolment', () => totpMatches(row, pendingSeed, input.code));
      const enrolled = { ...row, totpSealedSeed: pendingSeed, totpPendingSeed: null };
      const issued = await uow.run(async (s) => {
        const now = clock.now().toISOString();
        await s.console.users.update(row.id, { totpSealedSeed: pendingSeed, totpPendingSeed: null, updatedAt: now });
        await chain(userCtx(row.id, source), s, 'console.second-factor.enrol', row.id, { method: 'totp' });
        if (session.stage === 'pending') {
          const created = await issueSession(s, enrolled, session);
          await chain(userCtx(row.id, source), s, 'console.sign-in', row.id, { methods: ['password', 'totp'] });
          return created;
        }
        await s.console.users.resetAttempts(row.id);
        return null;
      });
      if (issued === null) return sessionOf(enrolled, session);
      return { token: issued.token, session: await sessionOf(enrolled, issued.session) };
    },

    async webauthnSignInOptions(pendingToken) {
      const { verifier } = webauthnOrThrow();
      const pending = await liveSession(pendingToken, 'pending');
      if (pending === null) throw signInFailed();
      const row = await userOrThrow(pending.userId);
      const keys = await liveKeys(row.id);
      if (keys.length === 0) throw new AppError('BAD_REQUEST', 'This account has no security key; use the code.');
      const challenge = await issueChallenge('authentication', row, pending);
      return verifier.authenticationOptions({
        challenge,
        allow: keys.map((k) => ({ credentialId: k.credentialId, transports: k.transports })),
      });
    },

    async startWebauthnEnrolment(token) {
      const { verifier } = webauthnOrThrow();
      const session = await liveSession(token, 'any');
      if (session === null) throw notSignedIn();
      const row = await userOrThrow(session.userId);
      if (session.stage === 'pending' && (await secondFactorsOf(row)).length > 0) throw notSignedIn();
      const challenge = await issueChallenge('registration', row, session);
      return verifier.registrationOptions({
        challenge,
        subjectId: row.id,
        userName: row.email,
        displayName: row.displayName,
        exclude: await liveKeys(row.id),
      });
    },

    async confirmWebauthnEnrolment(token, raw, source) {
      const { verifier } = webauthnOrThrow();
      const input = parseInput(webauthnEnrolmentVerifySchema, raw, 'security key registration');
      const session = await liveSession(token, 'any');
      if (session === null) throw notSignedIn();
      const row = await userOrThrow(session.userId);
      if (session.stage === 'pending' && (await secondFactorsOf(row)).length > 0) throw notSignedIn();
      const challenge = await takeChallenge(input.response, 'registration', row, session);
      if (challenge === null) {
        throw new AppError('CHALLENGE_EXPIRED', 'The registration is unknown, expired or already used; start again.');
      }
      let registered: Awaited<ReturnType<WebauthnVerifier['verifyRegistration']>> | null = null;
      // A37.5: a registration that does not verify counts as a failed attempt, as a wrong TOTP confirmation does.
      await attempt(row, source, 'webauthn-enrolment', async () => {
        try {
          registered = await verifier.verifyRegistration(input.response, challenge);
          return true;
        } catch {
          return false;
        }
      });
      const verified = registered as Awaited<ReturnType<WebauthnVerifier['verifyRegistration']>> | null;
      if (verified === null) throw signInFailed();
      const refusal = registrationRefusal(verifier.policy, verified);
      if (refusal !== null) {
        // A policy refusal is no guess at a secret: the slot taken for the check is given back.
        await uow.run((s) => s.console.users.releaseAttempt(row.id));
        throw new AppError('WEBAUTHN_REFUSED', `The security key or passkey was refused: ${refusal}.`);
      }
      const now = clock.now().toISOString();
      const credential: WebauthnCredential = {
        id: newId('wac'),
        subjectKind: 'console-user',
        subjectId: row.id,
        credentialId: verified.credentialId,
        publicKey: verified.publicKey,
        counter: verified.counter,
        aaguid: verified.aaguid,
        transports: verified.transports,
        backupEligible: verified.backupEligible,
        label: input.label ?? 'security key',
        createdAt: now,
        lastUsedAt: null,
        suspendedAt: null,
        suspendedReason: null,
      };
      const issued = await uow.run(async (s) => {
        if ((await s.webauthn.credentials.findByCredentialId(credential.credentialId)) !== null) {
          await s.console.users.releaseAttempt(row.id);
          return 'duplicate' as const;
        }
        await s.webauthn.credentials.insert(credential);
        await chain(userCtx(row.id, source), s, 'console.second-factor.enrol', row.id, {
          method: 'webauthn',
          credentialId: credential.id,
          label: credential.label,
          aaguid: credential.aaguid,
          synced: credential.backupEligible,
        });
        if (session.stage === 'pending') {
          const created = await issueSession(s, row, session);
          await chain(userCtx(row.id, source), s, 'console.sign-in', row.id, { methods: ['password', 'webauthn'] });
          return created;
        }
        await s.console.users.resetAttempts(row.id);
        return null;
      });
      if (issued === 'duplicate') {
        throw new AppError('WEBAUTHN_REFUSED', 'The security key or passkey was refused: it is registered already.');
      }
      if (issued === null) return sessionOf(row, session);
      return { token: issued.token, session: await sessionOf(row, issued.session) };
    },

    async authenticate(token) {
      const session = await liveSession(token, 'active');
      if (session === null) return null;
      const row = await reads.users.findById(session.userId);
      if (row === null || row.disabled || row.lockedAt !== null) return null;
      const now = clock.now();
      let idleExpiresAt = session.idleExpiresAt;
      // Extend the idle time at most once a minute: one write per minute of use, not one per request.
      if (now.getTime() - Date.parse(session.lastSeenAt) >= 60_000) {
        idleExpiresAt = addMinutes(now, options.idleMinutes);
        if (idleExpiresAt > session.expiresAt) idleExpiresAt = session.expiresAt;
        await uow.run((s) => s.console.sessions.touch(session.id, now.toISOString(), idleExpiresAt));
      }
      return {
        user: await view(row),
        sessionId: session.id,
        tokenHash: session.tokenHash,
        expiresAt: session.expiresAt,
        idleExpiresAt,
      };
    },

    sessionResponse(principal) {
      return {
        user: principal.user,
        csrfToken: csrfToken(principal.tokenHash),
        expiresAt: principal.expiresAt,
        idleExpiresAt: principal.idleExpiresAt,
      };
    },

    csrfToken,

    csrfMatches(tokenHash, given) {
      if (given === undefined) return false;
      const expected = Buffer.from(csrfToken(tokenHash));
      const actual = Buffer.from(given);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },

    async signOut(token, source) {
      const session = await liveSession(token, 'any');
      if (session === null) return;
      await uow.run(async (s) => {
        await s.console.sessions.delete(session.id);
        if (session.stage === 'active') {
          await chain(userCtx(session.userId, source), s, 'console.sign-out', session.userId);
        }
      });
    },

    async signOutEverywhere(ctx, userId) {
      return uow.run(async (s) => {
        const ended = await s.console.sessions.deleteForUser(userId);
        await chain(ctx, s, 'console.sign-out-everywhere', userId, { sessions: ended });
        return ended;
      });
    },

    async updateMe(ctx, userId, raw) {
      const input = parseInput(updateMeSchema, raw, 'profile');
      const row = await userOrThrow(userId);
      const patch = {
        ...(input.locale === undefined ? {} : { locale: input.locale }),
        ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
      };
      await uow.run(async (s) => {
        await s.console.users.update(userId, { ...patch, updatedAt: clock.now().toISOString() });
        await chain(ctx, s, 'console.user.update', userId, { changed: Object.keys(patch) });
      });
      return view({ ...row, ...patch });
    },

    async changePassword(ctx, userId, raw) {
      const input = parseInput(changePasswordSchema, raw, 'password change');
      const row = await userOrThrow(userId);
      const current = row.passwordHash;
      if (current === null) throw signInFailed();
      await attempt(row, ctx.source, 'password-change', () => hasher.verify(current, input.currentPassword));
      const passwordHash = await checkedNewPassword(input.newPassword, row.email, row.displayName);
      await uow.run(async (s) => {
        const now = clock.now().toISOString();
        await s.console.users.update(userId, { passwordHash, passwordChangedAt: now, updatedAt: now });
        await s.console.users.resetAttempts(userId);
        await chain(ctx, s, 'console.password.change', userId);
      });
    },

    async listUsers() {
      return Promise.all((await reads.users.list()).map(view));
    },

    async getUser(id) {
      return view(await userOrThrow(id));
    },

    async createUser(ctx, raw) {
      const input = parseInput(createUserSchema, raw, 'user');
      const organizationIds = input.role === 'administrator' ? [] : await resolveOrganizationIds(input.organizations);
      if (input.role === 'asset-owner' && input.ownerNames.length === 0) {
        throw new AppError('VALIDATION_FAILED', 'An asset owner needs the owner names whose records they edit.', {
          issues: [{ path: 'ownerNames', message: 'name at least one owner (person or department)' }],
        });
      }
      const now = clock.now();
      const token = newConsoleToken();
      const invitationExpiresAt = addMinutes(now, options.invitationHours * 60);
      const row = newUserRow({
        email: input.email,
        displayName: input.displayName,
        role: input.role,
        locale: input.locale,
        ownerNames: input.role === 'asset-owner' ? input.ownerNames : [],
        organizationIds,
        at: now.toISOString(),
      });
      await uow.run(async (s) => {
        if ((await s.console.users.findByEmail(row.email)) !== null) {
          throw new AppError('CONFLICT', `A user with the e-mail address ${row.email} exists.`);
        }
        await s.console.users.insert(row);
        await s.console.links.insert({
          tokenHash: sessionTokenHash(token),
          kind: 'invitation',
          userId: row.id,
          createdAt: now.toISOString(),
          expiresAt: invitationExpiresAt,
          usedAt: null,
        });
        await chain(ctx, s, 'console.user.create', row.id, {
          email: row.email,
          role: row.role,
          organizationIds,
          ownerNames: row.ownerNames,
          via: 'invitation',
        });
      });
      return { user: await view(row), invitationPath: `/invitation/${token}`, invitationExpiresAt };
    },

    async updateUser(ctx, id, raw) {
      const input = parseInput(updateUserSchema, raw, 'user');
      const row = await userOrThrow(id);
      if (ctx.actor.id === id && (input.role !== undefined || input.disabled === true)) {
        throw new AppError('CONFLICT', 'Administrators cannot change their own role or disable themselves.');
      }
      const organizationIds =
        input.organizations === undefined ? undefined : await resolveOrganizationIds(input.organizations);
      const patch = {
        ...(input.role === undefined ? {} : { role: input.role }),
        ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
        ...(input.ownerNames === undefined ? {} : { ownerNames: input.ownerNames }),
        ...(organizationIds === undefined ? {} : { organizationIds }),
        ...(input.disabled === undefined ? {} : { disabled: input.disabled }),
      };
      const next = { ...row, ...patch };
      if (next.role === 'asset-owner' && next.ownerNames.length === 0) {
        throw new AppError('VALIDATION_FAILED', 'An asset owner needs the owner names whose records they edit.', {
          issues: [{ path: 'ownerNames', message: 'name at least one owner (person or department)' }],
        });
      }
      await uow.run(async (s) => {
        await s.console.users.update(id, { ...patch, updatedAt: clock.now().toISOString() });
        // A role or access change ends the user's sessions: the next sign-in carries the new rights.
        if (input.role !== undefined || input.disabled === true || organizationIds !== undefined) {
          await s.console.sessions.deleteForUser(id);
        }
        await chain(ctx, s, 'console.user.update', id, {
          before: { role: row.role, disabled: row.disabled, organizationIds: row.organizationIds },
          changed: patch,
        });
      });
      return view(next);
    },

    async unlockUser(ctx, id, raw) {
      const input = parseInput(unlockUserSchema, raw, 'unlock');
      const row = await userOrThrow(id);
      await uow.run(async (s) => {
        if (!(await s.console.users.unlock(id, clock.now().toISOString()))) {
          throw new AppError('CONFLICT', `User "${id}" is not locked.`);
        }
        await chain(ctx, s, 'console.user.unlock', id, { reason: input.reason, lockedAt: row.lockedAt });
      });
      return view({ ...row, lockedAt: null, failedAttempts: 0 });
    },

    invitationStatus,

    async acceptInvitation(token, raw, source) {
      const input = parseInput(acceptInvitationSchema, raw, 'invitation');
      const invited = await invitationStatus(token);
      const passwordHash = await checkedNewPassword(input.password, invited.email, invited.displayName);
      return uow.run(async (s) => {
        const now = clock.now().toISOString();
        const link = await s.console.links.find(sessionTokenHash(token));
        if (link?.userId == null || !(await s.console.links.spend(link.tokenHash, now))) throw setupInvalid();
        const row = await s.console.users.findById(link.userId);
        if (row === null) throw setupInvalid();
        const patch = {
          passwordHash,
          passwordChangedAt: now,
          ...(input.locale === undefined ? {} : { locale: input.locale }),
        };
        await s.console.users.update(row.id, { ...patch, updatedAt: now });
        await chain(userCtx(row.id, source), s, 'console.invitation.accept', row.id);
        return startPending(s, { ...row, ...patch });
      });
    },
  };
}
