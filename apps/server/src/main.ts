import { fileURLToPath } from 'node:url';
import { type ConsoleAuthService, dailyTlsScanJob, IdentityPolicyError, isAppError } from '@ntg/core';
import { checkReadiness } from '@ntg/db';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { buildApp } from './app.ts';
import { ConfigError, isLoopbackHost } from './config/config.ts';
import { secretsFilePath } from './config/secrets.ts';
import { type ResolvedTls, resolveTls } from './http/tls-certificate.ts';
import { gatewayTlsOptions } from './http/tls-policy.ts';
import { createDailyJobScheduler } from './scheduling/daily-job-scheduler.ts';
import { createEvaluationScheduler } from './scheduling/evaluation-scheduler.ts';
import { createNotificationScheduler } from './scheduling/notification-scheduler.ts';
import { scanAllScheduledEndpoints } from './wiring/collector-services.ts';
import { ensureDemoOrganization } from './wiring/demo-organization.ts';
import { createGatewayServices } from './wiring/gateway-wiring.ts';
import { analyseDueDays } from './wiring/monitoring-services.ts';
import { createNotificationServices, defaultNotificationDir } from './wiring/notification-services.ts';
import { createOrderGatewayServices } from './wiring/order-services.ts';
import { openRuntime } from './wiring/runtime.ts';

