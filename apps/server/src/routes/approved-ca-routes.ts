import {
  addApprovedCaSchema,
  approvedCaIdSchema,
  approvedCaListSchema,
  approvedCaSchema,
  errorResponseSchema,
} from '@ntg/contracts';
import type { ApprovedCaService, OrganizationService } from '@ntg/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../http/actor-context.ts';

const orgParams = z.object({ org: z.string().min(1).max(80).describe('organization id (org_…) or slug') });
const caParams = orgParams.extend({ id: approvedCaIdSchema });
const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  503: errorResponseSchema,
};
const tags = ['approved CAs'];

/**
 * A36.5: the certification authorities whose certificates may sign orders, per organization. Reading is open to
 * every console role; adding and removing need the manage permission (administrator, compliance officer) and are
 * audited in the same transaction.
 */
export function approvedCaRoutes(deps: {
  organizations: Pick<OrganizationService, 'get'>;
  approvedCas: ApprovedCaService;
}): FastifyPluginAsyncZod {
  const { organizations, approvedCas } = deps;
  return async (app) => {
    app.get(
      '/api/v1/organizations/:org/approved-cas',
      {
        schema: {
          tags,
          summary: 'The approved CAs of the organization (A36.5); removed ones with includeRemoved=true',
          security: [{ bearer: [] }],
          params: orgParams,
          querystring: z.object({ includeRemoved: z.enum(['true', 'false']).default('false') }),
          response: { 200: approvedCaListSchema, ...errors },
        },
      },
      async (request) => {
        const org = await organizations.get(request.params.org);
        return {
          approvedCas: await approvedCas.list(org.id, { includeRemoved: request.query.includeRemoved === 'true' }),
        };
      },
    );

    app.post(
      '/api/v1/organizations/:org/approved-cas',
      {
        schema: {
          tags,
          summary: 'Approve a CA for order signatures: its certificate as PEM or base64 DER, CRL and OCSP locations',
          security: [{ bearer: [] }],
          params: orgParams,
          body: addApprovedCaSchema,
          response: { 201: approvedCaSchema, ...errors },
        },
      },
      async (request, reply) => {
        const org = await organizations.get(request.params.org);
        return reply.status(201).send(await approvedCas.add(actorOf(request), org.id, request.body));
      },
    );

    app.delete(
      '/api/v1/organizations/:org/approved-cas/:id',
      {
        schema: {
          tags,
          summary: 'Remove an approved CA (audited); orders already accepted under it stay verifiable',
          security: [{ bearer: [] }],
          params: caParams,
          response: { 200: approvedCaSchema, ...errors },
        },
      },
      async (request) => {
        const org = await organizations.get(request.params.org);
        return approvedCas.remove(actorOf(request), org.id, request.params.id);
      },
    );
  };
}
