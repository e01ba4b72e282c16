import {
  applicabilityResultSchema,
  createOrganizationSchema,
  errorResponseSchema,
  organizationSchema,
  profilePatchSchema,
} from '@ntg/contracts';
import type { CatalogService, OrganizationService } from '@ntg/core';
import { applicabilityOf } from '@ntg/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../http/actor-context.ts';
import { visibleOrganizations } from '../http/console-access.ts';

const orgParams = z.object({ org: z.string().min(1).max(80).describe('organization id (org_…) or slug') });
const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
};

export function organizationRoutes(deps: {
  organizations: OrganizationService;
  catalog: CatalogService;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/organizations',
      {
        schema: {
          tags: ['organizations'],
          summary: 'Organizations of this installation (a financial group may hold several firms)',
          security: [{ bearer: [] }],
          response: { 200: z.object({ organizations: z.array(organizationSchema) }), ...errors },
        },
      },
      async (request) => ({ organizations: visibleOrganizations(request, await deps.organizations.list()) }),
    );

    app.post(
      '/api/v1/organizations',
      {
        schema: {
          tags: ['organizations'],
          summary: 'Create an organization with its scope profile',
          security: [{ bearer: [] }],
          body: createOrganizationSchema,
          response: { 201: organizationSchema, ...errors },
        },
      },
      async (request, reply) => reply.status(201).send(await deps.organizations.create(actorOf(request), request.body)),
    );

    app.get(
      '/api/v1/organizations/:org',
      {
        schema: {
          tags: ['organizations'],
          summary: 'One organization',
          security: [{ bearer: [] }],
          params: orgParams,
          response: { 200: organizationSchema, ...errors },
        },
      },
      async (request) => deps.organizations.get(request.params.org),
    );

    app.patch(
      '/api/v1/organizations/:org/profile',
      {
        schema: {
          tags: ['organizations'],
          summary: 'Answer scope questions of the directions (A3, A11, A16, A18, A20.3, A22, A34, A40, A41)',
          security: [{ bearer: [] }],
          params: orgParams,
          body: profilePatchSchema,
          response: { 200: organizationSchema, ...errors },
        },
      },
      async (request) => deps.organizations.updateProfile(actorOf(request), request.params.org, request.body),
    );

    app.get(
      '/api/v1/organizations/:org/applicability',
      {
        schema: {
          tags: ['organizations'],
          summary: 'Which catalog nodes apply to the organization, each with its reason',
          security: [{ bearer: [] }],
          params: orgParams,
          querystring: z.object({ version: z.string().optional() }),
          response: { 200: z.object({ version: z.string(), results: z.array(applicabilityResultSchema) }), ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        const catalog = deps.catalog.catalog(request.query.version);
        return { version: catalog.version, results: applicabilityOf(catalog, org.profile) };
      },
    );
  };
}
