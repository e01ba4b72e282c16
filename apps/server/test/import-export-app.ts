import swagger from '@fastify/swagger';
import { allAttestationSpecs } from '@ntg/core';
import { createUnitOfWork } from '@ntg/db';
import type { TestDatabase, TestDatabaseKind } from '@ntg/db/testing';
import { createFakeClock, type FakeClock } from '@ntg/test-kit';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { createApiTokenGuard } from '../src/http/api-token-guard.ts';
import { installErrorHandling } from '../src/http/error-handler.ts';
import { importExportRoutes } from '../src/routes/import-export-routes.ts';
import { organizationRoutes } from '../src/routes/organization-routes.ts';
import { registerRoutes } from '../src/routes/register-routes.ts';
import { createImportExportServices, type ImportExportServices } from '../src/wiring/import-export-services.ts';
import { createServices, type Services } from '../src/wiring/services.ts';
import { auth, testToken } from './test-app.ts';

export { auth };

export interface ImportExportTestApp {
  app: FastifyInstance;
  clock: FakeClock;
  services: Services & ImportExportServices;
  db: TestDatabase;
  close(): Promise<void>;
}

/**
 * The server's services over a fresh database of the given kind, with the import/export services wired as
 * services.ts will wire them, and an app with the routes these tests need (built as app.ts builds it: zod
 * compilers, the error handler, the API token in front). Register routes are included so a clash between
 * `…/registers/mobile-devices/export.csv` and `…/registers/mobile-devices/:id` would show.
 */
export async function createImportExportTestApp(
  kind: TestDatabaseKind,
  now = '2026-11-28T02:00:00.000Z',
): Promise<ImportExportTestApp> {
  const db = await kind.create();
  const clock = createFakeClock(now);
  const base = createServices(db.handle, { auditKey: Buffer.alloc(32, 3) }, clock);
  const services = {
    ...base,
    ...createImportExportServices({
      uow: createUnitOfWork(db.handle),
      stores: base.stores,
      organizations: base.organizations,
      audit: base.audit,
      clock,
      listener: base.changes,
      attestationSpecs: allAttestationSpecs,
    }),
  };
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  await app.register(swagger, {
    openapi: {
      info: { title: 'test', version: '0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  const requireApiToken = createApiTokenGuard(testToken);
  const protectedRoutes: FastifyPluginAsync = async (scope) => {
    scope.addHook('onRequest', requireApiToken);
    await scope.register(organizationRoutes({ organizations: services.organizations, catalog: services.catalog }));
    await scope.register(registerRoutes({ organizations: services.organizations, registers: services.registers }));
    await scope.register(
      importExportRoutes({
        organizations: services.organizations,
        bundles: services.bundles,
        registerCsv: services.registerCsv,
      }),
    );
  };
  await app.register(protectedRoutes);
  await app.ready();
  return {
    app,
    clock,
    services,
    db,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
