import type { Profile } from '@ntg/contracts';
import { checkReadiness, createUnitOfWork } from '@ntg/db';
import type { TestDatabase, TestDatabaseKind } from '@ntg/db/testing';
import { createFakeClock, type FakeClock, testActor } from '@ntg/test-kit';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Registry } from 'prom-client';
import { buildApp } from '../src/app.ts';
import { createApiTokenGuard } from '../src/http/api-token-guard.ts';
import { collectorRoutes } from '../src/routes/collector-routes.ts';
import { type CollectorServices, createCollectorServices } from '../src/wiring/collector-services.ts';
import { createServices, type Services } from '../src/wiring/services.ts';
import { testToken } from './test-app.ts';

export { auth, testToken } from './test-app.ts';

export interface CollectorTestApp {
  app: FastifyInstance;
  clock: FakeClock;
  services: Services;
  collectors: CollectorServices;
  /** True once the lead has wired the collectors into services.ts (and the engine runs collector checks). */
  wired: boolean;
  db: TestDatabase;
  organization(slug: string, profile?: Partial<Profile>): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real application over a fresh database, with the collector routes. Until the lead wires the collectors into
 * services.ts and app.ts, they are wired here the same way; afterwards the wired ones are used as they are.
 */
export async function createCollectorTestApp(
  kind: TestDatabaseKind,
  options: { maxPackageBytes?: number } = {},
): Promise<CollectorTestApp> {
  const db = await kind.create();
  const clock = createFakeClock('2026-06-14T02:00:00.000Z');
  const services = createServices(
    db.handle,
    { auditKey: Buffer.alloc(32, 3) },
    clock,
    options.maxPackageBytes === undefined ? {} : { maxBytes: options.maxPackageBytes },
  );
  const wiredServices = services as Services & Partial<CollectorServices>;
  const { collectorRuns, nmapImport, mdmImport, appPackages, tlsScans } = wiredServices;
  const wired =
    collectorRuns !== undefined &&
    nmapImport !== undefined &&
    mdmImport !== undefined &&
    appPackages !== undefined &&
    tlsScans !== undefined;
  const collectors: CollectorServices = wired
    ? { collectorRuns, nmapImport, mdmImport, appPackages, tlsScans }
    : createCollectorServices({
        uow: createUnitOfWork(db.handle),
        stores: services.stores,
        evidence: services.evidence,
        registers: services.registers,
        audit: services.audit,
        clock,
        listener: services.changes,
      });
  const app = await buildApp({
    services,
    ...(options.maxPackageBytes === undefined ? {} : { maxPackageBytes: options.maxPackageBytes }),
    readiness: () => checkReadiness(db.handle),
    apiToken: testToken,
    metrics: new Registry(),
    clock,
  });
  if (!app.hasRoute({ method: 'GET', url: '/api/v1/organizations/:org/collector-runs' })) {
    const guard = createApiTokenGuard(testToken);
    const routes: FastifyPluginAsync = async (scope) => {
      scope.addHook('onRequest', guard);
      await scope.register(
        collectorRoutes({
          organizations: services.organizations,
          ...collectors,
          maxEvidenceBytes: services.evidence.maxBytes,
          ...(options.maxPackageBytes === undefined ? {} : { maxPackageBytes: options.maxPackageBytes }),
        }),
      );
    };
    await app.register(routes);
  }
  await app.ready();
  return {
    app,
    clock,
    services,
    collectors,
    wired,
    db,
    async organization(slug, profile = {}) {
      return (await services.organizations.create(testActor, { slug, name: `${slug} Securities`, profile })).id;
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
