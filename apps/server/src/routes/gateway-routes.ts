import {
  accountChannelSchema,
  changePinRequestSchema,
  changePinResponseSchema,
  clientAccountIdSchema,
  clientAccountViewSchema,
  createClientAccountSchema,
  enrolDeviceKeySchema,
  enrolledDeviceKeySchema,
  enrolledTotpSchema,
  enrolledWebauthnSchema,
  enrolTotpSchema,
  enrolWebauthnOptionsSchema,
  enrolWebauthnSchema,
  errorResponseSchema,
  loginStartRequestSchema,
  loginStepRequestSchema,
  loginStepResponseSchema,
  personalDataUseQuerySchema,
  personalDataUseSchema,
  sessionViewSchema,
  setPinSchema,
  stepUpChallengeSchema,
  stepUpRequestSchema,
  stepUpResponseSchema,
  unlockAccountSchema,
  webauthnLoginOptionsRequestSchema,
  webauthnOptionsSchema,
} from '@ntg/contracts';
import type {
  AccountAdminService,
  AuthenticatedSession,
  ChannelService,
  CredentialService,
  EnrolmentService,
  GatewayPolicy,
  GatewayWebauthnService,
  LoginAttemptStore,
  LoginService,
  RequestContext,
  SessionService,
} from '@ntg/core';
import { personalDataUsesCsv } from '@ntg/core';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../http/actor-context.ts';
import { createApiTokenGuard } from '../http/api-token-guard.ts';

/** The identity gateway's services (Directions chapter VI), as the routes use them. */
export interface GatewayServices {
  policy: GatewayPolicy;
  login: LoginService;
  sessions: SessionService;
  credentials: CredentialService;
  enrolment: EnrolmentService;
  accounts: AccountAdminService;
  /** Read access to the login records for the daily analysis (A37.7). */
  attempts: Pick<LoginAttemptStore, 'list'>;
  /** The account owners' notification channels (A38.2), when notifications are wired. */
  channels?: ChannelService;
  /** Security keys and passkeys (ADR 0016), when an RP ID and origins are configured. */
  webauthn?: GatewayWebauthnService;
}

const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  423: errorResponseSchema,
};
const accountParams = z.object({ id: clientAccountIdSchema });
const tags = ['gateway'];
const adminTags = ['gateway admin'];

function requestContext(request: FastifyRequest): RequestContext {
  return { source: request.ip };
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header === undefined ? undefined : /^Bearer\s+(\S+)$/i.exec(header)?.[1];
}

/**
 * The e-trading identity gateway under /gateway/v1 (Directions A36, A37). Client routes are open (login) or need a
 * gateway session; enrolment and unlock are operator procedures behind the API token. Every check runs here on the
 * server (A37.4); a route only parses, authenticates and calls one service function.
 */
