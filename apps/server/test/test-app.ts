import { checkReadiness } from '@ntg/db';
import type { TestDatabase, TestDatabaseKind } from '@ntg/db/testing';
import { createFakeClock } from '@ntg/test-kit';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { buildApp } from '../src/app.ts';
import { createServices, type Services } from '../src/wiring/services.ts';

export const testToken = 'test-token-0123456789abcdef0123456789abcdef';
export const auth = { authorization: `Bearer ${testToken}` };

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  db: TestDatabase;
  close(): Promise<void>;
}

/** The real application over a fresh database of the given kind, for `inject` tests. */
export async function createTestApp(kind: TestDatabaseKind): Promise<TestApp> {
  const db = await kind.create();
  const services = createServices(db.handle, { auditKey: Buffer.alloc(32, 3) }, createFakeClock());
  const app = await buildApp({
    catalog: services.catalog,
    organizations: services.organizations,
    registers: services.registers,
    audit: services.audit,
    auditStore: services.stores.audit,
    readiness: () => checkReadiness(db.handle),
    apiToken: testToken,
    metrics: new Registry(),
  });
  await app.ready();
  return {
    app,
    services,
    db,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
