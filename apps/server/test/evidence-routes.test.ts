import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import swagger from '@fastify/swagger';
import { evidenceContentTypes } from '@ntg/contracts';
import {
  type AuditStore,
  createAuditTrail,
  createEvidenceService,
  createOrganizationService,
  type EvidenceStore,
  type UnitOfWork,
} from '@ntg/core';
import {
  createDatabaseBlobStore,
  createEvidenceStore,
  createFileBlobStore,
  createStores,
  createUnitOfWork,
  type Stores,
} from '@ntg/db';
import { type TestDatabase, testDatabaseKinds } from '@ntg/db/testing';
import { createFakeClock, testActor } from '@ntg/test-kit';
import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../src/http/error-handler.ts';
import { evidenceRoutes } from '../src/routes/evidence-routes.ts';

const maxBytes = 64 * 1024;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const pdf = Buffer.from(
  '%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
    'trailer << /Root 1 0 R >>\n%%EOF\n',
);
const png = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
]);

interface EvidenceView {
  id: string;
  sha256: string;
  filename: string;
  size: number;
  contentType: string;
  collectedBy: string;
  links: { targetType: string; targetId: string }[];
}

describe.each(testDatabaseKinds())('evidence API on $name', (kind) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let stores: Stores;
  /** The folder of the file blob store (SQLite); null where blobs live in the database (PostgreSQL). */
  let blobDir: string | null = null;
  let orgId = '';

  beforeAll(async () => {
    db = await kind.create();
    const clock = createFakeClock('2026-05-20T02:00:00.000Z');
    const audit = createAuditTrail({ clock, auditKey: Buffer.alloc(32, 3) });
    stores = createStores(db.handle.db, db.handle.dialect);
    const organizations = createOrganizationService({
      uow: createUnitOfWork(db.handle),
      organizations: stores.organizations,
      audit,
      clock,
    });
    orgId = (await organizations.create(testActor, { slug: 'gamma-securities', name: '丙證券', profile: {} })).id;
    blobDir = kind.name === 'sqlite' ? mkdtempSync(join(tmpdir(), 'ntg-evidence-')) : null;
    const uow: UnitOfWork<{ evidence: EvidenceStore; audit: AuditStore }> = {
      run: (work) =>
        db.handle.dialect.withWriteTransaction(db.handle.db, (trx) =>
          work({ ...createStores(trx, db.handle.dialect), evidence: createEvidenceStore(trx) }),
        ),
    };
    const evidence = createEvidenceService({
      uow,
      evidence: createEvidenceStore(db.handle.db),
      blobs: blobDir === null ? createDatabaseBlobStore(db.handle.db) : createFileBlobStore(blobDir),
      audit,
      clock,
      maxBytes,
    });

    // The setup lines of buildApp that these routes need.
    const fastify = Fastify({ logger: false, bodyLimit: 1024 * 1024 }).withTypeProvider<ZodTypeProvider>();
    fastify.setValidatorCompiler(validatorCompiler);
    fastify.setSerializerCompiler(serializerCompiler);
    installErrorHandling(fastify);
    await fastify.register(swagger, {
      openapi: {
        info: { title: 'test', version: '0' },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      },
      transform: jsonSchemaTransform,
    });
    await fastify.register(evidenceRoutes({ organizations, evidence }));
    await fastify.ready();
    app = fastify;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
    if (blobDir !== null) rmSync(blobDir, { recursive: true, force: true });
  });

  function upload(
    bytes: Buffer | string,
    contentType: string | undefined,
    query: Record<string, string | string[]>,
    org = 'gamma-securities',
  ) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) for (const one of [v].flat()) qs.append(k, one);
    return app.inject({
      method: 'POST',
      url: `/api/v1/organizations/${org}/evidence?${qs.toString()}`,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
      payload: bytes,
    });
  }

  async function blobCount(): Promise<number> {
    if (blobDir !== null) {
      return readdirSync(blobDir).flatMap((d) => readdirSync(join(blobDir ?? '', d))).length;
    }
    const rows = await db.handle.db.selectFrom('evidence_blobs').select('sha256').execute();
    return rows.length;
  }

  async function tamper(digest: string, bytes: Buffer): Promise<void> {
    if (blobDir !== null) writeFileSync(join(blobDir, digest.slice(0, 2), digest.slice(2)), bytes);
    else
      await db.handle.db.updateTable('evidence_blobs').set({ content: bytes }).where('sha256', '=', digest).execute();
  }

  describe('upload and download', () => {
    it('answers 201 with the SHA-256 of the bytes, and serves the same bytes back', async () => {
      const res = await upload(pdf, 'application/pdf', {
        filename: 'cloud-audit-2026.pdf',
        effectiveDate: '2026-05-01',
        expiresOn: '2027-04-30',
        description: 'A6.2 service quality report',
        link: ['node:A6.2', 'cloud-services:cld_0000000001'],
      });
      expect(res.statusCode).toBe(201);
      const e = res.json() as EvidenceView;
      expect(e).toMatchObject({
        id: expect.stringMatching(/^evd_/),
        sha256: sha256(pdf),
        size: pdf.length,
        contentType: 'application/pdf',
        collectedBy: 'api-token',
        links: [
          { targetType: 'cloud-services', targetId: 'cld_0000000001' },
          { targetType: 'node', targetId: 'A6.2' },
        ],
      });

      const content = await app.inject({
        method: 'GET',
        url: `/api/v1/organizations/${orgId}/evidence/${e.id}/content`,
      });
      expect(content.statusCode).toBe(200);
      expect(content.rawPayload).toEqual(pdf);
      expect(sha256(content.rawPayload)).toBe(e.sha256);
      expect(content.headers['content-type']).toBe('application/pdf');
      expect(content.headers.etag).toBe(`"${e.sha256}"`);
      expect(content.headers['x-content-type-options']).toBe('nosniff');
      expect(content.headers['content-disposition']).toBe(
        `attachment; filename="cloud-audit-2026.pdf"; filename*=UTF-8''cloud-audit-2026.pdf`,
      );
    });

    it('keeps a Chinese file name and sends it in RFC 5987 form', async () => {
      const filename = '雲端服務稽核報告 (2026).txt';
      const res = await upload('稽核結果：通過\n', 'text/plain; charset=utf-8', { filename });
      expect(res.statusCode).toBe(201);
      const e = res.json() as EvidenceView;
      expect(e.filename).toBe(filename);
      const content = await app.inject({
        method: 'GET',
        url: `/api/v1/organizations/gamma-securities/evidence/${e.id}/content`,
      });
      const disposition = String(content.headers['content-disposition']);
      const encoded = /filename\*=UTF-8''(\S+)$/.exec(disposition)?.[1] ?? '';
      expect(encoded).not.toMatch(/[^A-Za-z0-9%._~!$&+^`|-]/);
      expect(decodeURIComponent(encoded)).toBe(filename);
      expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; /);
      expect(content.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(content.body).toBe('稽核結果：通過\n');
    });

    it('stores the same bytes once however often they are uploaded', async () => {
      const bytes = Buffer.from('device,holder\ndev-1,王小明\n');
      const before = await blobCount();
      const a = (await upload(bytes, 'text/csv', { filename: 'a.csv' })).json() as EvidenceView;
      const b = (await upload(bytes, 'text/csv', { filename: 'b.csv' })).json() as EvidenceView;
      expect(a.sha256).toBe(b.sha256);
      expect(a.id).not.toBe(b.id);
      expect(await blobCount()).toBe(before + 1);
    });

    it('shows one piece of evidence with its links, and lists by link target', async () => {
      const e = (await upload(png, 'image/png', { filename: 'screen.png', link: 'node:A19.3' })).json() as EvidenceView;
      const one = await app.inject({ method: 'GET', url: `/api/v1/organizations/gamma-securities/evidence/${e.id}` });
      expect(one.statusCode).toBe(200);
      expect(one.json()).toMatchObject({ id: e.id, links: [{ targetType: 'node', targetId: 'A19.3' }] });
      const list = await app.inject({
        method: 'GET',
        url: '/api/v1/organizations/gamma-securities/evidence?target=node:A19.3',
      });
      expect((list.json() as { evidence: EvidenceView[] }).evidence.map((x) => x.id)).toEqual([e.id]);
      const all = await app.inject({ method: 'GET', url: '/api/v1/organizations/gamma-securities/evidence' });
      expect((all.json() as { evidence: EvidenceView[] }).evidence.length).toBeGreaterThan(1);
    });

    it('audits each upload under object type evidence', async () => {
      const e = (await upload(pdf, 'application/pdf', { filename: 'audited.pdf' })).json() as EvidenceView;
      const entries = await stores.audit.search({
        organizationId: orgId,
        objectType: 'evidence',
        objectId: e.id,
        limit: 5,
      });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        action: 'evidence.upload',
        actor: { type: 'user', id: 'api-token' },
        source: '127.0.0.1',
        details: { filename: 'audited.pdf', sha256: e.sha256 },
      });
    });
  });

  describe('refusals', () => {
    it('refuses a declared PDF that is not a PDF with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const res = await upload('<html><script>alert(1)</script></html>', 'application/pdf', { filename: 'evil.pdf' });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/not a PDF/) });
    });

    it('refuses a type outside the allowlist, and a body without a type, with 415', async () => {
      for (const type of ['image/gif', 'text/html', 'application/octet-stream', undefined]) {
        const res = await upload(pdf, type, { filename: 'x.bin' });
        expect(res.statusCode).toBe(415);
        expect(res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', requestId: expect.any(String) });
      }
    });

    it('refuses a body over the limit with 413 PAYLOAD_TOO_LARGE, and accepts one of exactly the limit', async () => {
      const exact = Buffer.concat([pdf, Buffer.alloc(maxBytes - pdf.length, 0x20)]);
      expect((await upload(exact, 'application/pdf', { filename: 'exact.pdf' })).statusCode).toBe(201);
      const res = await upload(Buffer.concat([exact, Buffer.from(' ')]), 'application/pdf', { filename: 'big.pdf' });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    });

    it('refuses an empty body with 400 VALIDATION_FAILED', async () => {
      for (const type of ['application/pdf', undefined]) {
        const res = await upload('', type, { filename: 'empty.pdf' });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/empty/) });
      }
    });

    it('answers an unknown organization with 404 ORGANIZATION_NOT_FOUND', async () => {
      const res = await upload(pdf, 'application/pdf', { filename: 'a.pdf' }, 'no-such-org');
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'ORGANIZATION_NOT_FOUND' });
      const list = await app.inject({ method: 'GET', url: '/api/v1/organizations/no-such-org/evidence' });
      expect(list.statusCode).toBe(404);
    });

    it('refuses a link to a malformed node id with 400, at upload and when linking', async () => {
      const res = await upload(pdf, 'application/pdf', { filename: 'a.pdf', link: 'node:article-12' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/node:article-12/),
      });
      const e = (await upload(pdf, 'application/pdf', { filename: 'a.pdf' })).json() as EvidenceView;
      const link = await app.inject({
        method: 'POST',
        url: `/api/v1/organizations/gamma-securities/evidence/${e.id}/links`,
        payload: { targetType: 'node', targetId: 'A12.x' },
      });
      expect(link.statusCode).toBe(400);
      expect(link.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('refuses a missing file name, a misspelt field and an impossible date with 400', async () => {
      const queries: Record<string, string>[] = [
        {},
        { filename: 'a.pdf', expires: '2026-01-01' },
        { filename: 'a.pdf', expiresOn: '2026-02-30' },
      ];
      for (const query of queries) {
        const res = await upload(pdf, 'application/pdf', query);
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      }
    });

    it('answers unknown evidence with 404 and a malformed evidence id with 400', async () => {
      const unknown = await app.inject({
        method: 'GET',
        url: '/api/v1/organizations/gamma-securities/evidence/evd_0000000000000000000000000',
      });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND' });
      const malformed = await app.inject({
        method: 'GET',
        url: '/api/v1/organizations/gamma-securities/evidence/x/content',
      });
      expect(malformed.statusCode).toBe(400);
    });

    it('refuses to serve a file altered on disk after upload, instead of serving wrong bytes', async () => {
      const bytes = Buffer.from('{"lockoutAfter":3}');
      const e = (await upload(bytes, 'application/json', { filename: 'policy.json' })).json() as EvidenceView;
      await tamper(e.sha256, Buffer.from('{"lockoutAfter":9}'));
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/organizations/gamma-securities/evidence/${e.id}/content`,
      });
      expect(res.statusCode).toBe(500);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toMatchObject({
        code: 'INTERNAL',
        message: expect.stringMatching(/no longer matches its SHA-256/),
      });
      expect(res.body).not.toContain('lockoutAfter":9');
      expect(res.headers.etag).toBeUndefined();
    });
  });

  describe('links', () => {
    it('links and unlinks with JSON bodies, each audited', async () => {
      const e = (await upload(pdf, 'application/pdf', { filename: 'byod.pdf' })).json() as EvidenceView;
      const url = `/api/v1/organizations/gamma-securities/evidence/${e.id}/links`;
      const target = { targetType: 'byod-agreements', targetId: 'byod_0000000001' };
      const linked = await app.inject({ method: 'POST', url, payload: target });
      expect(linked.statusCode).toBe(200);
      expect(linked.json()).toMatchObject({ links: [target] });
      const unlinked = await app.inject({ method: 'DELETE', url, payload: target });
      expect(unlinked.statusCode).toBe(200);
      expect(unlinked.json()).toMatchObject({ links: [] });
      const again = await app.inject({ method: 'DELETE', url, payload: target });
      expect(again.statusCode).toBe(404);
      const entries = await stores.audit.search({
        organizationId: orgId,
        objectType: 'evidence',
        objectId: e.id,
        limit: 10,
      });
      expect(entries.map((a) => a.action)).toEqual(['evidence.unlink', 'evidence.link', 'evidence.upload']);
    });
  });

  it('describes every evidence route in the OpenAPI document', () => {
    const doc = app.swagger() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/organizations/{org}/evidence',
        '/api/v1/organizations/{org}/evidence/{id}',
        '/api/v1/organizations/{org}/evidence/{id}/content',
        '/api/v1/organizations/{org}/evidence/{id}/links',
      ]),
    );
  });

  it('never answers an upload with a 5xx, whatever the bytes, type and metadata', async () => {
    const contentType = fc.oneof(
      fc.constantFrom(...evidenceContentTypes, 'text/plain; charset=big5', 'image/gif', 'multipart/form-data'),
      fc.stringMatching(/^[a-z]{1,10}\/[a-z0-9.+-]{1,20}(; ?[a-z]+=[a-z0-9-]+)?$/),
    );
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 512 }),
      fc.uint8Array({ maxLength: 256 }).map((b) => Uint8Array.from([0x25, 0x50, 0x44, 0x46, 0x2d, ...b])),
      fc.uint8Array({ maxLength: 256 }).map((b) => Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...b])),
      fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => Buffer.from(s)),
    );
    const query = fc.record(
      {
        filename: fc.string({ unit: 'grapheme', maxLength: 300 }),
        effectiveDate: fc.oneof(fc.constant('2026-01-31'), fc.string({ maxLength: 12 })),
        link: fc.array(fc.oneof(fc.constant('node:A12.1'), fc.string({ maxLength: 30 })), { maxLength: 3 }),
        collectedBy: fc.string({ maxLength: 20 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, query, async (bytes, type, q) => {
        const res = await upload(Buffer.from(bytes), type, q);
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode >= 400) expect(res.json()).toHaveProperty('code');
      }),
      { numRuns: 150 },
    );
  });
});