export function gatewayRoutes(deps: { gateway: GatewayServices; apiToken: string }): FastifyPluginAsyncZod {
  const { gateway } = deps;
  const session = (request: FastifyRequest): Promise<AuthenticatedSession> =>
    gateway.sessions.authenticate(bearerOf(request));

  const adminRoutes = gatewayAdminRoutes(deps);
  return async (app) => {
    // Challenges, tokens and TOTP seeds must never sit in a shared cache.
    app.addHook('onSend', async (request, reply) => {
      if (request.url.startsWith('/gateway/')) reply.header('cache-control', 'no-store');
    });

    app.post(
      '/gateway/v1/login/start',
      {
        schema: {
          tags,
          summary:
            'Start a login: a single-use challenge and the factor kinds required (A36.1); with a first PIN or TOTP factor, also its step',
          body: loginStartRequestSchema,
          response: { 200: loginStepResponseSchema, ...errors },
        },
      },
      async (request) => gateway.login.start(requestContext(request), request.body),
    );

    app.post(
      '/gateway/v1/login/steps',
      {
        schema: {
          tags,
          summary: 'Prove one factor; the session comes once every required kind is proven',
          body: loginStepRequestSchema,
          response: { 200: loginStepResponseSchema, ...errors },
        },
      },
      async (request) => gateway.login.step(requestContext(request), request.body.challengeId, request.body.factor),
    );

    app.get(
      '/gateway/v1/session',
      {
        schema: {
          tags,
          summary: 'The current session and when each factor kind was last proven',
          security: [{ bearer: [] }],
          response: { 200: sessionViewSchema, ...errors },
        },
      },
      async (request) => gateway.sessions.view(await session(request)),
    );

    app.post(
      '/gateway/v1/logout',
      {
        schema: {
          tags,
          summary: 'End the session',
          security: [{ bearer: [] }],
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await gateway.sessions.logout(await session(request));
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/gateway/v1/step-up/challenge',
      {
        schema: {
          tags,
          summary: 'A single-use challenge for a step-up inside the session',
          security: [{ bearer: [] }],
          response: { 200: stepUpChallengeSchema, ...errors },
        },
      },
      async (request) => gateway.sessions.stepUpChallenge(await session(request)),
    );

    app.post(
      '/gateway/v1/step-up',
      {
        schema: {
          tags,
          summary: 'Prove a factor again for a sensitive function; counts toward the lockout like a login',
          security: [{ bearer: [] }],
          body: stepUpRequestSchema,
          response: { 200: stepUpResponseSchema, ...errors },
        },
      },
      async (request) =>
        gateway.sessions.stepUp(
          requestContext(request),
          await session(request),
          request.body.challengeId,
          request.body.factor,
        ),
    );

    app.post(
      '/gateway/v1/pin',
      {
        schema: {
          tags,
          summary: 'Change the PIN: the current PIN and a fresh second factor (A37.6)',
          security: [{ bearer: [] }],
          body: changePinRequestSchema,
          response: { 200: changePinResponseSchema, ...errors },
        },
      },
      async (request) => gateway.credentials.changePin(requestContext(request), await session(request), request.body),
    );

    const { webauthn } = gateway;
    if (webauthn !== undefined) {
      app.post(
        '/gateway/v1/login/webauthn/options',
        {
          schema: {
            tags,
            summary:
              'WebAuthn options for a login challenge (navigator.credentials.get); the same for every identifier',
            body: webauthnLoginOptionsRequestSchema,
            response: { 200: webauthnOptionsSchema, ...errors },
          },
        },
        async (request) => ({ options: await webauthn.loginOptions(request.body.challengeId) }),
      );
      app.post(
        '/gateway/v1/step-up/webauthn/options',
        {
          schema: {
            tags,
            summary: 'WebAuthn options for a step-up challenge of this session',
            security: [{ bearer: [] }],
            body: webauthnLoginOptionsRequestSchema,
            response: { 200: webauthnOptionsSchema, ...errors },
          },
        },
        async (request) => ({
          options: await webauthn.stepUpOptions((await session(request)).id, request.body.challengeId),
        }),
      );
    }

    await app.register(adminRoutes);
  };
}

/** Operator procedures: enrolment and unlock, each audited (A37.1, A37.5), behind the API token. */
function gatewayAdminRoutes(deps: { gateway: GatewayServices; apiToken: string }): FastifyPluginAsyncZod {
  const { gateway } = deps;
  const requireApiToken = createApiTokenGuard(deps.apiToken);
  return async (admin) => {
    admin.addHook('onRequest', requireApiToken);

    admin.post(
      '/gateway/v1/admin/accounts',
      {
        schema: {
          tags: adminTags,
          summary: 'Enrol a client: create the account with its initial PIN',
          security: [{ bearer: [] }],
          body: createClientAccountSchema,
          response: { 201: clientAccountViewSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await gateway.enrolment.createAccount(actorOf(request), request.body)),
    );

    admin.get(
      '/gateway/v1/admin/accounts/:id',
      {
        schema: {
          tags: adminTags,
          summary: 'A client account: lock state, counter and enrolled factors (never their secrets)',
          security: [{ bearer: [] }],
          params: accountParams,
          response: { 200: clientAccountViewSchema, ...errors },
        },
      },
      // A38.1: an operator's look at a client account is a use of personal data, audited.
      async (request) => gateway.accounts.inspect(actorOf(request), request.params.id),
    );

    const { channels } = gateway;
    if (channels !== undefined) {
      const channelParams = z.object({ id: clientAccountIdSchema, channel: z.string().min(1).max(20) });
      const channelList = { 200: z.object({ channels: z.array(accountChannelSchema) }), ...errors };
      admin.get(
        '/gateway/v1/admin/accounts/:id/channels',
        {
          schema: {
            tags: adminTags,
            summary: 'Where the account owner is notified of logins, locks and trades (A38.2)',
            security: [{ bearer: [] }],
            params: accountParams,
            response: channelList,
          },
        },
        async (request) => ({ channels: await channels.list(actorOf(request), request.params.id) }),
      );
      admin.put(
        '/gateway/v1/admin/accounts/:id/channels/:channel',
        {
          schema: {
            tags: adminTags,
            summary: 'Set the account owner’s e-mail address or webhook recipient (audited with old and new value)',
            security: [{ bearer: [] }],
            params: channelParams,
            body: z.object({ recipient: z.string().min(1).max(2000) }).strict(),
            response: channelList,
          },
        },
        async (request) => ({
          channels: await channels.set(actorOf(request), request.params.id, request.params.channel, request.body),
        }),
      );
      admin.delete(
        '/gateway/v1/admin/accounts/:id/channels/:channel',
        {
          schema: {
            tags: adminTags,
            summary: 'Remove a notification channel of the account (audited)',
            security: [{ bearer: [] }],
            params: channelParams,
            response: channelList,
          },
        },
        async (request) => ({
          channels: await channels.remove(actorOf(request), request.params.id, request.params.channel),
        }),
      );
    }

    const usesOf = (q: z.infer<typeof personalDataUseQuerySchema>) =>
      gateway.accounts.personalDataUses({
        organizationId: q.organizationId,
        ...(q.account === undefined ? {} : { clientAccountId: q.account }),
        ...(q.from === undefined ? {} : { from: new Date(q.from).toISOString() }),
        ...(q.to === undefined ? {} : { to: new Date(q.to).toISOString() }),
        limit: q.limit,
      });

    admin.get(
      '/gateway/v1/admin/personal-data-uses',
      {
        schema: {
          tags: adminTags,
          summary: 'Uses of clients’ personal data (A38.1), by client and period, newest first',
          security: [{ bearer: [] }],
          querystring: personalDataUseQuerySchema,
          response: { 200: z.object({ uses: z.array(personalDataUseSchema) }), ...errors },
        },
      },
      async (request) => ({ uses: await usesOf(request.query) }),
    );

    admin.get(
      '/gateway/v1/admin/personal-data-uses.csv',
      {
        schema: {
          tags: adminTags,
          summary: 'The same uses of personal data as CSV, for an inspector (A38.1)',
          security: [{ bearer: [] }],
          querystring: personalDataUseQuerySchema,
        },
      },
      async (request, reply) =>
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="personal-data-uses.csv"')
          .send(personalDataUsesCsv(await usesOf(request.query))),
    );

    admin.post(
      '/gateway/v1/admin/accounts/:id/pin',
      {
        schema: {
          tags: adminTags,
          summary: 'Reset the PIN by procedure; refused while the account is locked',
          security: [{ bearer: [] }],
          params: accountParams,
          body: setPinSchema,
          response: { 200: clientAccountViewSchema, ...errors },
        },
      },
      async (request) => gateway.enrolment.setPin(actorOf(request), request.params.id, request.body),
    );

    admin.post(
      '/gateway/v1/admin/accounts/:id/totp',
      {
        schema: {
          tags: adminTags,
          summary: 'Enrol a TOTP authenticator; the secret is shown once',
          security: [{ bearer: [] }],
          params: accountParams,
          body: enrolTotpSchema,
          response: { 201: enrolledTotpSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await gateway.enrolment.enrolTotp(actorOf(request), request.params.id, request.body)),
    );

    admin.post(
      '/gateway/v1/admin/accounts/:id/device-keys',
      {
        schema: {
          tags: adminTags,
          summary: "Enrol the public key of a device key pair made by the firm's app (ES256, P-256)",
          security: [{ bearer: [] }],
          params: accountParams,
          body: enrolDeviceKeySchema,
          response: { 201: enrolledDeviceKeySchema, ...errors },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await gateway.enrolment.enrolDeviceKey(actorOf(request), request.params.id, request.body)),
    );

    const { webauthn } = gateway;
    if (webauthn !== undefined) {
      admin.post(
        '/gateway/v1/admin/accounts/:id/webauthn/options',
        {
          schema: {
            tags: adminTags,
            summary: "Start enrolling a client's security key or passkey: options for navigator.credentials.create",
            security: [{ bearer: [] }],
            params: accountParams,
            body: enrolWebauthnOptionsSchema.optional(),
            response: { 200: webauthnOptionsSchema, ...errors },
          },
        },
        async (request) => ({
          options: await webauthn.registrationOptions(actorOf(request), request.params.id),
        }),
      );
      admin.post(
        '/gateway/v1/admin/accounts/:id/webauthn',
        {
          schema: {
            tags: adminTags,
            summary: 'Finish enrolling a security key or passkey (attestation policy, ADR 0016; audited)',
            security: [{ bearer: [] }],
            params: accountParams,
            body: enrolWebauthnSchema,
            response: { 201: enrolledWebauthnSchema, ...errors },
          },
        },
        async (request, reply) =>
          reply.status(201).send(await webauthn.enrol(actorOf(request), request.params.id, request.body)),
      );
    }

    admin.post(
      '/gateway/v1/admin/accounts/:id/unlock',
      {
        schema: {
          tags: adminTags,
          summary: 'Unlock a locked account: operator with a reason, or identity re-verified (audited)',
          security: [{ bearer: [] }],
          params: accountParams,
          body: unlockAccountSchema,
          response: { 200: clientAccountViewSchema, ...errors },
        },
      },
      async (request) => gateway.accounts.unlock(actorOf(request), request.params.id, request.body),
    );
  };
}
