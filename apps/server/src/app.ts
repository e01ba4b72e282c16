import { randomUUID } from 'node:crypto';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ApprovedCaService, Clock, ConsoleAuthService } from '@ntg/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { createAccessGuard } from './http/console-access.ts';
import { installErrorHandling } from './http/error-handler.ts';
import { installMetrics, metricsRoute } from './http/metrics.ts';
import { installSecurityHeaders } from './http/security-headers.ts';
import { serveWebConsole } from './http/web-console.ts';
import { approvedCaRoutes } from './routes/approved-ca-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { catalogRoutes } from './routes/catalog-routes.ts';
import { collectorRoutes } from './routes/collector-routes.ts';
import { consoleAccountRoutes, consoleSignInRoutes } from './routes/console-auth-routes.ts';
import { evaluationRoutes } from './routes/evaluation-routes.ts';
import { evidenceRoutes } from './routes/evidence-routes.ts';
import type { GatewayServices } from './routes/gateway-routes.ts';
import { gatewayRoutes } from './routes/gateway-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { importExportRoutes } from './routes/import-export-routes.ts';
import { monitoringRoutes } from './routes/monitoring-routes.ts';
import { type OrderRouteServices, orderRoutes } from './routes/orders-routes.ts';
import { organizationRoutes } from './routes/organization-routes.ts';
import { registerRoutes } from './routes/register-routes.ts';
import { collectorStatusReader } from './wiring/collector-services.ts';
import type { Services } from './wiring/services.ts';

export const productVersion = '0.1.0';

export interface AppDeps {
  services: Services;
  /** The e-trading identity gateway (roles `gateway` and `all`). */
  gateway?: GatewayServices;
  /** Signed orders at the gateway (A35); served with the gateway only. */
  orders?: OrderRouteServices;
  /** The approved-CA store of each organization (A36.5), under the console's access guard. */
  approvedCas?: ApprovedCaService;
  readiness(): Promise<{ ready: boolean; database: string; problem?: string }>;
  apiToken: string;
  /** The built web console (apps/web/dist); served at `/` when it holds an index.html. */
  webDir?: string;
  /** Console sign-in for people; without it only the API token opens the API. */
  consoleAuth?: ConsoleAuthService;
  /** Sign-in attempts per client address and minute, on top of the lockout (default 20). */
  signInRateLimitPerMinute?: number;
  metrics: Registry;
  clock: Clock;
  /** Whether this installation runs the daily TLS scan (NTG_SCHEDULED_SCANS); shown in the collector status. */
  scheduledScans?: boolean;
  /** Largest mobile app package accepted for inspection (default 200 MiB). */
  maxPackageBytes?: number;
  rateLimitPerMinute?: number;
  trustProxy?: boolean;
  /** TLS on the listener (Directions A35.1): certificate, key and policy from `http/tls-policy.ts`; plain HTTP without. */
  https?: TlsOptions & SecureContextOptions;
  /** A pino logger; none in tests. */
  logger?: FastifyBaseLogger;
}

