import {
  errorResponseSchema,
  type RegisterType,
  recordInputSchemaOf,
  recordSchemaOf,
  registerDefinitions,
  registerQuerySchema,
  registerTypeSchema,
  registerTypes,
} from '@ntg/contracts';
import type { OrganizationService, RegisterService } from '@ntg/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../http/actor-context.ts';
import { assertMayEditRecords } from '../http/console-access.ts';

/** The owner a request body names, if it names one. */
function ownerOf(body: unknown): string | undefined {
  const owner = (body as { owner?: unknown } | null)?.owner;
  return typeof owner === 'string' ? owner : undefined;
}

const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
};
const revisionQuery = z.object({
  revision: z.coerce.number().int().min(1).describe('the revision you read; a newer one is a 409'),
});

/**
 * One set of routes per register, generated from the register definitions so that every register has precise
 * request and response schemas in the OpenAPI document (and responses are filtered to the schema).
 */
export function registerRoutes(deps: {
  organizations: OrganizationService;
  registers: RegisterService;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/organizations/:org/registers',
      {
        schema: {
          tags: ['registers'],
          summary: 'The registers and how many records each holds',
          security: [{ bearer: [] }],
          params: z.object({ org: z.string() }),
          response: {
            200: z.object({
              registers: z.array(
                z.object({
                  register: registerTypeSchema,
                  label: z.string(),
                  articles: z.string(),
                  count: z.number().int(),
                }),
              ),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        const counts = await deps.registers.counts(org.id);
        return {
          registers: registerTypes.map((r) => ({
            register: r,
            label: registerDefinitions[r].label,
            articles: registerDefinitions[r].articles,
            count: counts[r],
          })),
        };
      },
    );

    for (const register of registerTypes) addRegister(register);

    function addRegister(register: RegisterType) {
      const base = `/api/v1/organizations/:org/registers/${register}`;
      const label = registerDefinitions[register].label;
      const tags = ['registers'];
      // Typed loosely on purpose: the schemas differ per register, and the runtime validation and response filtering
      // use the precise ones; the service validates input again against the same contract.
      const recordSchema: z.ZodType<unknown> = recordSchemaOf(register);
      const inputSchema: z.ZodType<unknown> = recordInputSchemaOf(register);
      const orgParams = z.object({ org: z.string() });
      const idParams = z.object({ org: z.string(), id: z.string().max(60) });

      app.get(
        base,
        {
          schema: {
            tags,
            summary: `${label} (${registerDefinitions[register].articles}): sorted, filtered, paginated`,
            security: [{ bearer: [] }],
            params: orgParams,
            querystring: registerQuerySchema,
            response: {
              200: z.object({
                records: z.array(recordSchema),
                total: z.number().int(),
                offset: z.number().int(),
                limit: z.number().int(),
              }),
              ...errors,
            },
          },
        },
        async (request) => {
          const org = await deps.organizations.get(request.params.org);
          return deps.registers.page(org.id, register, request.query);
        },
      );

      app.post(
        base,
        {
          schema: {
            tags,
            summary: `Add a record to ${label.toLowerCase()}`,
            security: [{ bearer: [] }],
            params: orgParams,
            body: inputSchema,
            response: { 201: recordSchema, ...errors },
          },
        },
        async (request, reply) => {
          const org = await deps.organizations.get(request.params.org);
          assertMayEditRecords(request, [ownerOf(request.body)]);
          return reply.status(201).send(await deps.registers.create(actorOf(request), org.id, register, request.body));
        },
      );

      app.get(
        `${base}/:id`,
        {
          schema: {
            tags,
            summary: `One record of ${label.toLowerCase()}`,
            security: [{ bearer: [] }],
            params: idParams,
            response: { 200: recordSchema, ...errors },
          },
        },
        async (request) => {
          const org = await deps.organizations.get(request.params.org);
          return deps.registers.get(org.id, register, request.params.id);
        },
      );

      app.put(
        `${base}/:id`,
        {
          schema: {
            tags,
            summary: `Replace a record of ${label.toLowerCase()} at the revision you read`,
            security: [{ bearer: [] }],
            params: idParams,
            querystring: revisionQuery,
            body: inputSchema,
            response: { 200: recordSchema, ...errors },
          },
        },
        async (request) => {
          const org = await deps.organizations.get(request.params.org);
          const before = await deps.registers.get(org.id, register, request.params.id);
          assertMayEditRecords(request, [before.owner, ownerOf(request.body)]);
          return deps.registers.replace(
            actorOf(request),
            org.id,
            register,
            request.params.id,
            request.body,
            request.query.revision,
          );
        },
      );

      app.delete(
        `${base}/:id`,
        {
          schema: {
            tags,
            summary: `Delete a record of ${label.toLowerCase()} (kept whole in the audit trail)`,
            security: [{ bearer: [] }],
            params: idParams,
            querystring: revisionQuery,
            response: { 204: z.null(), ...errors },
          },
        },
        async (request, reply) => {
          const org = await deps.organizations.get(request.params.org);
          const before = await deps.registers.get(org.id, register, request.params.id);
          assertMayEditRecords(request, [before.owner]);
          await deps.registers.remove(actorOf(request), org.id, register, request.params.id, request.query.revision);
          return reply.status(204).send(null);
        },
      );
    }
  };
}
