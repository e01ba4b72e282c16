import { createSoftwareAuthenticator } from '@ntg/test-kit';
import { describe, expect, it } from 'vitest';
import { createWebauthnPolicy, inherenceEligible, registrationRefusal } from './webauthn-policy.ts';
import type { WebauthnCredential } from './webauthn-store.ts';
import { createWebauthnVerifier, newWebauthnChallenge } from './webauthn-verifier.ts';

const policy = createWebauthnPolicy({ rpId: 'trade.example.com.tw', origins: ['https://trade.example.com.tw'] });
const verifier = createWebauthnVerifier(policy);
const origin = 'https://trade.example.com.tw';

async function registered(auth = createSoftwareAuthenticator()) {
  const challenge = newWebauthnChallenge();
  const options = await verifier.registrationOptions({
    challenge,
    subjectId: 'cla_0000000000test',
    userName: 'client',
    displayName: 'client',
    exclude: [],
  });
  const info = await verifier.verifyRegistration(auth.register(options, { origin }), challenge);
  const credential: WebauthnCredential = {
    id: 'wac_0000000000test',
    subjectKind: 'client-account',
    subjectId: 'cla_0000000000test',
    credentialId: info.credentialId,
    publicKey: info.publicKey,
    counter: info.counter,
    aaguid: info.aaguid,
    transports: info.transports,
    backupEligible: info.backupEligible,
    label: 'key',
    createdAt: '2026-12-07T00:00:00.000Z',
    lastUsedAt: null,
    suspendedAt: null,
    suspendedReason: null,
  };
  return { auth, info, credential };
}

async function assertionFor(auth: ReturnType<typeof createSoftwareAuthenticator>, overrides = {}) {
  const challenge = newWebauthnChallenge();
  const options = await verifier.authenticationOptions({ challenge, allow: [] });
  return { challenge, response: auth.assert(options, { origin, ...overrides }) };
}

describe('WebAuthn verification (A37.4: every check on the server)', () => {
  it('registers a software authenticator and accepts its assertion, reporting the new counter', async () => {
    const { auth, info, credential } = await registered();
    expect(info.aaguid).toBe(auth.aaguid);
    expect(info.credentialId).toBe(auth.credentialId);
    expect(info.backupEligible).toBe(false);
    const { challenge, response } = await assertionFor(auth);
    expect(verifier.challengeOf(response)).toBe(challenge);
    expect(await verifier.verifyAssertion(response, challenge, credential, true)).toEqual({
      ok: true,
      counter: 2,
      userVerified: true,
    });
  });

  it('refuses an assertion made for another RP ID (a phishing site relaying the challenge)', async () => {
    const { auth, credential } = await registered();
    const { challenge, response } = await assertionFor(auth, { rpId: 'trade-example.com.tw' });
    expect(await verifier.verifyAssertion(response, challenge, credential, false)).toMatchObject({ ok: false });
  });

  it('refuses an assertion served from another origin', async () => {
    const { auth, credential } = await registered();
    const { challenge, response } = await assertionFor(auth, { origin: 'https://evil.example.net' });
    expect(await verifier.verifyAssertion(response, challenge, credential, false)).toMatchObject({ ok: false });
  });

  it('refuses an assertion over another challenge', async () => {
    const { auth, credential } = await registered();
    const { response } = await assertionFor(auth);
    expect(await verifier.verifyAssertion(response, newWebauthnChallenge(), credential, false)).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });

  it('reports a counter that went backwards as a cloned authenticator, but only after the signature verified', async () => {
    const { auth, credential } = await registered();
    const stored = { ...credential, counter: 10 };
    const clone = auth.clone();
    const { challenge, response } = await assertionFor(clone, { counter: 9 });
    expect(await verifier.verifyAssertion(response, challenge, stored, false)).toEqual({
      ok: false,
      reason: 'counter-regression',
    });
    // A forged assertion (signature of another key) claiming a low counter is only invalid: it cannot get the
    // credential suspended.
    const forged = await assertionFor(createSoftwareAuthenticator(), { counter: 1 });
    expect(await verifier.verifyAssertion(forged.response, forged.challenge, stored, false)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('refuses an assertion without user verification when verification is required', async () => {
    const { auth, credential } = await registered(createSoftwareAuthenticator({ userVerification: false }));
    const { challenge, response } = await assertionFor(auth);
    expect(await verifier.verifyAssertion(response, challenge, credential, true)).toMatchObject({ ok: false });
    const again = await assertionFor(auth);
    expect(await verifier.verifyAssertion(again.response, again.challenge, credential, false)).toMatchObject({
      ok: true,
      userVerified: false,
    });
  });

  it('answers WEBAUTHN_REFUSED, never an internal error, for input that is not a registration', async () => {
    for (const junk of [null, 'x', {}, { id: 'a', rawId: 'a', type: 'public-key', response: {} }]) {
      await expect(verifier.verifyRegistration(junk, newWebauthnChallenge())).rejects.toMatchObject({
        code: 'WEBAUTHN_REFUSED',
      });
    }
    const { auth } = await registered();
    const options = { challenge: newWebauthnChallenge(), rp: { id: 'trade.example.com.tw' } };
    await expect(
      verifier.verifyRegistration(auth.register(options, { origin: 'https://evil.example.net' }), options.challenge),
    ).rejects.toMatchObject({ code: 'WEBAUTHN_REFUSED' });
  });

  it('reads BE: a synced passkey is refused when the policy refuses synced passkeys', async () => {
    const { info } = await registered(createSoftwareAuthenticator({ synced: true }));
    expect(info.backupEligible).toBe(true);
    expect(registrationRefusal(policy, info)).toMatch(/synced passkeys/);
    const allowing = createWebauthnPolicy({ rpId: 'localhost', origins: ['http://localhost:8080'], synced: 'allow' });
    expect(registrationRefusal(allowing, info)).toBeNull();
  });

  it('registers only listed models when the firm lists them, and grants inherence to reviewed models only', async () => {
    const listed = '0a1b2c3d-0000-4000-8000-000000000001';
    const strict = createWebauthnPolicy({
      rpId: 'localhost',
      origins: ['http://localhost:8080'],
      registrationAaguids: [listed],
      reviewedAaguids: [listed],
    });
    expect(registrationRefusal(strict, { aaguid: listed, backupEligible: false })).toBeNull();
    expect(
      registrationRefusal(strict, { aaguid: '0a1b2c3d-0000-4000-8000-000000000002', backupEligible: false }),
    ).toMatch(/not on the firm's list/);
    expect(inherenceEligible(strict, listed)).toBe(true);
    expect(inherenceEligible(strict, '0a1b2c3d-0000-4000-8000-000000000002')).toBe(false);
  });

  it('refuses a policy with an IP address as RP ID or an origin on another host', () => {
    expect(() => createWebauthnPolicy({ rpId: '127.0.0.1', origins: ['http://127.0.0.1:8080'] })).toThrow(/domain/);
    expect(() => createWebauthnPolicy({ rpId: 'example.com', origins: ['https://example.net'] })).toThrow(/RP ID/);
    expect(() => createWebauthnPolicy({ rpId: 'example.com', origins: ['http://example.com'] })).toThrow(/https/);
  });
});
