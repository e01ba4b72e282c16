import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditStore,
  createAuditTrail,
  createEvidenceService,
  createOrganizationService,
  type EvidenceService,
  type EvidenceStore,
  type UnitOfWork,
} from '@ntg/core';
import { createFakeClock, testActor } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores, createUnitOfWork, type Stores } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';
import { createDatabaseBlobStore, createFileBlobStore } from './evidence-blob-stores.ts';
import { createEvidenceStore } from './evidence-store.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n');

describe.each(testDatabaseKinds())('evidence store on $name', (kind) => {
  let t: TestDatabase;
  let stores: Stores;
  let evidenceStore: EvidenceStore;
  let service: EvidenceService;
  let org = '';
  let otherOrg = '';
  const clock = createFakeClock('2026-04-01T03:00:00.000Z');
  const audit = createAuditTrail({ clock, auditKey: Buffer.alloc(32, 4) });

  beforeAll(async () => {
    t = await kind.create();
    stores = createStores(t.handle.db, t.handle.dialect);
    evidenceStore = createEvidenceStore(t.handle.db);
    const organizations = createOrganizationService({
      uow: createUnitOfWork(t.handle),
      organizations: stores.organizations,
      audit,
      clock,
    });
    org = (await organizations.create(testActor, { slug: 'evidence-co', name: '證據證券', profile: {} })).id;
    otherOrg = (await organizations.create(testActor, { slug: 'other-co', name: 'Other', profile: {} })).id;
    // The evidence store joins the other stores of one write transaction, as createStores will once it is wired.
    const uow: UnitOfWork<{ evidence: EvidenceStore; audit: AuditStore }> = {
      run: (work) =>
        t.handle.dialect.withWriteTransaction(t.handle.db, (trx) =>
          work({ ...createStores(trx, t.handle.dialect), evidence: createEvidenceStore(trx) }),
        ),
    };
    service = createEvidenceService({
      uow,
      evidence: evidenceStore,
      blobs: createDatabaseBlobStore(t.handle.db),
      audit,
      clock,
      maxBytes: 1024 * 1024,
    });
  });
  afterAll(async () => {
    await t.drop();
  });

  it('stores metadata with its links and reads it back as it was written', async () => {
    const e = await service.upload(testActor, org, {
      filename: '行動裝置管理辦法 v2.pdf',
      contentType: 'application/pdf',
      bytes: pdf,
      description: 'A17.1 lifecycle regulation',
      effectiveDate: '2026-01-01',
      expiresOn: '2026-12-31',
      collectedBy: '資訊安全部',
      links: [
        { targetType: 'node', targetId: 'A17.1' },
        { targetType: 'procedures', targetId: 'prc_0000000001' },
      ],
    });
    expect(await evidenceStore.findById(org, e.id)).toEqual(e);
    expect(e).toMatchObject({
      organizationId: org,
      sha256: sha256(pdf),
      size: pdf.length,
      contentType: 'application/pdf',
      filename: '行動裝置管理辦法 v2.pdf',
      collectedBy: '資訊安全部',
    });
  });

  it('audits the upload in the same transaction, and the chain still verifies', async () => {
    const e = await service.upload(testActor, org, {
      filename: 'x.txt',
      contentType: 'text/plain',
      bytes: Buffer.from('x'),
    });
    const entries = await stores.audit.search({
      organizationId: org,
      objectType: 'evidence',
      objectId: e.id,
      limit: 5,
    });
    expect(entries.map((a) => a.action)).toEqual(['evidence.upload']);
    expect(entries[0]?.details).toMatchObject({ sha256: e.sha256, filename: 'x.txt', size: 1 });
    expect(await audit.verify(stores.audit, org)).toMatchObject({ ok: true });
  });

  it('rolls back the metadata and its links when the transaction fails after inserting them', async () => {
    const id = 'evd_rolledback000000000000000';
    const failing = t.handle.dialect.withWriteTransaction(t.handle.db, async (trx) => {
      await createEvidenceStore(trx).insert({
        id,
        organizationId: org,
        sha256: sha256(pdf),
        filename: 'never.pdf',
        contentType: 'application/pdf',
        size: pdf.length,
        description: null,
        effectiveDate: null,
        expiresOn: null,
        collectedBy: 'usr_test',
        createdAt: clock.now().toISOString(),
        links: [{ targetType: 'node', targetId: 'A4', createdAt: clock.now().toISOString() }],
      });
      throw new Error('audit failed');
    });
    await expect(failing).rejects.toThrow('audit failed');
    expect(await evidenceStore.findById(org, id)).toBeNull();
    expect(await evidenceStore.list(org, { target: { targetType: 'node', targetId: 'A4' } })).toEqual([]);
  });

  it('lists newest first, each with its links, and filters by link target', async () => {
    clock.advance(1000);
    const a = await service.upload(testActor, org, {
      filename: 'a.csv',
      contentType: 'text/csv',
      bytes: Buffer.from('a,b\n'),
      links: [{ targetType: 'mobile-devices', targetId: 'dev_0000000001' }],
    });
    clock.advance(1000);
    const b = await service.upload(testActor, org, {
      filename: 'b.csv',
      contentType: 'text/csv',
      bytes: Buffer.from('c,d\n'),
      links: [
        { targetType: 'mobile-devices', targetId: 'dev_0000000001' },
        { targetType: 'node', targetId: 'A16' },
      ],
    });
    const all = await evidenceStore.list(org);
    expect(all.slice(0, 2).map((e) => e.id)).toEqual([b.id, a.id]);
    const forDevice = await evidenceStore.list(org, {
      target: { targetType: 'mobile-devices', targetId: 'dev_0000000001' },
    });
    expect(forDevice.map((e) => e.id)).toEqual([b.id, a.id]);
    // The filter picks evidence; each still shows all of its links.
    expect(forDevice[0]?.links.map((l) => l.targetId)).toEqual(expect.arrayContaining(['dev_0000000001', 'A16']));
    const forNode = await evidenceStore.list(org, { target: { targetType: 'node', targetId: 'A16' } });
    expect(forNode.map((e) => e.id)).toEqual([b.id]);
    expect(await evidenceStore.list(org, { target: { targetType: 'node', targetId: 'A99' } })).toEqual([]);
  });

  it('adds a link once and removes it once, reporting whether anything changed', async () => {
    const e = (await evidenceStore.list(org))[0];
    if (e === undefined) throw new Error('no evidence');
    const link = {
      targetType: 'iot-devices',
      targetId: 'iot_0000000009',
      createdAt: clock.now().toISOString(),
    } as const;
    expect(await evidenceStore.addLink(org, e.id, link)).toBe(true);
    expect(await evidenceStore.addLink(org, e.id, link)).toBe(false);
    expect((await evidenceStore.findById(org, e.id))?.links).toContainEqual(link);
    expect(await evidenceStore.removeLink(org, e.id, link)).toBe(true);
    expect(await evidenceStore.removeLink(org, e.id, link)).toBe(false);
    expect((await evidenceStore.findById(org, e.id))?.links).not.toContainEqual(link);
  });

  it('keeps each organization to its own evidence', async () => {
    const e = (await evidenceStore.list(org))[0];
    if (e === undefined) throw new Error('no evidence');
    expect(await evidenceStore.findById(otherOrg, e.id)).toBeNull();
    expect(await evidenceStore.list(otherOrg)).toEqual([]);
    expect(await evidenceStore.removeLink(otherOrg, e.id, { targetType: 'node', targetId: 'A17.1' })).toBe(false);
  });

  it('stores the same bytes once in evidence_blobs and serves them back unchanged', async () => {
    const bytes = Buffer.from('{"same":"content"}');
    const first = await service.upload(testActor, org, {
      filename: 'one.json',
      contentType: 'application/json',
      bytes,
    });
    const second = await service.upload(testActor, otherOrg, {
      filename: 'two.json',
      contentType: 'application/json',
      bytes,
    });
    expect(first.sha256).toBe(second.sha256);
    const rows = await t.handle.db
      .selectFrom('evidence_blobs')
      .selectAll()
      .where('sha256', '=', first.sha256)
      .execute();
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]?.size)).toBe(bytes.length);
    expect(Buffer.from((await service.content(otherOrg, second.id)).bytes)).toEqual(bytes);
  });

  it('detects bytes altered in the database and names them in verification', async () => {
    const e = await service.upload(testActor, org, {
      filename: 'log.txt',
      contentType: 'text/plain',
      bytes: Buffer.from('line 1\n'),
    });
    const blobs = createDatabaseBlobStore(t.handle.db);
    expect(await blobs.has(e.sha256)).toBe(true);
    await t.handle.db
      .updateTable('evidence_blobs')
      .set({ content: Buffer.from('line X\n') })
      .where('sha256', '=', e.sha256)
      .execute();
    await expect(service.content(org, e.id)).rejects.toMatchObject({ code: 'INTERNAL' });
    const result = await service.verify(org);
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual([
      { sha256: e.sha256, problem: 'altered', evidenceIds: [e.id], filenames: ['log.txt'] },
    ]);
  });

  it('answers an unknown digest with null and refuses a key that is not a digest', async () => {
    const blobs = createDatabaseBlobStore(t.handle.db);
    expect(await blobs.get('0'.repeat(64))).toBeNull();
    expect(await blobs.has('0'.repeat(64))).toBe(false);
    await expect(blobs.get("' or 1=1 --")).rejects.toThrow(TypeError);
  });
});

