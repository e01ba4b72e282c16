import {
  acceptInvitationSchema,
  changePasswordSchema,
  consoleUserSchema,
  createFirstAdministratorSchema,
  createUserResponseSchema,
  createUserSchema,
  errorResponseSchema,
  invitationStatusSchema,
  passwordSignInSchema,
  secondFactorProofSchema,
  sessionResponseSchema,
  setupLinkStatusSchema,
  signInStepSchema,
  signOutEverywhereResponseSchema,
  totpEnrolmentConfirmSchema,
  totpEnrolmentResponseSchema,
  unlockUserSchema,
  updateMeSchema,
  updateUserSchema,
  userIdSchema,
  webauthnEnrolmentVerifySchema,
  webauthnOptionsResponseSchema,
} from '@ntg/contracts';
import { AppError, type ConsoleAuthService, type IssuedSession, type PendingSignIn } from '@ntg/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../http/actor-context.ts';
import { principalOf } from '../http/console-access.ts';
import { clearCookie, pendingCookie, readCookies, sessionCookie, setCookie } from '../http/cookies.ts';

const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  429: errorResponseSchema,
};
const tags = ['console sign-in'];
const tokenParams = z.object({ token: z.string().min(1).max(200) });
const userParams = z.object({ id: userIdSchema });

/** Sign-in steps are rate-limited per client address on top of the lockout: guessing is slow even across users. */
export const defaultSignInRateLimitPerMinute = 20;

function secondsUntil(iso: string, now: Date): number {
  return (Date.parse(iso) - now.getTime()) / 1000;
}

function sendPending(request: FastifyRequest, reply: FastifyReply, pending: PendingSignIn, now: Date, status = 200) {
  setCookie(request, reply, pendingCookie, pending.token, secondsUntil(pending.expiresAt, now));
  return reply.status(status).send(pending.step);
}

function sendSession(request: FastifyRequest, reply: FastifyReply, issued: IssuedSession, now: Date) {
  clearCookie(request, reply, pendingCookie);
  setCookie(request, reply, sessionCookie, issued.token, secondsUntil(issued.session.expiresAt, now));
  return reply.send(issued.session);
}

function signedInUser(request: FastifyRequest) {
  const principal = principalOf(request);
  if (principal?.kind !== 'user') {
    throw new AppError('BAD_REQUEST', 'The API token is not a person: sign in to the console for this.');
  }
  return principal;
}

/**
 * Routes anyone may call: the setup link, the sign-in steps, second-factor enrolment while signing in, the current
 * session, invitations. Each checks its own cookie or link; the answers never tell which part of a sign-in failed.
 */
