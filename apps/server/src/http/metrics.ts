import type { FastifyInstance } from 'fastify';
import { Histogram, type Registry } from 'prom-client';

/** Records request durations by route and status for every request. */
export function installMetrics(app: FastifyInstance, registry: Registry): void {
  const duration =
    (registry.getSingleMetric('ntg_http_request_duration_seconds') as
      | Histogram<'method' | 'route' | 'status'>
      | undefined) ??
    new Histogram({
      name: 'ntg_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

/** Prometheus metrics at /metrics, behind the API token: they reveal routes and load. */
export function metricsRoute(registry: Registry) {
  return async (app: FastifyInstance) => {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    );
  };
}
