import type { ConsoleUserRow } from '@ntg/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores, type Stores } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';

const now = '2026-06-15T01:00:00.000Z';

function user(id: string, email: string): ConsoleUserRow {
  return {
    id,
    email,
    displayName: email,
    role: 'compliance-officer',
    locale: 'zh-TW',
    ownerNames: [],
    organizationIds: ['org_a', 'org_b'],
    passwordHash: '$argon2id$placeholder',
    passwordChangedAt: now,
    totpSealedSeed: null,
    totpPendingSeed: null,
    totpLastStep: null,
    failedAttempts: 0,
    lockedAt: null,
    disabled: false,
    createdAt: now,
    updatedAt: now,
  };
}

describe.each(testDatabaseKinds())('console users, sessions and links on $name', (kind) => {
  let t: TestDatabase;
  let stores: Stores;
  beforeAll(async () => {
    t = await kind.create();
    stores = createStores(t.handle.db, t.handle.dialect);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('stores a user and reads it back by id and e-mail, lists and patches it', async () => {
    await stores.console.users.insert(user('usr_roundtrip0001', 'round@example.com'));
    expect(await stores.console.users.findByEmail('round@example.com')).toEqual(
      user('usr_roundtrip0001', 'round@example.com'),
    );
    await stores.console.users.update('usr_roundtrip0001', {
      role: 'asset-owner',
      ownerNames: ['IT Dept.'],
      disabled: true,
      updatedAt: '2026-06-16T00:00:00.000Z',
    });
    expect(await stores.console.users.findById('usr_roundtrip0001')).toMatchObject({
      role: 'asset-owner',
      ownerNames: ['IT Dept.'],
      disabled: true,
      organizationIds: ['org_a', 'org_b'],
    });
    expect(await stores.console.users.count()).toBeGreaterThanOrEqual(1);
  });

  it('threat: parallel password guesses on several instances (A37.5) — at most three slots are ever given', async () => {
    await stores.console.users.insert(user('usr_racing000001', 'race@example.com'));
    const slots = await Promise.all(
      Array.from({ length: 12 }, () => stores.console.users.reserveAttempt('usr_racing000001', 3)),
    );
    expect(slots.filter((n) => n !== null).sort()).toEqual([1, 2, 3]);
    await stores.console.users.lock('usr_racing000001', now);
    await stores.console.users.resetAttempts('usr_racing000001');
    expect(await stores.console.users.reserveAttempt('usr_racing000001', 3)).toBeNull();
    expect(await stores.console.users.unlock('usr_racing000001', now)).toBe(true);
    expect(await stores.console.users.unlock('usr_racing000001', now)).toBe(false);
    expect(await stores.console.users.reserveAttempt('usr_racing000001', 3)).toBe(1);
  });

  it('threat: a disabled user cannot take an attempt slot', async () => {
    await stores.console.users.insert({ ...user('usr_disabled0001', 'off@example.com'), disabled: true });
    expect(await stores.console.users.reserveAttempt('usr_disabled0001', 3)).toBeNull();
  });

  it('threat: a TOTP code replayed (A35.4) — each time step is accepted once, never an earlier one', async () => {
    await stores.console.users.insert(user('usr_totpstep0001', 'totp@example.com'));
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => stores.console.users.claimTotpStep('usr_totpstep0001', 1000)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await stores.console.users.claimTotpStep('usr_totpstep0001', 999)).toBe(false);
    expect(await stores.console.users.claimTotpStep('usr_totpstep0001', 1001)).toBe(true);
  });

  it('threat: a one-time link used twice at once — exactly one spend wins; an expired link never spends', async () => {
    await stores.console.links.insert({
      tokenHash: 'h-setup',
      kind: 'setup',
      userId: null,
      createdAt: now,
      expiresAt: '2026-06-15T02:00:00.000Z',
      usedAt: null,
    });
    const spends = await Promise.all(Array.from({ length: 6 }, () => stores.console.links.spend('h-setup', now)));
    expect(spends.filter(Boolean)).toHaveLength(1);
    expect(await stores.console.links.find('h-setup')).toMatchObject({ kind: 'setup', usedAt: now });
    await stores.console.links.insert({
      tokenHash: 'h-old',
      kind: 'setup',
      userId: null,
      createdAt: now,
      expiresAt: now,
      usedAt: null,
    });
    expect(await stores.console.links.spend('h-old', now)).toBe(false);
  });

  it('keeps sessions by token hash, touches, ends one or all of a user, and sweeps expired ones', async () => {
    await stores.console.users.insert(user('usr_sessions0001', 'sess@example.com'));
    const base = {
      userId: 'usr_sessions0001',
      stage: 'active' as const,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: '2026-06-15T01:30:00.000Z',
      expiresAt: '2026-06-15T13:00:00.000Z',
    };
    await stores.console.sessions.insert({ ...base, id: 'css_1', tokenHash: 't1' });
    await stores.console.sessions.insert({ ...base, id: 'css_2', tokenHash: 't2' });
    await stores.console.sessions.insert({ ...base, id: 'css_3', tokenHash: 't3', idleExpiresAt: now });
    await stores.console.sessions.touch('css_1', '2026-06-15T01:10:00.000Z', '2026-06-15T01:40:00.000Z');
    expect(await stores.console.sessions.findByTokenHash('t1')).toMatchObject({
      id: 'css_1',
      idleExpiresAt: '2026-06-15T01:40:00.000Z',
    });
    expect(await stores.console.sessions.deleteExpired(now)).toBe(1);
    expect(await stores.console.sessions.deleteForUser('usr_sessions0001')).toBe(2);
    expect(await stores.console.sessions.findByTokenHash('t2')).toBeNull();
  });
});