describe('file blob store', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntg-blobs-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a blob to dir/ab/cdef… and reads it back', async () => {
    const store = createFileBlobStore(dir);
    const bytes = Buffer.from('abc');
    const key = sha256(bytes);
    expect(key).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    await store.put(key, bytes);
    expect(readFileSync(join(dir, 'ba', key.slice(2)))).toEqual(bytes);
    expect(Buffer.from((await store.get(key)) ?? [])).toEqual(bytes);
    expect(await store.has(key)).toBe(true);
  });

  it('leaves no temporary files, and keeps one file for the same bytes written concurrently', async () => {
    const store = createFileBlobStore(dir);
    const bytes = Buffer.alloc(256 * 1024, 7);
    const key = sha256(bytes);
    await Promise.all(Array.from({ length: 8 }, () => store.put(key, bytes)));
    expect(readdirSync(join(dir, key.slice(0, 2)))).toEqual([key.slice(2)]);
    expect(sha256(readFileSync(join(dir, key.slice(0, 2), key.slice(2))))).toBe(key);
  });

  it('replaces a stored file that no longer matches its digest when the original is written again', async () => {
    const store = createFileBlobStore(dir);
    const bytes = Buffer.from('original evidence');
    const key = sha256(bytes);
    await store.put(key, bytes);
    writeFileSync(join(dir, key.slice(0, 2), key.slice(2)), 'tampered');
    await store.put(key, bytes);
    expect(Buffer.from((await store.get(key)) ?? [])).toEqual(bytes);
  });

  it('answers a missing blob with null', async () => {
    const store = createFileBlobStore(dir);
    expect(await store.get('f'.repeat(64))).toBeNull();
    expect(await store.has('f'.repeat(64))).toBe(false);
  });

  it('never turns a key into a path outside its folder', async () => {
    const store = createFileBlobStore(dir);
    for (const key of ['../../etc/passwd', `${'a'.repeat(62)}/x`, 'A'.repeat(64), '']) {
      await expect(store.put(key, Buffer.from('x'))).rejects.toThrow(TypeError);
      await expect(store.get(key)).rejects.toThrow(TypeError);
    }
    expect(existsSync(join(dir, '..', 'etc'))).toBe(false);
  });
});