export function consoleSignInRoutes(deps: {
  consoleAuth: ConsoleAuthService;
  now: () => Date;
  rateLimitPerMinute?: number;
}): FastifyPluginAsyncZod {
  const { consoleAuth } = deps;
  const signInRateLimit = {
    rateLimit: { max: deps.rateLimitPerMinute ?? defaultSignInRateLimitPerMinute, timeWindow: '1 minute' },
  };

  /** Enrolment runs on a pending sign-in, or on a session (then with its CSRF token, as any change). */
  function enrolmentToken(request: FastifyRequest): string {
    const cookies = readCookies(request);
    const pending = cookies.get(pendingCookie);
    if (pending !== undefined) return pending;
    const session = cookies.get(sessionCookie);
    if (session === undefined) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
    return session;
  }

  async function assertCsrfIfSession(request: FastifyRequest, token: string): Promise<void> {
    if (readCookies(request).get(pendingCookie) === token) return;
    const principal = await consoleAuth.authenticate(token);
    const csrf = request.headers['x-csrf-token'];
    if (principal === null) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
    if (!consoleAuth.csrfMatches(principal.tokenHash, typeof csrf === 'string' ? csrf : undefined)) {
      throw new AppError('CSRF_FAILED', 'Send the x-csrf-token header from GET /api/v1/session with this request.');
    }
  }

  return async (app) => {
    app.get(
      '/api/v1/setup/:token',
      {
        schema: { tags, summary: 'Whether a one-time setup link is still good', params: tokenParams },
        config: signInRateLimit,
      },
      async (request) => setupLinkStatusSchema.parse(await consoleAuth.setupLinkStatus(request.params.token)),
    );

    app.post(
      '/api/v1/setup/:token',
      {
        schema: {
          tags,
          summary: 'Create the first administrator with the one-time setup link (no default account exists)',
          params: tokenParams,
          body: createFirstAdministratorSchema,
          response: { 201: signInStepSchema, ...errors },
        },
        config: signInRateLimit,
      },
      async (request, reply) => {
        const pending = await consoleAuth.createFirstAdministrator(request.params.token, request.body, request.ip);
        return sendPending(request, reply, pending, deps.now(), 201);
      },
    );

    app.post(
      '/api/v1/session',
      {
        schema: {
          tags,
          summary: 'Sign in, first step: e-mail address and password (the third failure in a row locks, A37.5)',
          body: passwordSignInSchema,
          response: { 200: signInStepSchema, ...errors },
        },
        config: signInRateLimit,
      },
      async (request, reply) =>
        sendPending(request, reply, await consoleAuth.signIn(request.body, request.ip), deps.now()),
    );

    app.post(
      '/api/v1/session/second-factor',
      {
        schema: {
          tags,
          summary: 'Sign in, second step: the authenticator code or a security key assertion; sets the session cookie',
          body: secondFactorProofSchema,
          response: { 200: sessionResponseSchema, ...errors },
        },
        config: signInRateLimit,
      },
      async (request, reply) => {
        const pending = readCookies(request).get(pendingCookie);
        if (pending === undefined) throw new AppError('SIGN_IN_FAILED', 'Start again with your password.');
        const issued = await consoleAuth.proveSecondFactor(pending, request.body, request.ip);
        return sendSession(request, reply, issued, deps.now());
      },
    );

    app.post(
      '/api/v1/session/enrolment/totp',
      {
        schema: {
          tags,
          summary: 'Start enrolling an authenticator app: the secret to scan or type',
          response: { 200: totpEnrolmentResponseSchema, ...errors },
        },
        config: signInRateLimit,
      },
      async (request) => {
        const token = enrolmentToken(request);
        await assertCsrfIfSession(request, token);
        return consoleAuth.startTotpEnrolment(token);
      },
    );

    app.post(
      '/api/v1/session/enrolment/totp/confirm',
      {
        schema: {
          tags,
          summary: 'Finish enrolling with a current code; a sign-in in progress becomes a session',
          body: totpEnrolmentConfirmSchema,
          response: { 200: sessionResponseSchema, ...errors },
        },
        config: signInRateLimit,
      },
      async (request, reply) => {
        const token = enrolmentToken(request);
        await assertCsrfIfSession(request, token);
        const result = await consoleAuth.confirmTotpEnrolment(token, request.body, request.ip);
        if ('token' in result) return sendSession(request, reply, result, deps.now());
        return result;
      },
    );

    app.post(
      '/api/v1/session/webauthn/options',
      {
        schema: {
          tags,
          summary: 'Sign in, second step with a security key or passkey: the options for navigator.credentials.get',
          response: { 200: webauthnOptionsResponseSchema, ...errors },
        },
        config: signInRateLimit,
      },
      async (request) => {
        const pending = readCookies(request).get(pendingCookie);
        if (pending === undefined) throw new AppError('SIGN_IN_FAILED', 'Start again with your password.');
        return { options: await consoleAuth.webauthnSignInOptions(pending) };
      },
    );

    app.post(
      '/api/v1/session/enrolment/webauthn/options',
      {
        schema: {
          tags,
          summary: 'Start enrolling a security key or passkey: the options for navigator.credentials.create',
          response: { 200: webauthnOptionsResponseSchema, ...errors },
        },
        config: signInRateLimit,
      },
      async (request) => {
        const token = enrolmentToken(request);
        await assertCsrfIfSession(request, token);
        return { options: await consoleAuth.startWebauthnEnrolment(token) };
      },
    );

    app.post(
      '/api/v1/session/enrolment/webauthn/verify',
      {
        schema: {
          tags,
          summary: 'Finish enrolling a security key or passkey; a sign-in in progress becomes a session',
          body: webauthnEnrolmentVerifySchema,
          response: { 200: sessionResponseSchema, ...errors },
        },
        config: signInRateLimit,
      },
      async (request, reply) => {
        const token = enrolmentToken(request);
        await assertCsrfIfSession(request, token);
        const result = await consoleAuth.confirmWebauthnEnrolment(token, request.body, request.ip);
        if ('token' in result) return sendSession(request, reply, result, deps.now());
        return result;
      },
    );

    app.get(
      '/api/v1/session',
      {
        schema: {
          tags,
          summary: 'The signed-in user, the CSRF token for changes, and when the session ends',
          response: { 200: sessionResponseSchema, ...errors },
        },
      },
      async (request) => {
        const token = readCookies(request).get(sessionCookie);
        const principal = token === undefined ? null : await consoleAuth.authenticate(token);
        if (principal === null) throw new AppError('UNAUTHENTICATED', 'Not signed in.');
        return consoleAuth.sessionResponse(principal);
      },
    );

    app.get(
      '/api/v1/invitations/:token',
      {
        schema: {
          tags,
          summary: 'Whom an invitation is for',
          params: tokenParams,
          response: { 200: invitationStatusSchema, ...errors },
        },
        config: signInRateLimit,
      },
      async (request) => consoleAuth.invitationStatus(request.params.token),
    );

    app.post(
      '/api/v1/invitations/:token',
      {
        schema: {
          tags,
          summary: 'Accept an invitation: choose a password, then enrol a second factor',
          params: tokenParams,
          body: acceptInvitationSchema,
          response: { 201: signInStepSchema, ...errors },
        },
        config: signInRateLimit,
      },
      async (request, reply) => {
        const pending = await consoleAuth.acceptInvitation(request.params.token, request.body, request.ip);
        return sendPending(request, reply, pending, deps.now(), 201);
      },
    );
  };
}

