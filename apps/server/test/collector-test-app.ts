import type { Profile } from '@ntg/contracts';
import { checkReadiness } from '@ntg/db';
import type { TestDatabase, TestDatabaseKind } from '@ntg/db/testing';
import { createFakeClock, type FakeClock, testActor } from '@ntg/test-kit';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { buildApp } from '../src/app.ts';
import type { CollectorServices } from '../src/wiring/collector-services.ts';
import { createServices, type Services } from '../src/wiring/services.ts';
import { testToken } from './test-app.ts';

export { auth, testToken } from './test-app.ts';

export interface CollectorTestApp {
  app: FastifyInstance;
  clock: FakeClock;
  services: Services;
  collectors: CollectorServices;
  db: TestDatabase;
  organization(slug: string, profile?: Partial<Profile>): Promise<string>;
  close(): Promise<void>;
}

/** The real application over a fresh database, as main.ts wires it, with a fake clock. */
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
  const { collectorRuns, nmapImport, mdmImport, appPackages, tlsScans } = services;
  const collectors: CollectorServices = { collectorRuns, nmapImport, mdmImport, appPackages, tlsScans };
  const app = await buildApp({
    services,
    ...(options.maxPackageBytes === undefined ? {} : { maxPackageBytes: options.maxPackageBytes }),
    readiness: () => checkReadiness(db.handle),
    apiToken: testToken,
    metrics: new Registry(),
    clock,
    scheduledScans: true,
  });
  await app.ready();
  return {
    app,
    clock,
    services,
    collectors,
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
