import {
  type ApprovedCa,
  type ClientCertificate,
  emptyProfile,
  evidenceGenesisHash,
  evidenceRowHash,
  newId,
  type OrderEvidence,
} from '@ntg/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupCommitUnitOfWork } from '../group-commit.ts';
import { createStores, createUnitOfWork, type Stores } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';

const at = '2026-01-15T01:00:00.000Z';
const der = (seed: number) =>
  new Uint8Array(Array.from({ length: 300 }, (_, i) => (i === 0 ? 0x30 : (i * seed) % 256)));

describe.each(testDatabaseKinds())('order stores on $name', (kind) => {
  let t: TestDatabase;
  let stores: Stores;
  let orgId = '';
  let accountId = '';
  let sessionId = '';

  function ca(fingerprint: string, patch: Partial<ApprovedCa> = {}): ApprovedCa {
    return {
      id: newId('aca'),
      organizationId: orgId,
      name: 'Test CA',
      certificateDer: der(3),
      fingerprint,
      subject: 'CN=Test CA',
      notAfter: '2031-01-01T00:00:00.000Z',
      crlUrls: ['http://crl.example.com.tw/ca.crl'],
      ocspUrl: null,
      unknownRevocation: 'fail-closed',
      addedBy: 'usr_test',
      addedAt: at,
      removedBy: null,
      removedAt: null,
      ...patch,
    };
  }

  function evidenceRow(sequence: number, prevHash: string, nonce: string, organizationId = orgId): OrderEvidence {
    const partial: Omit<OrderEvidence, 'hash'> = {
      organizationId,
      sequence,
      orderId: newId('ord'),
      accountId,
      sessionId,
      serial: sequence,
      nonce,
      canonicalBytes: new TextEncoder().encode(`{"n":"${nonce}"}`),
      signature: { format: 'jws', value: 'aGVhZGVy..c2ln' },
      signerCertificateDer: der(7),
      signerFingerprint: 'f'.repeat(64),
      verification: { algorithm: 'jws:ES256', chain: [{ subject: 'CN=client' }] },
      acceptedAt: `2026-01-15T01:00:${String(sequence % 60).padStart(2, '0')}.000Z`,
      prevHash,
    };
    return { ...partial, hash: evidenceRowHash(partial) };
  }

  beforeAll(async () => {
    t = await kind.create();
    stores = createStores(t.handle.db, t.handle.dialect);
    orgId = newId('org');
    await stores.organizations.insert({
      id: orgId,
      slug: 'order-securities',
      name: 'Order Securities',
      kind: 'securities',
      demo: false,
      profile: emptyProfile(),
      createdAt: at,
      updatedAt: at,
    });
    accountId = newId('cla');
    await stores.identity.accounts.insert({
      id: accountId,
      organizationId: orgId,
      identifier: 'order-client',
      failedAttempts: 0,
      lockedAt: null,
      createdAt: at,
      updatedAt: at,
    });
    sessionId = newId('ses');
    await stores.identity.sessions.insert({
      id: sessionId,
      accountId,
      organizationId: orgId,
      tokenHash: 'e'.repeat(64),
      authenticatedAt: { knowledge: at },
      createdAt: at,
      lastSeenAt: at,
      expiresAt: '2026-01-15T09:00:00.000Z',
      revokedAt: null,
      orderMacKeySealed: 'v1.sealed',
    });
  });
  afterAll(async () => {
    await t.drop();
  });

  describe('approved CAs (A36.5)', () => {
    it('keeps the DER byte for byte and refuses the same fingerprint twice while approved', async () => {
      const first = ca('a'.repeat(64));
      expect(await stores.orders.approvedCas.insert(first)).toBe(true);
      expect(await stores.orders.approvedCas.insert(ca('a'.repeat(64)))).toBe(false);
      const found = await stores.orders.approvedCas.find(orgId, first.id);
      expect(found).toEqual(first);
      expect(Buffer.from(found?.certificateDer ?? []).equals(Buffer.from(first.certificateDer))).toBe(true);
    });

    it('removes softly: gone from the list, kept for re-verification, and may be approved again', async () => {
      const c = ca('b'.repeat(64), { unknownRevocation: 'fail-open' });
      await stores.orders.approvedCas.insert(c);
      expect(await stores.orders.approvedCas.markRemoved(orgId, c.id, 'usr_test', '2026-01-16T00:00:00.000Z')).toBe(
        true,
      );
      expect(await stores.orders.approvedCas.markRemoved(orgId, c.id, 'usr_test', '2026-01-16T00:00:00.000Z')).toBe(
        false,
      );
      const live = await stores.orders.approvedCas.list(orgId);
      expect(live.map((x) => x.id)).not.toContain(c.id);
      const all = await stores.orders.approvedCas.list(orgId, { includeRemoved: true });
      expect(all.find((x) => x.id === c.id)).toMatchObject({
        removedAt: '2026-01-16T00:00:00.000Z',
        removedBy: 'usr_test',
        unknownRevocation: 'fail-open',
      });
      expect(await stores.orders.approvedCas.insert(ca('b'.repeat(64)))).toBe(true);
    });
  });

  describe('client certificate bindings', () => {
    it('binds a certificate to one account at a time and finds only live bindings', async () => {
      const anchor = ca('c'.repeat(64));
      await stores.orders.approvedCas.insert(anchor);
      const binding: ClientCertificate = {
        id: newId('ccr'),
        organizationId: orgId,
        accountId,
        label: 'TWCA',
        certificateDer: der(5),
        fingerprint: '1'.repeat(64),
        subject: 'CN=client',
        issuer: 'CN=Test CA',
        serialNumber: '01',
        notAfter: '2030-01-01T00:00:00.000Z',
        approvedCaId: anchor.id,
        enrolledBy: 'api-token',
        enrolledAt: at,
        revokedBy: null,
        revokedAt: null,
      };
      expect(await stores.orders.clientCertificates.insert(binding)).toBe(true);
      expect(await stores.orders.clientCertificates.insert({ ...binding, id: newId('ccr') })).toBe(false);
      expect(await stores.orders.clientCertificates.findBound(accountId, '1'.repeat(64))).toEqual(binding);
      expect(await stores.orders.clientCertificates.markRevoked(binding.id, 'api-token', at)).toBe(true);
      expect(await stores.orders.clientCertificates.findBound(accountId, '1'.repeat(64))).toBeNull();
      expect(await stores.orders.clientCertificates.listForAccount(accountId)).toHaveLength(1);
    });
  });

  describe('order sessions (A35.2, A35.4)', () => {
    it('keeps the sealed MAC key and moves the serial forward only', async () => {
      expect(await stores.orders.sessions.sealedMacKey(sessionId)).toBe('v1.sealed');
      const advance = (id: string, serial: number) =>
        stores.orders.sessions.advanceSerials([{ sessionId: id, serial }]);
      expect(await advance(sessionId, 5)).toBe(true);
      expect(await advance(sessionId, 5)).toBe(false);
      expect(await advance(sessionId, 4)).toBe(false);
      expect(await advance(sessionId, Number.MAX_SAFE_INTEGER)).toBe(true);
      expect(await advance(newId('ses'), 1)).toBe(false);
    });

    it('moves one serial value once under twenty parallel transactions', async () => {
      const id = newId('ses');
      await stores.identity.sessions.insert({
        id,
        accountId,
        organizationId: orgId,
        tokenHash: 'd'.repeat(64),
        authenticatedAt: {},
        createdAt: at,
        lastSeenAt: at,
        expiresAt: '2026-01-15T09:00:00.000Z',
        revokedAt: null,
      });
      const uow = createUnitOfWork(t.handle);
      const moved = await Promise.all(
        Array.from({ length: 20 }, () =>
          uow.run((s) => s.orders.sessions.advanceSerials([{ sessionId: id, serial: 1 }])),
        ),
      );
      expect(moved.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('order evidence (A35.5)', () => {
    it('appends in chain order, moves the head and reads rows back byte for byte', async () => {
      const org = newId('org');
      const uow = createUnitOfWork(t.handle);
      let prev = evidenceGenesisHash(org);
      const rows: OrderEvidence[] = [];
      for (let i = 1; i <= 3; i++) {
        const row = evidenceRow(i, prev, `nonce-${org}-${i}`, org);
        rows.push(row);
        await uow.run(async (s) => {
          const head = await s.orders.evidence.lockHead(org);
          expect(head?.sequence ?? 0).toBe(i - 1);
          await s.orders.evidence.appendMany([row]);
        });
        prev = row.hash;
      }
      expect(await stores.orders.evidence.head(org)).toEqual({ sequence: 3, hash: rows[2]?.hash });
      expect(await stores.orders.evidence.page(org, 0, 10)).toEqual(rows);
      expect(await stores.orders.evidence.page(org, 1, 1)).toEqual([rows[1]]);
      expect(await stores.orders.evidence.findBySequence(org, 2)).toEqual(rows[1]);
      const ranged = await stores.orders.evidence.page(org, 0, 10, {
        from: rows[1]?.acceptedAt,
        to: rows[2]?.acceptedAt,
      });
      expect(ranged.map((r) => r.sequence)).toEqual([2]);
      expect((await stores.orders.evidence.search({ organizationId: org, limit: 2 })).map((r) => r.sequence)).toEqual([
        3, 2,
      ]);
    });

    it('A35.4: a replayed nonce is refused by the unique constraint and writes nothing', async () => {
      const org = newId('org');
      const uow = createUnitOfWork(t.handle);
      const first = evidenceRow(1, evidenceGenesisHash(org), 'same-nonce', org);
      await uow.run(async (s) => {
        await s.orders.evidence.lockHead(org);
        await s.orders.evidence.appendMany([first]);
      });
      // Even a row with another sequence, written without the head lock, cannot carry the nonce again: the insert
      // fails, and with it the transaction (the head does not move).
      const again = evidenceRow(2, first.hash, 'same-nonce', org);
      await expect(uow.run((s) => s.orders.evidence.appendMany([again]))).rejects.toThrow();
      expect(await stores.orders.evidence.head(org)).toEqual({ sequence: 1, hash: first.hash });
      expect(await stores.orders.evidence.page(org, 0, 10)).toHaveLength(1);
      // The same nonce in another organization is another nonce.
      const other = newId('org');
      await uow.run((s) =>
        s.orders.evidence.appendMany([evidenceRow(1, evidenceGenesisHash(other), 'same-nonce', other)]),
      );
      expect(await stores.orders.evidence.page(other, 0, 10)).toHaveLength(1);
    });

    it('A35.4: twenty concurrent appends of one nonce give exactly one row', async () => {
      const org = newId('org');
      // SQLite: the server's group-commit unit of work; PostgreSQL: twenty transactions on separate connections.
      const uow = createGroupCommitUnitOfWork(t.handle);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          uow.run(async (s) => {
            const head = await s.orders.evidence.lockHead(org);
            const row = evidenceRow(
              (head?.sequence ?? 0) + 1,
              head?.hash ?? evidenceGenesisHash(org),
              'contended',
              org,
            );
            await s.orders.evidence.appendMany([row]);
            return i;
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await stores.orders.evidence.page(org, 0, 100)).toHaveLength(1);
      expect((await stores.orders.evidence.head(org))?.sequence).toBe(1);
    });

    it('refuses UPDATE and DELETE of evidence rows (append-only)', async () => {
      const org = newId('org');
      await createUnitOfWork(t.handle).run((s) =>
        s.orders.evidence.appendMany([evidenceRow(1, evidenceGenesisHash(org), 'guarded', org)]),
      );
      await expect(
        t.handle.db.updateTable('order_evidence').set({ serial: 99 }).where('organization_id', '=', org).execute(),
      ).rejects.toThrow(/append-only/);
      await expect(
        t.handle.db.deleteFrom('order_evidence').where('organization_id', '=', org).execute(),
      ).rejects.toThrow(/append-only/);
    });
  });
});
