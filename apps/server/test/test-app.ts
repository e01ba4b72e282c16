import type { ConsoleAuthService } from '@ntg/core';
import { checkReadiness } from '@ntg/db';
import type { TestDatabase, TestDatabaseKind } from '@ntg/db/testing';
import { createFakeClock, type FakeClock } from '@ntg/test-kit';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { buildApp } from '../src/app.ts';
import type { Config } from '../src/config/config.ts';
import { createConsoleServices } from '../src/wiring/console-services.ts';
import { createServices, type Services } from '../src/wiring/services.ts';

export const testToken = 'test-token-0123456789abcdef0123456789abcdef';
export const auth = { authorization: `Bearer ${testToken}` };

export interface TestApp {
  app: FastifyInstance;
  clock: FakeClock;
  services: Services;
  consoleAuth: ConsoleAuthService;
  db: TestDatabase;
  close(): Promise<void>;
}

/** The real application over a fresh database of the given kind, for `inject` tests. */
export async function createTestApp(
  kind: TestDatabaseKind,
  options: {
    trustProxy?: boolean;
    signInRateLimitPerMinute?: number;
    /** Security keys as a console second factor; off unless given. */
    consoleWebauthn?: NonNullable<Config['console']['webauthn']>;
  } = {},
): Promise<TestApp> {
  const db = await kind.create();
  const clock = createFakeClock();
  const services = createServices(db.handle, { auditKey: Buffer.alloc(32, 3) }, clock);
  const consoleAuth = createConsoleServices({
    handle: db.handle,
    stores: services.stores,
    secrets: { sessionKey: Buffer.alloc(32, 5), pepper: Buffer.alloc(32, 6) },
    config: {
      gateway: { argon2: { memoryKib: 19456, iterations: 2 } },
      console: {
        idleMinutes: 30,
        sessionHours: 12,
        ...(options.consoleWebauthn === undefined ? {} : { webauthn: options.consoleWebauthn }),
      },
    },
    audit: services.audit,
    clock,
  });
  const app = await buildApp({
    services,
    consoleAuth,
    trustProxy: options.trustProxy ?? false,
    signInRateLimitPerMinute: options.signInRateLimitPerMinute ?? 10_000,
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
    consoleAuth,
    db,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
