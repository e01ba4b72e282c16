import { auditEntrySchema, auditVerificationSchema, errorResponseSchema } from '@ntg/contracts';
import type { AuditStore, AuditTrail, OrganizationService } from '@ntg/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const orgParams = z.object({ org: z.string().min(1).max(80) });
const errors = { 400: errorResponseSchema, 401: errorResponseSchema, 404: errorResponseSchema };
const isoTime = z.iso.datetime({ offset: true, message: 'use an ISO-8601 time, e.g. 2026-01-31T00:00:00+08:00' });

export function auditRoutes(deps: {
  organizations: OrganizationService;
  auditStore: Pick<AuditStore, 'search' | 'page' | 'head'>;
  audit: AuditTrail;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/organizations/:org/audit',
      {
        schema: {
          tags: ['audit'],
          summary: 'Search the audit trail by actor, object and period (newest first)',
          security: [{ bearer: [] }],
          params: orgParams,
          querystring: z.object({
            actor: z.string().optional(),
            objectType: z.string().optional(),
            objectId: z.string().optional(),
            from: isoTime.optional(),
            to: isoTime.optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          }),
          // The MAC stays server-side: the response schema lists the fields it may show.
          response: { 200: z.object({ entries: z.array(auditEntrySchema) }), ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        const q = request.query;
        const entries = await deps.auditStore.search({
          organizationId: org.id,
          actorId: q.actor,
          objectType: q.objectType,
          objectId: q.objectId,
          from: q.from === undefined ? undefined : new Date(q.from).toISOString(),
          to: q.to === undefined ? undefined : new Date(q.to).toISOString(),
          limit: q.limit,
        });
        return { entries };
      },
    );

    app.get(
      '/api/v1/organizations/:org/audit/verify',
      {
        schema: {
          tags: ['audit'],
          summary: 'Walk the hash chain and name the first broken link',
          security: [{ bearer: [] }],
          params: orgParams,
          response: { 200: auditVerificationSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return deps.audit.verify(deps.auditStore, org.id);
      },
    );
  };
}