async function main(): Promise<void> {
  const runtime = await openRuntime(process.env);
  const { config, services, handle } = runtime;
  const logger = pino({ level: config.logLevel });
  logger.info({ database: handle.description, migrationsApplied: runtime.applied }, 'database ready');
  // Directions A35.1: a certificate weaker than the policy stops the start here, before anything listens.
  let tls: ResolvedTls | null;
  try {
    tls = await resolveTls(config.tls, runtime.clock.now());
  } catch (error) {
    await runtime.close();
    throw error;
  }
  if (!config.tls.enabled && config.tls.reason === 'off' && !isLoopbackHost(config.host)) {
    logger.warn({ host: config.host }, 'NTG_TLS=off on a non-loopback address: only behind a TLS-terminating proxy');
  }

  if (config.demo) {
    const demo = await ensureDemoOrganization(services.organizations, services.bundles);
    if (demo !== null) logger.info({ organization: demo }, 'first run: created the labelled demo organization');
  }

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const scheduler = createEvaluationScheduler({
    evaluation: services.evaluation,
    organizations: services.organizations,
    logger,
  });
  services.changes.subscribe(scheduler);
  // Directions A5.3, A35.1: cloud service endpoints and registered TLS endpoints are scanned once a day, by one
  // instance of several; a regression becomes a finding.
  const tlsScans = createDailyJobScheduler({
    job: dailyTlsScanJob,
    jobs: services.stores.jobs,
    clock: runtime.clock,
    logger,
    run: async () => {
      for (const o of await scanAllScheduledEndpoints(services)) {
        if (o.error !== undefined) logger.error({ err: o.error, organizationId: o.organizationId }, 'TLS scans failed');
        else
          logger.info({ organizationId: o.organizationId, scanned: o.outcome?.results.length }, 'TLS scans finished');
      }
    },
  });
  // Directions A37.7: the failed logins of each day are analysed once, by one instance of several.
  const dailyAnalysis = createDailyJobScheduler({
    job: 'monitoring-daily',
    jobs: services.stores.jobs,
    clock: runtime.clock,
    logger,
    run: async () => {
      for (const o of await analyseDueDays({ ...services, clock: runtime.clock })) {
        if (o.generated.length > 0) logger.info(o, 'daily failed-login analysis written');
      }
    },
  });
  // Directions A38.2: logins and locks notify the account owner through the outbox; the file sink is the embedded default.
  const notifications = createNotificationServices(handle, runtime.clock, {
    fileDir: defaultNotificationDir(config.dataDir),
    fileFallback: config.database.kind === 'sqlite',
    audit: services.audit,
    ...(config.notifications.smtp === undefined ? {} : { smtp: config.notifications.smtp }),
    ...(config.notifications.webhookSecret === undefined ? {} : { webhookSecret: config.notifications.webhookSecret }),
  });
  const notificationScheduler = createNotificationScheduler({
    dispatcher: notifications.dispatcher,
    logger,
    batchSize: 50,
  });
  const gateway =
    config.role === 'console'
      ? undefined
      : {
          ...createGatewayServices(handle, runtime.secrets, runtime.clock, config.gateway, {
            events: notifications.identityEvents,
          }),
          channels: notifications.channels,
        };
  // Directions A35, A38.2: signed orders at the gateway; each accepted order queues the owner's trade notification.
  const orders =
    gateway === undefined
      ? undefined
      : createOrderGatewayServices(handle, runtime.secrets, runtime.clock, {
          verification: runtime.orderVerification,
          outbox: notifications.outbox,
          skewSeconds: config.orders.skewSeconds,
        });
  const app = await buildApp({
    services,
    ...(gateway === undefined ? {} : { gateway }),
    ...(orders === undefined ? {} : { orders }),
    approvedCas: runtime.orders.approvedCas,
    readiness: () => checkReadiness(handle),
    apiToken: runtime.secrets.apiToken,
    consoleAuth: runtime.consoleAuth,
    webDir: fileURLToPath(new URL('../../web/dist', import.meta.url)),
    metrics,
    clock: runtime.clock,
    scheduledScans: config.scheduledScans,
    rateLimitPerMinute: config.rateLimitPerMinute,
    trustProxy: config.trustProxy,
    ...(tls === null ? {} : { https: gatewayTlsOptions(tls.material) }),
    logger,
  });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    app
      .close()
      .then(() => scheduler.stop())
      .then(() => tlsScans.stop())
      .then(() => dailyAnalysis.stop())
      .then(() => notificationScheduler.stop())
      .then(() => runtime.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const address = await app.listen({ host: config.host, port: config.port });
  scheduler.start();
  notificationScheduler.start();
  if (config.scheduledScans) tlsScans.start();
  dailyAnalysis.start();
  const tokenSource = config.givenSecrets.apiToken ? 'NTG_API_TOKEN' : `"apiToken" in ${secretsFilePath(config)}`;
  logger.info(
    {
      address,
      role: config.role,
      apiDocs: `${address}/api/docs`,
      tls: tls === null ? null : tls.certificate.sha256Fingerprint,
    },
    'NewTech Guard is listening',
  );
  logger.info(`API token for /api/v1/organizations…: ${tokenSource}`);
  if (tls !== null) printTlsCertificate(tls);
  await printSetupLink(runtime.consoleAuth, address);
}

/**
 * The fingerprint of the certificate served, so that a person can compare it with what the browser or the trading
 * app shows before trusting a generated certificate (it is public: log and terminal both).
 */
function printTlsCertificate(tls: ResolvedTls): void {
  const { certificate } = tls;
  const origin =
    tls.source === 'generated' ? (tls.generated ? 'generated now' : 'generated earlier') : 'from NTG_TLS_CERT_FILE';
  process.stdout.write(
    `\nTLS certificate (${origin}, ${certificate.key}, until ${certificate.notAfter}): ${tls.certFile}\n` +
      `  SHA-256 fingerprint ${certificate.sha256Fingerprint}\n`,
  );
}

/**
 * No default account and no default password: while no administrator exists, each start prints a one-time link
 * (valid an hour) to the terminal only, never to the log, since it is a credential.
 */
async function printSetupLink(consoleAuth: ConsoleAuthService, address: string): Promise<void> {
  try {
    const link = await consoleAuth.createSetupLink({ actor: { type: 'system', id: 'first-run' }, source: null });
    process.stdout.write(
      `\nNo administrator yet. Open this one-time link to create the first one (valid until ${link.expiresAt}):\n` +
        `  ${address}${link.path}\n` +
        'Or run `ntg users create-admin` for a new link.\n\n',
    );
  } catch (error) {
    if (!(isAppError(error) && error.code === 'CONFLICT')) throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof IdentityPolicyError) {
    console.error(`ntg: ${error.message}`);
    process.exit(2);
  }
  console.error('ntg: failed to start:', error);
  process.exit(1);
});
