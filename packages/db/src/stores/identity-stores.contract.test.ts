import { emptyProfile, type IdentityStores, newId } from '@ntg/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores, createUnitOfWork } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';

const at = '2026-01-15T01:00:00.000Z';

describe.each(testDatabaseKinds())('identity stores on $name', (kind) => {
  let t: TestDatabase;
  let identity: IdentityStores;
  let orgId = '';

  async function newAccount(identifier = newId('x')) {
    const id = newId('cla');
    await identity.accounts.insert({
      id,
      organizationId: orgId,
      identifier,
      failedAttempts: 0,
      lockedAt: null,
      createdAt: at,
      updatedAt: at,
    });
    return id;
  }

  beforeAll(async () => {
    t = await kind.create();
    const stores = createStores(t.handle.db, t.handle.dialect);
    identity = stores.identity;
    orgId = newId('org');
    await stores.organizations.insert({
      id: orgId,
      slug: 'identity-securities',
      name: 'Identity Securities',
      kind: 'securities',
      demo: false,
      profile: emptyProfile(),
      createdAt: at,
      updatedAt: at,
    });
  });
  afterAll(async () => {
    await t.drop();
  });

  describe('client accounts (A37.5 lockout counter)', () => {
    it('refuses a second account with the same normalized identifier in one organization', async () => {
      await newAccount('a123456789');
      await expect(newAccount('a123456789')).rejects.toThrow();
      expect((await identity.accounts.findByIdentifier(orgId, 'a123456789'))?.identifier).toBe('a123456789');
    });

    it('hands out exactly three attempt numbers to fifty parallel reservations, each once', async () => {
      const id = await newAccount();
      const uow = createUnitOfWork(t.handle);
      const results = await Promise.all(
        Array.from({ length: 50 }, () => uow.run((s) => s.identity.accounts.reserveAttempt(id, 3, at))),
      );
      expect(results.filter((n) => n !== null).sort()).toEqual([1, 2, 3]);
      expect((await identity.accounts.findById(id))?.failedAttempts).toBe(3);
    });

    it('locks only when the counter reached the threshold, and a locked account reserves nothing', async () => {
      const id = await newAccount();
      await identity.accounts.reserveAttempt(id, 3, at);
      expect(await identity.accounts.lockIfExhausted(id, 3, at)).toBe(false);
      await identity.accounts.reserveAttempt(id, 3, at);
      await identity.accounts.reserveAttempt(id, 3, at);
      expect(await identity.accounts.lockIfExhausted(id, 3, at)).toBe(true);
      expect(await identity.accounts.lockIfExhausted(id, 3, at)).toBe(false);
      expect(await identity.accounts.reserveAttempt(id, 3, at)).toBeNull();
      expect(await identity.accounts.releaseAttempt(id, at)).toBe(false);
      expect(await identity.accounts.resetAttempts(id, at)).toBe(false);
      expect((await identity.accounts.findById(id))?.lockedAt).toBe(at);
    });

    it('releases a reservation without going below zero and resets on a whole login', async () => {
      const id = await newAccount();
      expect(await identity.accounts.releaseAttempt(id, at)).toBe(true);
      expect((await identity.accounts.findById(id))?.failedAttempts).toBe(0);
      await identity.accounts.reserveAttempt(id, 3, at);
      await identity.accounts.reserveAttempt(id, 3, at);
      await identity.accounts.releaseAttempt(id, at);
      expect((await identity.accounts.findById(id))?.failedAttempts).toBe(1);
      expect(await identity.accounts.resetAttempts(id, at)).toBe(true);
      expect((await identity.accounts.findById(id))?.failedAttempts).toBe(0);
    });

    it('unlocks a locked account once and restarts its counter', async () => {
      const id = await newAccount();
      for (let i = 0; i < 3; i++) await identity.accounts.reserveAttempt(id, 3, at);
      await identity.accounts.lockIfExhausted(id, 3, at);
      expect(await identity.accounts.unlock(id, at)).toBe(true);
      expect(await identity.accounts.unlock(id, at)).toBe(false);
      expect(await identity.accounts.findById(id)).toMatchObject({ lockedAt: null, failedAttempts: 0 });
    });
  });

  describe('credentials', () => {
    it('keeps one current PIN and prunes history to the newest, never the current one', async () => {
      const accountId = await newAccount();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const current = await identity.credentials.current(accountId);
        if (current !== null) await identity.credentials.retire(current.id, at);
        const id = newId('crd');
        ids.push(id);
        // Equal timestamps on purpose: pruning must not depend on them to spare the current PIN.
        await identity.credentials.insert({
          id,
          accountId,
          kind: 'pin',
          phc: `phc-${i}`,
          createdAt: at,
          retiredAt: null,
        });
        await identity.credentials.pruneHistory(accountId, 5);
      }
      expect((await identity.credentials.current(accountId))?.id).toBe(ids[6]);
      const recent = await identity.credentials.recent(accountId, 10);
      expect(recent).toHaveLength(5);
      expect(recent.map((c) => c.id)).toContain(ids[6]);
      await identity.credentials.replaceHash(ids[6] ?? '', 'stronger');
      expect((await identity.credentials.current(accountId))?.phc).toBe('stronger');
    });
  });

  describe('TOTP devices (A35.4: each code once)', () => {
    it('accepts a time step once, refuses it and any earlier one afterwards, and one of parallel claims', async () => {
      const accountId = await newAccount();
      const id = newId('tot');
      await identity.totpDevices.insert({
        id,
        accountId,
        label: 'phone',
        sealedSeed: 'v1.x.y.z',
        lastStep: null,
        createdAt: at,
      });
      expect(await identity.totpDevices.claimStep(id, 1000)).toBe(true);
      expect(await identity.totpDevices.claimStep(id, 1000)).toBe(false);
      expect(await identity.totpDevices.claimStep(id, 999)).toBe(false);
      const uow = createUnitOfWork(t.handle);
      const claims = await Promise.all(
        Array.from({ length: 10 }, () => uow.run((s) => s.identity.totpDevices.claimStep(id, 1001))),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect((await identity.totpDevices.listForAccount(accountId))[0]?.lastStep).toBe(1001);
    });
  });

  describe('device keys', () => {
    it('stores the public key and the biometric flag and reads them back', async () => {
      const accountId = await newAccount();
      const id = newId('dvk');
      const publicKey = { kty: 'EC' as const, crv: 'P-256' as const, x: 'a'.repeat(43), y: 'b'.repeat(43) };
      await identity.deviceKeys.insert({
        id,
        accountId,
        label: 'app',
        publicKey,
        biometricGated: true,
        authenticatorType: 'ios-secure-enclave',
        createdAt: at,
      });
      expect(await identity.deviceKeys.find(id)).toMatchObject({ publicKey, biometricGated: true, accountId });
      expect(await identity.deviceKeys.listForAccount(accountId)).toHaveLength(1);
    });
  });

  describe('challenges', () => {
    it('can be taken once, even by parallel requests', async () => {
      const id = newId('chl');
      await identity.challenges.insert({
        id,
        purpose: 'login',
        organizationId: orgId,
        identifier: 'someone',
        accountId: null,
        sessionId: null,
        nonce: 'n',
        satisfied: { knowledge: at },
        usedCredentialIds: ['crd_1'],
        createdAt: at,
        expiresAt: '2026-01-15T01:02:00.000Z',
      });
      const uow = createUnitOfWork(t.handle);
      const taken = await Promise.all(Array.from({ length: 10 }, () => uow.run((s) => s.identity.challenges.take(id))));
      const winners = taken.filter((c) => c !== null);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({ satisfied: { knowledge: at }, usedCredentialIds: ['crd_1'] });
    });

    it('purges expired challenges', async () => {
      await identity.challenges.insert({
        id: newId('chl'),
        purpose: 'login',
        organizationId: null,
        identifier: 'x',
        accountId: null,
        sessionId: null,
        nonce: 'n',
        satisfied: {},
        usedCredentialIds: [],
        createdAt: at,
        expiresAt: '2026-01-15T01:00:10.000Z',
      });
      expect(await identity.challenges.purgeExpired('2026-01-15T02:00:00.000Z')).toBeGreaterThanOrEqual(1);
    });
  });

  describe('sessions', () => {
    it('is found by token hash with its account state, and ends with the account lock', async () => {
      const accountId = await newAccount('session-owner');
      const id = newId('ses');
      await identity.sessions.insert({
        id,
        accountId,
        organizationId: orgId,
        tokenHash: 'f'.repeat(64),
        authenticatedAt: { knowledge: at, possession: at },
        createdAt: at,
        lastSeenAt: at,
        expiresAt: '2026-01-15T09:00:00.000Z',
        revokedAt: null,
      });
      expect(await identity.sessions.findByTokenHash('f'.repeat(64))).toMatchObject({
        id,
        identifier: 'session-owner',
        accountLockedAt: null,
        authenticatedAt: { knowledge: at, possession: at },
      });
      await identity.sessions.setAuthenticatedAt(id, { possession: '2026-01-15T01:05:00.000Z' });
      await identity.sessions.touch(id, '2026-01-15T01:05:00.000Z');
      expect(await identity.sessions.findByTokenHash('f'.repeat(64))).toMatchObject({
        lastSeenAt: '2026-01-15T01:05:00.000Z',
        authenticatedAt: { possession: '2026-01-15T01:05:00.000Z' },
      });
      expect(await identity.sessions.revokeAllForAccount(accountId, at)).toBe(1);
      expect((await identity.sessions.findByTokenHash('f'.repeat(64)))?.revokedAt).toBe(at);
      expect(await identity.sessions.findByTokenHash('0'.repeat(64))).toBeNull();
    });
  });

  describe('login attempts (A37.7)', () => {
    it('records attempts on clients and non-clients and lists them newest first by filter', async () => {
      const accountId = await newAccount();
      const base = {
        organizationId: orgId,
        source: '203.0.113.9',
        purpose: 'login' as const,
        factorKind: 'knowledge' as const,
      };
      await identity.attempts.record({
        ...base,
        id: newId('lat'),
        at: '2026-01-15T03:00:00.000Z',
        identifier: 'nobody',
        accountId: null,
        outcome: 'unknown-identifier',
      });
      await identity.attempts.record({
        ...base,
        id: newId('lat'),
        at: '2026-01-15T03:00:01.000Z',
        identifier: 'client',
        accountId,
        outcome: 'failure',
      });
      const unknown = await identity.attempts.list({ outcome: 'unknown-identifier', limit: 10 });
      expect(unknown.map((a) => a.identifier)).toEqual(['nobody']);
      const day = await identity.attempts.list({
        from: '2026-01-15T00:00:00.000Z',
        to: '2026-01-16T00:00:00.000Z',
        limit: 10,
      });
      expect(day.map((a) => a.outcome)).toEqual(['failure', 'unknown-identifier']);
      expect(await identity.attempts.list({ accountId, limit: 10 })).toHaveLength(1);
    });
  });
});
