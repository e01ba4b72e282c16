import type { MonitoringReport } from '@ntg/contracts';
import type { MonitoringService } from '@ntg/core';
import { checkReadiness, createUnitOfWork } from '@ntg/db';
import { type TestDatabase, testDatabaseKinds } from '@ntg/db/testing';
import { createFakeClock, testActor } from '@ntg/test-kit';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createApiTokenGuard } from '../src/http/api-token-guard.ts';
import { monitoringRoutes } from '../src/routes/monitoring-routes.ts';
import { createMonitoringServices } from '../src/wiring/monitoring-services.ts';
import { createServices, type Services } from '../src/wiring/services.ts';
import { auth, testToken } from './test-app.ts';

describe.each(testDatabaseKinds())('daily monitoring API on $name (A37.7)', (kind) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let services: Services;
  // 2026-06-15 09:00 in Taipei: yesterday is 2026-06-14.
  const clock = createFakeClock('2026-06-15T01:00:00.000Z');
  const url = '/api/v1/organizations/watch-co/monitoring/daily';

  beforeAll(async () => {
    db = await kind.create();
    services = createServices(db.handle, { auditKey: Buffer.alloc(32, 3) }, clock);
    const wired = (services as Services & { monitoring?: MonitoringService }).monitoring;
    const monitoring =
      wired ??
      createMonitoringServices({
        uow: createUnitOfWork(db.handle),
        stores: services.stores,
        audit: services.audit,
        clock,
      }).monitoring;
    app = await buildApp({
      services,
      readiness: () => checkReadiness(db.handle),
      apiToken: testToken,
      metrics: new Registry(),
      clock,
    });
    if (!app.hasRoute({ method: 'GET', url: '/api/v1/organizations/:org/monitoring/daily' })) {
      const guard = createApiTokenGuard(testToken);
      const routes: FastifyPluginAsync = async (scope) => {
        scope.addHook('onRequest', guard);
        await scope.register(monitoringRoutes({ organizations: services.organizations, monitoring }));
      };
      await app.register(routes);
    }
    await app.ready();
    const org = await services.organizations.create(testActor, { slug: 'watch-co', name: '監控證券', profile: {} });
    for (let i = 0; i < 11; i += 1) {
      await services.stores.identity.attempts.record({
        id: `lat_${i}`,
        at: `2026-06-14T03:${String(i).padStart(2, '0')}:00.000Z`,
        organizationId: org.id,
        identifier: `c${i}`,
        accountId: null,
        source: '203.0.113.7',
        purpose: 'login',
        factorKind: 'knowledge',
        outcome: 'unknown-identifier',
      });
    }
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('requires the API token', async () => {
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url, payload: {} })).statusCode).toBe(401);
  });

  it('answers 404 before a report exists for the day', async () => {
    const res = await app.inject({ method: 'GET', url: `${url}?date=2026-06-14`, headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('generates yesterday by default and serves it back', async () => {
    const created = await app.inject({ method: 'POST', url, headers: auth, payload: {} });
    expect(created.statusCode).toBe(201);
    const report = created.json() as MonitoringReport;
    expect(report.date).toBe('2026-06-14');
    expect(report.summary.counts.unknownIdentifier).toBe(11);
    expect(report.summary.patterns.map((p) => p.type)).toEqual(['credential-stuffing']);
    const read = await app.inject({ method: 'GET', url: `${url}?date=2026-06-14`, headers: auth });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(report);
  });

  it('generates a named day', async () => {
    const res = await app.inject({ method: 'POST', url, headers: auth, payload: { date: '2026-06-13' } });
    expect(res.statusCode).toBe(201);
    expect((res.json() as MonitoringReport).summary.counts.attempts).toBe(0);
  });

  it('refuses a malformed date with 400', async () => {
    const res = await app.inject({ method: 'GET', url: `${url}?date=14-06-2026`, headers: auth });
    expect(res.statusCode).toBe(400);
  });
});