/** Routes behind the access guard: signing out, the user's own settings, and user administration. */
export function consoleAccountRoutes(deps: {
  consoleAuth: ConsoleAuthService;
  rateLimitPerMinute?: number;
}): FastifyPluginAsyncZod {
  const { consoleAuth } = deps;
  const signInRateLimit = {
    rateLimit: { max: deps.rateLimitPerMinute ?? defaultSignInRateLimitPerMinute, timeWindow: '1 minute' },
  };
  return async (app) => {
    app.delete(
      '/api/v1/session',
      { schema: { tags, summary: 'Sign out', response: { 204: z.null(), ...errors } } },
      async (request, reply) => {
        const token = readCookies(request).get(sessionCookie);
        if (token !== undefined) await consoleAuth.signOut(token, request.ip);
        clearCookie(request, reply, sessionCookie);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/v1/session/sign-out-everywhere',
      {
        schema: {
          tags,
          summary: 'End every session of the signed-in user, on every device',
          response: { 200: signOutEverywhereResponseSchema, ...errors },
        },
      },
      async (request, reply) => {
        const { user } = signedInUser(request);
        const ended = await consoleAuth.signOutEverywhere(actorOf(request), user.id);
        clearCookie(request, reply, sessionCookie);
        return { ended };
      },
    );

    app.patch(
      '/api/v1/me',
      {
        schema: {
          tags,
          summary: 'Change your language or display name',
          body: updateMeSchema,
          response: { 200: consoleUserSchema, ...errors },
        },
      },
      async (request) => consoleAuth.updateMe(actorOf(request), signedInUser(request).user.id, request.body),
    );

    app.post(
      '/api/v1/me/password',
      {
        schema: {
          tags,
          summary: 'Change your password (the current one counts toward the lockout)',
          body: changePasswordSchema,
          response: { 204: z.null(), ...errors },
        },
        config: signInRateLimit,
      },
      async (request, reply) => {
        await consoleAuth.changePassword(actorOf(request), signedInUser(request).user.id, request.body);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/v1/users',
      {
        schema: {
          tags,
          summary: 'Console users (administrators)',
          response: { 200: z.object({ users: z.array(consoleUserSchema) }), ...errors },
        },
      },
      async () => ({ users: await consoleAuth.listUsers() }),
    );

    app.post(
      '/api/v1/users',
      {
        schema: {
          tags,
          summary: 'Invite a user (administrators): answers a one-time link for the user to choose a password',
          body: createUserSchema,
          response: { 201: createUserResponseSchema, ...errors },
        },
      },
      async (request, reply) => reply.status(201).send(await consoleAuth.createUser(actorOf(request), request.body)),
    );

    app.get(
      '/api/v1/users/:id',
      {
        schema: {
          tags,
          summary: 'One console user',
          params: userParams,
          response: { 200: consoleUserSchema, ...errors },
        },
      },
      async (request) => consoleAuth.getUser(request.params.id),
    );

    app.patch(
      '/api/v1/users/:id',
      {
        schema: {
          tags,
          summary: 'Change a user’s role, organizations, owner names, or disable them (ends their sessions)',
          params: userParams,
          body: updateUserSchema,
          response: { 200: consoleUserSchema, ...errors },
        },
      },
      async (request) => consoleAuth.updateUser(actorOf(request), request.params.id, request.body),
    );

    app.post(
      '/api/v1/users/:id/unlock',
      {
        schema: {
          tags,
          summary: 'Unlock a user locked after three failures (A37.5), with the reason',
          params: userParams,
          body: unlockUserSchema,
          response: { 200: consoleUserSchema, ...errors },
        },
      },
      async (request) => consoleAuth.unlockUser(actorOf(request), request.params.id, request.body),
    );
  };
}
