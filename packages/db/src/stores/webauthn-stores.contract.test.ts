import type { WebauthnChallenge, WebauthnCredential } from '@ntg/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores, type Stores } from '../stores.ts';
import { type TestDatabase, testDatabaseKinds } from '../testing/test-databases.ts';

const now = '2026-12-07T04:00:00.000Z';

function credential(id: string, credentialId: string, subjectId = 'cla_0000000000owner'): WebauthnCredential {
  return {
    id,
    subjectKind: 'client-account',
    subjectId,
    credentialId,
    publicKey: 'pQECAyYgASFYIA',
    counter: 0,
    aaguid: '0a1b2c3d-0000-4000-8000-000000000001',
    transports: ['usb', 'nfc'],
    backupEligible: false,
    label: 'security key',
    createdAt: now,
    lastUsedAt: null,
    suspendedAt: null,
    suspendedReason: null,
  };
}

function challenge(value: string, expiresAt = '2026-12-07T04:05:00.000Z'): WebauthnChallenge {
  return {
    challenge: value,
    ceremony: 'registration',
    subjectKind: 'console-user',
    subjectId: 'usr_0000000000owner',
    sessionId: 'css_0000000000owner',
    createdAt: now,
    expiresAt,
  };
}

describe.each(testDatabaseKinds())('WebAuthn credentials and challenges on $name', (kind) => {
  let t: TestDatabase;
  let stores: Stores;
  beforeAll(async () => {
    t = await kind.create();
    stores = createStores(t.handle.db, t.handle.dialect);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('stores a credential and finds it by the authenticator’s id and by its subject', async () => {
    const c = credential('wac_roundtrip0001', 'cred-roundtrip');
    await stores.webauthn.credentials.insert(c);
    expect(await stores.webauthn.credentials.findByCredentialId('cred-roundtrip')).toEqual(c);
    expect(await stores.webauthn.credentials.listForSubject('client-account', c.subjectId)).toEqual([c]);
    expect(await stores.webauthn.credentials.listForSubject('console-user', c.subjectId)).toEqual([]);
    expect(await stores.webauthn.credentials.findByCredentialId('cred-unknown')).toBeNull();
  });

  it('refuses a second subject for the same authenticator credential (one credential, one account)', async () => {
    await stores.webauthn.credentials.insert(credential('wac_unique000001', 'cred-unique'));
    await expect(
      stores.webauthn.credentials.insert(credential('wac_unique000002', 'cred-unique', 'cla_0000000000other')),
    ).rejects.toThrow();
  });

  it('advances the counter only forwards, once per value (a replayed or cloned counter is refused)', async () => {
    await stores.webauthn.credentials.insert(credential('wac_counter00001', 'cred-counter'));
    expect(await stores.webauthn.credentials.advanceCounter('wac_counter00001', 5, now)).toBe(true);
    expect(await stores.webauthn.credentials.advanceCounter('wac_counter00001', 5, now)).toBe(false);
    expect(await stores.webauthn.credentials.advanceCounter('wac_counter00001', 4, now)).toBe(false);
    expect(await stores.webauthn.credentials.advanceCounter('wac_counter00001', 0, now)).toBe(false);
    expect(await stores.webauthn.credentials.advanceCounter('wac_counter00001', 2 ** 32 - 1, now)).toBe(true);
    const stored = await stores.webauthn.credentials.findByCredentialId('cred-counter');
    expect(stored).toMatchObject({ counter: 2 ** 32 - 1, lastUsedAt: now });
  });

  it('lets an authenticator without a counter stay at 0', async () => {
    await stores.webauthn.credentials.insert(credential('wac_nocounter001', 'cred-nocounter'));
    expect(await stores.webauthn.credentials.advanceCounter('wac_nocounter001', 0, now)).toBe(true);
    expect(await stores.webauthn.credentials.advanceCounter('wac_nocounter001', 0, now)).toBe(true);
  });

  it('suspends once, and a suspended credential’s counter no longer moves', async () => {
    await stores.webauthn.credentials.insert(credential('wac_suspend00001', 'cred-suspend'));
    expect(await stores.webauthn.credentials.suspend('wac_suspend00001', now, 'counter-regression')).toBe(true);
    expect(await stores.webauthn.credentials.suspend('wac_suspend00001', now, 'counter-regression')).toBe(false);
    expect(await stores.webauthn.credentials.advanceCounter('wac_suspend00001', 9, now)).toBe(false);
    expect(await stores.webauthn.credentials.findByCredentialId('cred-suspend')).toMatchObject({
      suspendedAt: now,
      suspendedReason: 'counter-regression',
    });
  });

  it('hands a challenge out once: the second take of a replayed challenge finds nothing', async () => {
    await stores.webauthn.challenges.insert(challenge('chal-once'));
    const results = await Promise.all([
      stores.webauthn.challenges.take('chal-once'),
      stores.webauthn.challenges.take('chal-once'),
    ]);
    expect(results.filter((r) => r !== null)).toEqual([challenge('chal-once')]);
    expect(await stores.webauthn.challenges.take('chal-once')).toBeNull();
  });

  it('purges expired challenges and keeps live ones', async () => {
    await stores.webauthn.challenges.insert(challenge('chal-old', '2026-12-07T03:00:00.000Z'));
    await stores.webauthn.challenges.insert(challenge('chal-live', '2026-12-07T05:00:00.000Z'));
    expect(await stores.webauthn.challenges.purgeExpired(now)).toBeGreaterThanOrEqual(1);
    expect(await stores.webauthn.challenges.take('chal-old')).toBeNull();
    expect(await stores.webauthn.challenges.take('chal-live')).not.toBeNull();
  });
});
