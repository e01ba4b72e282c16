import { checkReadiness } from '@ntg/db';
import type { TestDatabase, TestDatabaseKind } from '@ntg/db/testing';
import { createFakeClock, type FakeClock } from '@ntg/test-kit';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { buildApp } from '../src/app.ts';
import { createServices, type Services } from '../src/wiring/services.ts';

export const testToken = 'test-token-0123456789abcdef0123456789abcdef';
export const auth = { authorization: `Bearer ${testToken}` };

export interface TestApp {
  app: FastifyInstance;
  clock: FakeClock;
  services: Services;
  db: TestDatabase;
  close(): Promise<void>;
}

/** The real application over a fresh database of the given kind, for `inject` tests. */
export async function createTestApp(kind: TestDatabaseKind): Promise<TestApp> {
  const db = await kind.create();
  const clock = createFakeClock();
  const services = createServices(db.handle, { auditKey: Buffer.alloc(32, 3) }, clock);
  const app = await buildApp({
    services,
    readiness: () => checkReadiness(db.handle),
    apiToken: testToken,
    metrics: new Registry(),
    clock,
  });
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
