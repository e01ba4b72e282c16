import { createHash } from 'node:crypto';
import type { Evidence } from '@ntg/contracts';
import { createFakeClock, testActor } from '@ntg/test-kit';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditHead, AuditStore } from '../audit/audit-store.ts';
import { createAuditTrail } from '../audit/audit-trail.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import type { EvidenceBlobStore } from './evidence-blob-store.ts';
import { createEvidenceService, type EvidenceService } from './evidence-service.ts';
import type { EvidenceStore } from './evidence-store.ts';

interface State {
  evidence: Evidence[];
  audit: AuditEntry[];
  heads: Record<string, AuditHead>;
}

/** An evidence store over a plain state object; the unit of work below gives it a draft copy per transaction. */
function memoryEvidenceStore(read: () => State): EvidenceStore {
  const find = (org: string, id: string) => read().evidence.find((e) => e.organizationId === org && e.id === id);
  return {
    async insert(e) {
      read().evidence.push(structuredClone(e));
    },
    async findById(org, id) {
      const e = find(org, id);
      return e === undefined ? null : structuredClone(e);
    },
    async list(org, filter) {
      const t = filter?.target;
      return structuredClone(
        read()
          .evidence.filter((e) => e.organizationId === org)
          .filter(
            (e) => t === undefined || e.links.some((l) => l.targetType === t.targetType && l.targetId === t.targetId),
          )
          .reverse(),
      );
    },
    async addLink(org, id, link) {
      const e = find(org, id);
      if (e === undefined || e.links.some((l) => l.targetType === link.targetType && l.targetId === link.targetId)) {
        return false;
      }
      e.links.push({ ...link });
      return true;
    },
    async removeLink(org, id, t) {
      const e = find(org, id);
      const before = e?.links.length ?? 0;
      if (e !== undefined) e.links = e.links.filter((l) => l.targetType !== t.targetType || l.targetId !== t.targetId);
      return (e?.links.length ?? 0) < before;
    },
  };
}

function memoryAuditStore(read: () => State, failAppend: () => boolean): Pick<AuditStore, 'lockHead' | 'append'> {
  return {
    async lockHead(org) {
      return read().heads[org] ?? null;
    },
    async append(entry) {
      if (failAppend()) throw new Error('audit storage unavailable');
      read().audit.push(entry);
      read().heads[entry.organizationId] = { seq: entry.seq, hash: entry.hash };
    },
  };
}

function memoryBlobStore() {
  const blobs = new Map<string, Uint8Array>();
  let puts = 0;
  const store: EvidenceBlobStore = {
    async put(sha, bytes) {
      puts += 1;
      if (!blobs.has(sha)) blobs.set(sha, Uint8Array.from(bytes));
    },
    async get(sha) {
      return blobs.get(sha) ?? null;
    },
    async has(sha) {
      return blobs.has(sha);
    },
  };
  return { store, blobs, puts: () => puts };
}

