import {
  acceptedOrderListSchema,
  clientAccountIdSchema,
  clientCertificateIdSchema,
  clientCertificateListSchema,
  clientCertificateSchema,
  enrolClientCertificateSchema,
  errorResponseSchema,
  orderEvidenceQuerySchema,
  orderMacHeader,
  submitOrderRequestSchema,
  submitOrderResponseSchema,
} from '@ntg/contracts';
import type { AcceptedOrderService, ClientCertificateService, OrderService, SessionService } from '@ntg/core';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../http/actor-context.ts';
import { createApiTokenGuard } from '../http/api-token-guard.ts';

/** The signed-order services as the routes use them (A35, A36.5). */
export interface OrderRouteServices {
  orders: OrderService;
  certificates: ClientCertificateService;
  accepted: AcceptedOrderService;
}

const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  413: errorResponseSchema,
  422: errorResponseSchema,
  503: errorResponseSchema,
};
/** A signed order with its certificate is a few kilobytes; 64 KiB leaves room for chains and refuses floods. */
export const orderBodyLimit = 64 * 1024;
const accountParams = z.object({ id: clientAccountIdSchema });
const certificateParams = accountParams.extend({ certificateId: clientCertificateIdSchema });

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header === undefined ? undefined : /^Bearer\s+(\S+)$/i.exec(header)?.[1];
}

/**
 * `POST /gateway/v1/orders` for clients with a gateway session, and the operator procedures for signing
 * certificates behind the API token. Every check runs in the order service; a route parses, authenticates and calls
 * it.
 */
export function orderRoutes(deps: {
  orders: OrderRouteServices;
  sessions: Pick<SessionService, 'authenticate'>;
  apiToken: string;
}): FastifyPluginAsyncZod {
  const { orders, sessions } = deps;
  return async (app) => {
    app.post(
      '/gateway/v1/orders',
      {
        bodyLimit: orderBodyLimit,
        schema: {
          tags: ['gateway'],
          summary: 'Submit a signed order (A35): x-ntg-mac over the canonical body; accepted once, durable on answer',
          security: [{ bearer: [] }],
          headers: z.object({ [orderMacHeader]: z.string().max(100).optional() }),
          body: submitOrderRequestSchema,
          response: { 201: submitOrderResponseSchema, ...errors },
        },
      },
      async (request, reply) => {
        const session = await sessions.authenticate(bearerOf(request));
        const mac = request.headers[orderMacHeader];
        const accepted = await orders.orders.submit(
          { source: request.ip },
          session,
          request.body,
          typeof mac === 'string' ? mac : undefined,
        );
        return reply.status(201).header('cache-control', 'no-store').send(accepted);
      },
    );

    await app.register(orderAdminRoutes(orders, deps.apiToken));
  };
}

/** Operator procedures behind the API token: certificate bindings (audited) and the accepted orders. */
function orderAdminRoutes(orders: OrderRouteServices, apiToken: string): FastifyPluginAsyncZod {
  const requireApiToken = createApiTokenGuard(apiToken);
  return async (admin) => {
    admin.addHook('onRequest', requireApiToken);
    const adminTags = ['gateway admin'];

    admin.post(
      '/gateway/v1/admin/accounts/:id/certificates',
      {
        schema: {
          tags: adminTags,
          summary: 'Bind a signing certificate to the client account; it must chain to an approved CA (A36.5)',
          security: [{ bearer: [] }],
          params: accountParams,
          body: enrolClientCertificateSchema,
          response: { 201: clientCertificateSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await orders.certificates.enrol(actorOf(request), request.params.id, request.body)),
    );

    admin.get(
      '/gateway/v1/admin/accounts/:id/certificates',
      {
        schema: {
          tags: adminTags,
          summary: 'The signing certificates bound to the client account, revoked ones included (an A38.1 use)',
          security: [{ bearer: [] }],
          params: accountParams,
          response: { 200: clientCertificateListSchema, ...errors },
        },
      },
      async (request) => ({ certificates: await orders.certificates.list(actorOf(request), request.params.id) }),
    );

    admin.delete(
      '/gateway/v1/admin/accounts/:id/certificates/:certificateId',
      {
        schema: {
          tags: adminTags,
          summary: 'End the binding of a signing certificate (audited); orders signed with it are refused',
          security: [{ bearer: [] }],
          params: certificateParams,
          response: { 200: clientCertificateSchema, ...errors },
        },
      },
      async (request) => orders.certificates.revoke(actorOf(request), request.params.id, request.params.certificateId),
    );

    admin.get(
      '/gateway/v1/admin/orders',
      {
        schema: {
          tags: adminTags,
          summary: 'Accepted orders, newest first, with their evidence hash (A35.5); each client shown is an A38.1 use',
          security: [{ bearer: [] }],
          querystring: orderEvidenceQuerySchema,
          response: { 200: acceptedOrderListSchema, ...errors },
        },
      },
      async (request) => {
        const q = request.query;
        const list = await orders.accepted.list(actorOf(request), {
          organizationId: q.organizationId,
          ...(q.account === undefined ? {} : { accountId: q.account }),
          ...(q.from === undefined ? {} : { from: new Date(q.from).toISOString() }),
          ...(q.to === undefined ? {} : { to: new Date(q.to).toISOString() }),
          limit: q.limit,
        });
        return { orders: list };
      },
    );
  };
}
