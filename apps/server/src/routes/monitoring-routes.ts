import {
  errorResponseSchema,
  monitoringDailyQuerySchema,
  monitoringGenerateRequestSchema,
  monitoringReportSchema,
} from '@ntg/contracts';
import type { MonitoringService, OrganizationService } from '@ntg/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../http/actor-context.ts';

const orgParams = z.object({ org: z.string().min(1).max(80).describe('organization id (org_…) or slug') });
const errors = { 400: errorResponseSchema, 401: errorResponseSchema, 404: errorResponseSchema };

/** A37.7: the daily analysis of failed logins, read and (re)generated per Asia/Taipei day. */
export function monitoringRoutes(deps: {
  organizations: Pick<OrganizationService, 'get'>;
  monitoring: MonitoringService;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/organizations/:org/monitoring/daily',
      {
        schema: {
          tags: ['monitoring'],
          summary: 'The newest daily failed-login report for a day (default: yesterday in Asia/Taipei)',
          security: [{ bearer: [] }],
          params: orgParams,
          querystring: monitoringDailyQuerySchema,
          response: { 200: monitoringReportSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return deps.monitoring.getDaily(org.id, request.query.date);
      },
    );

    app.post(
      '/api/v1/organizations/:org/monitoring/daily',
      {
        schema: {
          tags: ['monitoring'],
          summary: 'Analyse one day of login attempts (default: yesterday in Asia/Taipei) and keep the report',
          security: [{ bearer: [] }],
          params: orgParams,
          body: monitoringGenerateRequestSchema.optional(),
          response: { 201: monitoringReportSchema, ...errors },
        },
      },
      async (request, reply) => {
        const org = await deps.organizations.get(request.params.org);
        const report = await deps.monitoring.generateDaily(actorOf(request), org.id, request.body?.date);
        return reply.code(201).send(report);
      },
    );
  };
}