const org = 'org_aaaaaaaaaaaaaaaaaaaaaaaaa';
const otherOrg = 'org_bbbbbbbbbbbbbbbbbbbbbbbbb';
const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('evidence service', () => {
  let state: State;
  let failAudit: boolean;
  let blobs: ReturnType<typeof memoryBlobStore>;
  let service: EvidenceService;
  const clock = createFakeClock('2026-03-10T02:00:00.000Z');

  beforeEach(() => {
    state = { evidence: [], audit: [], heads: {} };
    failAudit = false;
    blobs = memoryBlobStore();
    // Commit or roll back as a database would: the work runs on a draft that replaces the state only on success.
    const uow: UnitOfWork<{ evidence: EvidenceStore; audit: Pick<AuditStore, 'lockHead' | 'append'> }> = {
      async run(work) {
        const draft = structuredClone(state);
        const result = await work({
          evidence: memoryEvidenceStore(() => draft),
          audit: memoryAuditStore(
            () => draft,
            () => failAudit,
          ),
        });
        state = draft;
        return result;
      },
    };
    service = createEvidenceService({
      uow,
      evidence: memoryEvidenceStore(() => state),
      blobs: blobs.store,
      audit: createAuditTrail({ clock, auditKey: Buffer.alloc(32, 5) }),
      clock,
      maxBytes: 1024,
    });
  });

  const upload = (overrides: Partial<Parameters<EvidenceService['upload']>[2]> = {}) =>
    service.upload(testActor, org, {
      filename: 'policy.pdf',
      contentType: 'application/pdf',
      bytes: pdf,
      ...overrides,
    });

  describe('upload', () => {
    it('stores the file under its SHA-256 (test vector: "abc")', async () => {
      const e = await upload({ filename: 'abc.txt', contentType: 'text/plain', bytes: Buffer.from('abc') });
      expect(e.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(e).toMatchObject({ id: expect.stringMatching(/^evd_/), size: 3, contentType: 'text/plain' });
      expect(blobs.blobs.get(e.sha256)).toEqual(Uint8Array.from(Buffer.from('abc')));
    });

    it('records the metadata, its links and the audit entry in one unit of work', async () => {
      const e = await upload({
        effectiveDate: '2026-01-01',
        expiresOn: '2026-12-31',
        description: '社群媒體使用政策 (A12.1)',
        links: [
          { targetType: 'node', targetId: 'A12.1' },
          { targetType: 'social-media-policies', targetId: 'smp_0000000001' },
        ],
      });
      expect(state.evidence).toEqual([e]);
      expect(e.links.map((l) => `${l.targetType}:${l.targetId}`)).toEqual([
        'node:A12.1',
        'social-media-policies:smp_0000000001',
      ]);
      expect(state.audit).toHaveLength(1);
      expect(state.audit[0]).toMatchObject({
        action: 'evidence.upload',
        objectType: 'evidence',
        objectId: e.id,
        actor: testActor.actor,
        details: {
          filename: 'policy.pdf',
          sha256: sha256(pdf),
          size: pdf.length,
          links: ['node:A12.1', 'social-media-policies:smp_0000000001'],
        },
      });
    });

    it('leaves no metadata behind when the audit entry cannot be written', async () => {
      failAudit = true;
      await expect(upload()).rejects.toThrow('audit storage unavailable');
      expect(state.evidence).toEqual([]);
    });

    it('keeps one blob for the same bytes uploaded twice, with two evidence records', async () => {
      const a = await upload({ filename: 'a.pdf' });
      const b = await upload({ filename: 'b.pdf' });
      expect(a.sha256).toBe(b.sha256);
      expect(a.id).not.toBe(b.id);
      expect(blobs.blobs.size).toBe(1);
      expect(state.evidence).toHaveLength(2);
    });

    it('names the uploading actor as collector unless someone else is named', async () => {
      expect((await upload()).collectedBy).toBe('usr_test');
      expect((await upload({ collectedBy: 'Information Security Dept.' })).collectedBy).toBe(
        'Information Security Dept.',
      );
    });

    it('accepts a file of exactly the limit and refuses one byte more with PAYLOAD_TOO_LARGE', async () => {
      const exact = Buffer.concat([pdf, Buffer.alloc(1024 - pdf.length, 0x20)]);
      await expect(upload({ bytes: exact })).resolves.toMatchObject({ size: 1024 });
      await expect(upload({ bytes: Buffer.concat([exact, Buffer.from(' ')]) })).rejects.toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
        message: expect.stringMatching(/is 1025 bytes; evidence files may be at most 1 KiB/),
      });
    });

    it('refuses an empty file with VALIDATION_FAILED', async () => {
      await expect(upload({ bytes: new Uint8Array(0) })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/empty/),
      });
    });

    it('refuses a declared PDF that is not a PDF and stores nothing', async () => {
      await expect(upload({ bytes: Buffer.from('MZ\x90\x00 not a pdf') })).rejects.toMatchObject({
        code: 'UNSUPPORTED_MEDIA_TYPE',
      });
      expect(blobs.puts()).toBe(0);
      expect(state.evidence).toEqual([]);
      expect(state.audit).toEqual([]);
    });

    it('refuses a malformed node id, a register that does not exist, and an expiry before the effective date', async () => {
      for (const links of [
        [{ targetType: 'node', targetId: 'article-12' }],
        [{ targetType: 'spaceships', targetId: 'dev_0000000001' }],
        [{ targetType: 'mobile-devices', targetId: '../etc/passwd' }],
      ]) {
        await expect(upload({ links: links as never })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      }
      await expect(upload({ effectiveDate: '2026-05-01', expiresOn: '2026-04-30' })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/expiresOn/),
      });
      await expect(upload({ effectiveDate: '2026-02-30' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(blobs.puts()).toBe(0);
    });

    it('refuses file names with path separators or control characters', async () => {
      for (const filename of ['../secret.pdf', 'a\\b.pdf', 'bad\r\nname.pdf', '', '..']) {
        await expect(upload({ filename })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      }
      await expect(upload({ filename: '雲端稽核報告 2026.pdf' })).resolves.toMatchObject({
        filename: '雲端稽核報告 2026.pdf',
      });
    });
  });

  describe('reading', () => {
    it('returns the bytes after checking them against the stored SHA-256', async () => {
      const e = await upload();
      const { evidence, bytes } = await service.content(org, e.id);
      expect(evidence).toEqual(e);
      expect(Buffer.from(bytes)).toEqual(pdf);
    });

    it('refuses to serve bytes that were altered after upload', async () => {
      const e = await upload();
      const tampered = Buffer.from(pdf);
      tampered[10] = 0x58;
      blobs.blobs.set(e.sha256, tampered);
      await expect(service.content(org, e.id)).rejects.toMatchObject({
        code: 'INTERNAL',
        message: expect.stringMatching(/no longer matches its SHA-256/),
      });
    });

    it('reports missing bytes as an internal error, not as an empty file', async () => {
      const e = await upload();
      blobs.blobs.clear();
      await expect(service.content(org, e.id)).rejects.toMatchObject({
        code: 'INTERNAL',
        message: expect.stringMatching(/missing/),
      });
    });

    it('does not find evidence of another organization', async () => {
      const e = await upload();
      await expect(service.get(otherOrg, e.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(service.content(otherOrg, e.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await service.list(otherOrg)).toEqual([]);
    });

    it('lists by organization, newest first, and by link target', async () => {
      const a = await upload({ links: [{ targetType: 'node', targetId: 'A12.1' }] });
      const b = await upload({ links: [{ targetType: 'node', targetId: 'A23' }] });
      expect((await service.list(org)).map((e) => e.id)).toEqual([b.id, a.id]);
      expect((await service.list(org, { target: { targetType: 'node', targetId: 'A12.1' } })).map((e) => e.id)).toEqual(
        [a.id],
      );
    });
  });

  describe('links', () => {
    it('links and unlinks with an audit entry each', async () => {
      const e = await upload();
      const target = { targetType: 'mobile-devices', targetId: 'dev_0000000042' } as const;
      const linked = await service.link(testActor, org, e.id, target);
      expect(linked.links).toEqual([{ ...target, createdAt: clock.now().toISOString() }]);
      const unlinked = await service.unlink(testActor, org, e.id, target);
      expect(unlinked.links).toEqual([]);
      expect(state.audit.map((a) => [a.action, a.details.target])).toEqual([
        ['evidence.upload', undefined],
        ['evidence.link', 'mobile-devices:dev_0000000042'],
        ['evidence.unlink', 'mobile-devices:dev_0000000042'],
      ]);
    });

    it('records nothing when a link already exists', async () => {
      const e = await upload({ links: [{ targetType: 'node', targetId: 'A12.1' }] });
      const again = await service.link(testActor, org, e.id, { targetType: 'node', targetId: 'A12.1' });
      expect(again.links).toHaveLength(1);
      expect(state.audit).toHaveLength(1);
    });

    it('refuses to unlink a link that does not exist, and to link unknown evidence', async () => {
      const e = await upload();
      await expect(
        service.unlink(testActor, org, e.id, { targetType: 'node', targetId: 'A12.1' }),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/not linked to node:A12\.1/),
      });
      await expect(
        service.link(testActor, org, 'evd_0000000000000000000000000', { targetType: 'node', targetId: 'A12.1' }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(service.link(testActor, org, e.id, { targetType: 'node', targetId: 'A12.x' })).rejects.toMatchObject(
        { code: 'VALIDATION_FAILED' },
      );
    });
  });

  describe('verify', () => {
    it('re-hashes every stored file and names the altered and the missing ones', async () => {
      const good = await upload({ filename: 'good.pdf' });
      const altered = await upload({ filename: 'altered.txt', contentType: 'text/plain', bytes: Buffer.from('v1') });
      const missing = await upload({ filename: 'missing.txt', contentType: 'text/plain', bytes: Buffer.from('v2') });
      expect(await service.verify(org)).toMatchObject({ ok: true, evidence: 3, blobs: 3, failures: [] });
      blobs.blobs.set(altered.sha256, Buffer.from('v9'));
      blobs.blobs.delete(missing.sha256);
      const result = await service.verify(org);
      expect(result.ok).toBe(false);
      expect(result.failures).toEqual(
        expect.arrayContaining([
          { sha256: altered.sha256, problem: 'altered', evidenceIds: [altered.id], filenames: ['altered.txt'] },
          { sha256: missing.sha256, problem: 'missing', evidenceIds: [missing.id], filenames: ['missing.txt'] },
        ]),
      );
      expect(result.failures.map((f) => f.sha256)).not.toContain(good.sha256);
    });
  });

  describe('evidence index for rules', () => {
    it('shows evidence that is in force today and hides expired and not-yet-effective evidence', async () => {
      const node = [{ targetType: 'node', targetId: 'A12.1' }] as const;
      const expired = await upload({ filename: 'expired.pdf', expiresOn: '2026-03-09', links: [...node] });
      const lastDay = await upload({ filename: 'last-day.pdf', expiresOn: '2026-03-10', links: [...node] });
      const future = await upload({ filename: 'future.pdf', effectiveDate: '2026-03-11', links: [...node] });
      const fromToday = await upload({ filename: 'today.pdf', effectiveDate: '2026-03-10', links: [...node] });
      const index = await service.evidenceIndex(org, '2026-03-10');
      const ids = index.forNode('A12.1').map((s) => s.id);
      expect(ids).toEqual(expect.arrayContaining([lastDay.id, fromToday.id]));
      expect(ids).not.toContain(expired.id);
      expect(ids).not.toContain(future.id);
      expect(index.forNode('A12.1')[0]).toEqual({
        id: fromToday.id,
        sha256: fromToday.sha256,
        filename: 'today.pdf',
        effectiveDate: '2026-03-10',
        expiresOn: null,
        collectedBy: 'usr_test',
      });
      expect(index.forNode('A23')).toEqual([]);
    });

    it('indexes evidence by register record', async () => {
      const e = await upload({ links: [{ targetType: 'mobile-devices', targetId: 'dev_0000000007' }] });
      const index = await service.evidenceIndex(org, '2026-03-10');
      expect(index.forRecord('mobile-devices', 'dev_0000000007').map((s) => s.id)).toEqual([e.id]);
      expect(index.forRecord('iot-devices', 'dev_0000000007')).toEqual([]);
      expect(index.forNode('dev_0000000007')).toEqual([]);
    });

    it('refuses a day that is not a date', async () => {
      await expect(service.evidenceIndex(org, '10/03/2026')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
});
