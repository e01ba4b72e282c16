import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

export interface HealthDeps {
  readiness(): Promise<{ ready: boolean; database: string; problem?: string }>;
}

export function healthRoutes(deps: HealthDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          tags: ['operations'],
          summary: 'The process is up',
          response: { 200: z.object({ status: z.literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    const readySchema = z.object({
      status: z.enum(['ready', 'not-ready']),
      database: z.string(),
      problem: z.string().optional(),
    });
    app.get(
      '/readyz',
      {
        schema: {
          tags: ['operations'],
          summary: 'The database answers and every migration is applied',
          response: { 200: readySchema, 503: readySchema },
        },
      },
      async (_request, reply) => {
        const r = await deps.readiness();
        const body = {
          status: r.ready ? ('ready' as const) : ('not-ready' as const),
          database: r.database,
          problem: r.problem,
        };
        return reply.status(r.ready ? 200 : 503).send(body);
      },
    );
  };
}