/** Builds the HTTP application from its dependencies; `main.ts` wires real ones, tests use `inject`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.https === undefined ? {} : { https: deps.https }),
    ...(deps.logger === undefined ? { logger: false } : { loggerInstance: deps.logger }),
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    genReqId: (req) => {
      // Accept a caller's request id only when it is short and plain, so it cannot forge log lines.
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
    },
    requestIdLogLabel: 'requestId',
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  installSecurityHeaders(app, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Swagger UI's bundled page needs inline styles and its own scripts only.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  await app.register(rateLimit, {
    max: deps.rateLimitPerMinute ?? 600,
    timeWindow: '1 minute',
    allowList: (req) => req.url === '/healthz' || req.url === '/readyz',
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'NewTech Guard API',
        version: productVersion,
        description:
          'Compliance console and e-trading identity gateway for the Directions on Information and Communication ' +
          'Security Management and Control of New Technologies (Taiwan securities and futures market). ' +
          'Every error is { code, message, requestId }.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  // The reference page runs under helmet's policy above (scripts from 'self' only, inline styles allowed for its CSS-in-JS).
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: false });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // The web console at `/` when it is built; otherwise the root leads a person to the API reference.
  if (deps.webDir === undefined || !serveWebConsole(app, deps.webDir)) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/api/docs/', 302));
  }

  installMetrics(app, deps.metrics);
  const { services } = deps;
  await app.register(healthRoutes({ readiness: deps.readiness }));
  await app.register(catalogRoutes({ catalog: services.catalog }));

  const { consoleAuth } = deps;
  if (consoleAuth !== undefined) {
    await app.register(
      consoleSignInRoutes({
        consoleAuth,
        now: () => deps.clock.now(),
        ...(deps.signInRateLimitPerMinute === undefined ? {} : { rateLimitPerMinute: deps.signInRateLimitPerMinute }),
      }),
    );
  }

  // Everything about an organization needs a signed-in person with the role for it, or the API token.
  const guard = createAccessGuard({ apiToken: deps.apiToken, console: consoleAuth });
  const protectedRoutes: FastifyPluginAsync = async (scope) => {
    scope.addHook('onRequest', guard);
    if (consoleAuth !== undefined) {
      await scope.register(
        consoleAccountRoutes({
          consoleAuth,
          ...(deps.signInRateLimitPerMinute === undefined ? {} : { rateLimitPerMinute: deps.signInRateLimitPerMinute }),
        }),
      );
    }
    await scope.register(metricsRoute(deps.metrics));
    await scope.register(organizationRoutes({ organizations: services.organizations, catalog: services.catalog }));
    await scope.register(registerRoutes({ organizations: services.organizations, registers: services.registers }));
    await scope.register(
      evaluationRoutes({
        organizations: services.organizations,
        evaluation: services.evaluation,
        evaluations: services.stores.evaluations,
        findings: services.findings,
        attestations: services.attestations,
        clock: deps.clock,
      }),
    );
    await scope.register(
      importExportRoutes({
        organizations: services.organizations,
        bundles: services.bundles,
        registerCsv: services.registerCsv,
      }),
    );
    await scope.register(monitoringRoutes({ organizations: services.organizations, monitoring: services.monitoring }));
    await scope.register(evidenceRoutes({ organizations: services.organizations, evidence: services.evidence }));
    await scope.register(
      collectorRoutes({
        organizations: services.organizations,
        collectorRuns: services.collectorRuns,
        nmapImport: services.nmapImport,
        mdmImport: services.mdmImport,
        appPackages: services.appPackages,
        tlsScans: services.tlsScans,
        collectorStatus: collectorStatusReader({
          collectorRuns: services.collectorRuns,
          jobs: services.stores.jobs,
          clock: deps.clock,
          scheduledScans: deps.scheduledScans ?? false,
        }),
        maxEvidenceBytes: services.evidence.maxBytes,
        ...(deps.maxPackageBytes === undefined ? {} : { maxPackageBytes: deps.maxPackageBytes }),
      }),
    );
    await scope.register(
      auditRoutes({ organizations: services.organizations, auditStore: services.stores.audit, audit: services.audit }),
    );
    if (deps.approvedCas !== undefined) {
      await scope.register(approvedCaRoutes({ organizations: services.organizations, approvedCas: deps.approvedCas }));
    }
  };
  await app.register(protectedRoutes);
  if (deps.gateway !== undefined) await app.register(gatewayRoutes({ gateway: deps.gateway, apiToken: deps.apiToken }));
  if (deps.gateway !== undefined && deps.orders !== undefined) {
    await app.register(orderRoutes({ orders: deps.orders, sessions: deps.gateway.sessions, apiToken: deps.apiToken }));
  }

  return app;
}
