import { testDatabaseKinds } from '@ntg/db/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createTestApp, type TestApp } from './test-app.ts';

describe.each(testDatabaseKinds())('HTTP API on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('operations', () => {
    it('answers /healthz while the process is up', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
    });

    it('answers /readyz when the database is reachable and migrated', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ready', database: kind.name });
    });

    it('publishes an OpenAPI document that lists the catalog and organization routes', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
      expect(res.statusCode).toBe(200);
      const doc = res.json() as { openapi: string; paths: Record<string, unknown> };
      expect(doc.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/api/v1/catalog', '/api/v1/catalog/{id}', '/api/v1/organizations', '/readyz']),
      );
    });

    it('leads a browser at the root to the API reference', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/api/docs/');
    });

    it('serves the browsable API reference at /api/docs', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/docs/' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
    });

    it('echoes a request id on every response and in every error body', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/no/such/route' });
      expect(res.statusCode).toBe(404);
      const body = res.json() as { code: string; requestId: string };
      expect(body.code).toBe('NOT_FOUND');
      expect(body.requestId).toBe(res.headers['x-request-id']);
    });

    it('sets security headers (helmet)', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    });

    it('sets the same security headers on errors and unknown routes', async () => {
      const ok = await t.app.inject({ method: 'GET', url: '/healthz' });
      const missing = await t.app.inject({ method: 'GET', url: '/no/such/route' });
      expect(missing.statusCode).toBe(404);
      for (const name of [
        'content-security-policy',
        'strict-transport-security',
        'x-frame-options',
        'referrer-policy',
      ]) {
        expect(missing.headers[name]).toBeDefined();
        expect(missing.headers[name]).toBe(ok.headers[name]);
      }
    });
  });

  describe('catalog', () => {
    it('lists every node of the directions', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalog' });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { version: string; nodeCount: number; nodes: { id: string }[] };
      expect(body.version).toBe('2022-05-11');
      expect(body.nodes).toHaveLength(body.nodeCount);
      expect(body.nodes.map((n) => n.id)).toContain('A37.5');
    });

    it('filters by chapter', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalog?chapter=6' });
      const body = res.json() as { nodes: { chapter: { number: number } }[] };
      expect(body.nodes.length).toBeGreaterThan(0);
      expect(body.nodes.every((n) => n.chapter.number === 6)).toBe(true);
    });

    it('shows A37.5 as the lockout requirement: shall, three failed attempts', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/A37.5' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        id: 'A37.5',
        parentId: 'A37',
        article: 37,
        kind: 'requirement',
        obligation: 'shall',
        parameters: expect.arrayContaining([expect.objectContaining({ value: 3 })]),
      });
    });

    it('answers an unknown node id with 404 and CATALOG_NODE_NOT_FOUND', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/A37.99' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'CATALOG_NODE_NOT_FOUND', requestId: expect.any(String) });
    });

    it('answers a malformed node id with 400 and the rule for ids', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/article-37' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/A37\.5/) });
    });

    it('answers an unknown catalog version with 404 and CATALOG_VERSION_NOT_FOUND', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalog?version=1999-01-01' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'CATALOG_VERSION_NOT_FOUND' });
    });
  });

  describe('organizations', () => {
    it('refuses organization routes without the API token', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/organizations' });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('refuses a wrong API token, including one that shares a prefix with the right one', async () => {
      for (const token of ['wrong', 'test-token-0123456789abcdef0123456789abcdeX', '']) {
        const res = await t.app.inject({
          method: 'GET',
          url: '/api/v1/organizations',
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.statusCode).toBe(401);
      }
    });

    it('keeps metrics behind the API token', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: auth });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('ntg_http_request_duration_seconds');
    });

    it('creates an organization, audits it, and reports which nodes apply with reasons', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/organizations',
        headers: auth,
        payload: {
          slug: 'beta-futures',
          name: 'Beta Futures',
          kind: 'futures',
          profile: { offersInternetTrading: true },
        },
      });
      expect(res.statusCode).toBe(201);
      const org = res.json() as { id: string };

      const app = await t.app.inject({
        method: 'GET',
        url: `/api/v1/organizations/${org.id}/applicability`,
        headers: auth,
      });
      const results = (app.json() as { results: { nodeId: string; applicable: boolean; reason: string }[] }).results;
      const a375 = results.find((r) => r.nodeId === 'A37.5');
      expect(a375).toMatchObject({ applicable: true, reason: expect.stringMatching(/Internet/) });
      const a3 = results.find((r) => r.nodeId === 'A4.1');
      expect(a3).toMatchObject({ applicable: false, reason: expect.stringMatching(/cloud/) });

      const audit = await t.app.inject({ method: 'GET', url: `/api/v1/organizations/${org.id}/audit`, headers: auth });
      const entries = (audit.json() as { entries: Record<string, unknown>[] }).entries;
      expect(entries.map((e) => e.action)).toEqual(['organization.create']);
      expect(entries[0]).not.toHaveProperty('mac');
      expect(entries[0]?.source).toBe('127.0.0.1');
    });

    it('changes profile answers and verifies the audit chain afterwards', async () => {
      const patch = await t.app.inject({
        method: 'PATCH',
        url: '/api/v1/organizations/beta-futures/profile',
        headers: auth,
        payload: { usesCloudServices: true },
      });
      expect(patch.statusCode).toBe(200);
      expect(patch.json()).toMatchObject({ profile: { usesCloudServices: true, offersInternetTrading: true } });
      const verify = await t.app.inject({
        method: 'GET',
        url: '/api/v1/organizations/beta-futures/audit/verify',
        headers: auth,
      });
      expect(verify.json()).toMatchObject({ ok: true, entries: 2, firstBroken: null });
    });

    it('rejects a duplicate slug with 409 and leaves the existing organization unchanged', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/organizations',
        headers: auth,
        payload: { slug: 'beta-futures', name: 'Impostor' },
      });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'ORGANIZATION_SLUG_TAKEN' });
      const org = await t.app.inject({ method: 'GET', url: '/api/v1/organizations/beta-futures', headers: auth });
      expect(org.json()).toMatchObject({ name: 'Beta Futures' });
    });

    it('lists every field problem of an invalid body', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/organizations',
        headers: auth,
        payload: { slug: 'Not A Slug', name: '', extra: 1 },
      });
      expect(res.statusCode).toBe(400);
      const body = res.json() as { code: string; issues: { path: string }[] };
      expect(body.code).toBe('VALIDATION_FAILED');
      expect(body.issues.map((i) => i.path).join(' ')).toMatch(/slug/);
    });

    it('answers a body that is not JSON with 400 BAD_REQUEST', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/organizations',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: '{"slug": ',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'BAD_REQUEST' });
    });

    it('answers an oversized body with 413 PAYLOAD_TOO_LARGE', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/organizations',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: JSON.stringify({ slug: 'big', name: 'x'.repeat(2 * 1024 * 1024) }),
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    });

    it('answers an unknown organization with 404 ORGANIZATION_NOT_FOUND', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/organizations/no-such-org', headers: auth });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'ORGANIZATION_NOT_FOUND' });
    });

    it('never answers a client mistake with a 500, whatever the body', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (payload) => {
          const res = await t.app.inject({
            method: 'POST',
            url: '/api/v1/organizations',
            headers: { ...auth, 'content-type': 'application/json' },
            payload: JSON.stringify(payload),
          });
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode >= 400) expect(res.json()).toHaveProperty('requestId');
        }),
        { numRuns: 60 },
      );
    });
  });
});
