import { randomBytes } from 'node:crypto';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { z } from 'zod';
import { AppError } from '../shared/app-error.ts';
import type { WebauthnPolicy } from './webauthn-policy.ts';
import type { WebauthnCredential } from './webauthn-store.ts';

const b64u = z.string().regex(/^[A-Za-z0-9_-]*={0,2}$/, 'base64url');

/** The browser's JSON, checked for shape before the library reads it, so odd input is a 400 and never a 500. */
const registrationJson = z.object({
  id: b64u.min(1).max(1400),
  rawId: b64u.min(1).max(1400),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: b64u.min(1).max(8192),
    attestationObject: b64u.min(1).max(65536),
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

const authenticationJson = z.object({
  id: b64u.min(1).max(1400),
  rawId: b64u.min(1).max(1400),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: b64u.min(1).max(8192),
    authenticatorData: b64u.min(1).max(8192),
    signature: b64u.min(1).max(2048),
    userHandle: b64u.max(512).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

const clientDataChallenge = z.object({ challenge: b64u.min(1).max(512) });

/** A fresh challenge: 256 random bits, base64url (A35.4: a one-time random number). */
export function newWebauthnChallenge(): string {
  return randomBytes(32).toString('base64url');
}

function refused(reason: string): AppError {
  return new AppError('WEBAUTHN_REFUSED', `The security key or passkey was refused: ${reason}.`);
}

/** What a verified registration tells about the new credential. */
export interface RegisteredAuthenticator {
  credentialId: string;
  publicKey: string;
  counter: number;
  aaguid: string;
  transports: string[];
  backupEligible: boolean;
  userVerified: boolean;
}

export type AssertionResult =
  | { ok: true; counter: number; userVerified: boolean }
  /** `counter-regression`: the signature is good but the counter went backwards, so the key was copied. */
  | { ok: false; reason: 'invalid' | 'counter-regression' | 'backup-flag-changed' };

/**
 * The one place that speaks WebAuthn (W3C Web Authentication, through @simplewebauthn/server). It checks the RP ID
 * hash, the origin, the ceremony type, the challenge, user presence, the signature and the counter; the callers
 * own the challenge's single use and the account's lockout.
 */
export interface WebauthnVerifier {
  readonly policy: WebauthnPolicy;
  registrationOptions(input: {
    challenge: string;
    subjectId: string;
    userName: string;
    displayName: string;
    exclude: readonly WebauthnCredential[];
  }): Promise<Record<string, unknown>>;
  /** Throws WEBAUTHN_REFUSED when the response does not verify against `expectedChallenge`. */
  verifyRegistration(response: unknown, expectedChallenge: string): Promise<RegisteredAuthenticator>;
  authenticationOptions(input: {
    challenge: string;
    allow: readonly { credentialId: string; transports: readonly string[] }[];
  }): Promise<Record<string, unknown>>;
  verifyAssertion(
    response: unknown,
    expectedChallenge: string,
    credential: WebauthnCredential,
    requireUserVerification: boolean,
  ): Promise<AssertionResult>;
  /** The authenticator's credential id an assertion names, or null for input that is not an assertion. */
  assertionCredentialId(response: unknown): string | null;
  /** The challenge a response's clientDataJSON carries, or null. Only a lookup key: verification checks it again. */
  challengeOf(response: unknown): string | null;
}

export function createWebauthnVerifier(policy: WebauthnPolicy): WebauthnVerifier {
  const origins = [...policy.origins];
  return {
    policy,

    async registrationOptions(input) {
      const options = await generateRegistrationOptions({
        rpName: policy.rpName,
        rpID: policy.rpId,
        userName: input.userName,
        userDisplayName: input.displayName,
        // The subject id, not the e-mail address or client identifier: the user handle carries no personal data.
        userID: new Uint8Array(Buffer.from(input.subjectId, 'utf8')),
        challenge: new Uint8Array(Buffer.from(input.challenge, 'base64url')),
        timeout: policy.challengeTtlSeconds * 1000,
        attestationType: 'none',
        excludeCredentials: input.exclude.map((c) => ({
          id: c.credentialId,
          transports: [...c.transports],
        })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      });
      return options as unknown as Record<string, unknown>;
    },

    async verifyRegistration(raw, expectedChallenge) {
      const parsed = registrationJson.safeParse(raw);
      if (!parsed.success) throw refused('the response is not a WebAuthn registration');
      let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
      try {
        result = await verifyRegistrationResponse({
          response: parsed.data as RegistrationResponseJSON,
          expectedChallenge,
          expectedOrigin: origins,
          expectedRPID: policy.rpId,
          requireUserVerification: false,
        });
      } catch {
        // The library's messages name the check that failed; the client learns only that it was refused.
        throw refused('it does not verify for this site and challenge');
      }
      if (!result.verified) throw refused('it does not verify for this site and challenge');
      const info = result.registrationInfo;
      return {
        credentialId: info.credential.id,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        aaguid: info.aaguid.toLowerCase(),
        transports: (parsed.data.response.transports ?? []).slice(0, 10),
        backupEligible: info.credentialDeviceType === 'multiDevice',
        userVerified: info.userVerified,
      };
    },

    async authenticationOptions(input) {
      const options = await generateAuthenticationOptions({
        rpID: policy.rpId,
        challenge: new Uint8Array(Buffer.from(input.challenge, 'base64url')),
        timeout: policy.challengeTtlSeconds * 1000,
        userVerification: 'preferred',
        allowCredentials: input.allow.map((c) => ({ id: c.credentialId, transports: [...c.transports] })),
      });
      return options as unknown as Record<string, unknown>;
    },

    async verifyAssertion(raw, expectedChallenge, credential, requireUserVerification) {
      const parsed = authenticationJson.safeParse(raw);
      if (!parsed.success || parsed.data.id !== credential.credentialId) return { ok: false, reason: 'invalid' };
      let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
      try {
        result = await verifyAuthenticationResponse({
          response: parsed.data as AuthenticationResponseJSON,
          expectedChallenge,
          expectedOrigin: origins,
          expectedRPID: policy.rpId,
          // The counter is judged below, after the signature: a forged assertion must not be able to get a good
          // credential suspended by claiming a low counter.
          credential: {
            id: credential.credentialId,
            publicKey: new Uint8Array(Buffer.from(credential.publicKey, 'base64url')),
            counter: 0,
            transports: [],
          },
          requireUserVerification,
        });
      } catch {
        return { ok: false, reason: 'invalid' };
      }
      if (!result.verified) return { ok: false, reason: 'invalid' };
      const info = result.authenticationInfo;
      // BE is fixed when the credential is made; a change means another credential claims this one's place.
      if ((info.credentialDeviceType === 'multiDevice') !== credential.backupEligible) {
        return { ok: false, reason: 'backup-flag-changed' };
      }
      // W3C WebAuthn §7.2 step 21: a counter that does not move forward signals a cloned authenticator.
      if ((info.newCounter > 0 || credential.counter > 0) && info.newCounter <= credential.counter) {
        return { ok: false, reason: 'counter-regression' };
      }
      return { ok: true, counter: info.newCounter, userVerified: info.userVerified };
    },

    assertionCredentialId(raw) {
      const parsed = authenticationJson.safeParse(raw);
      return parsed.success ? parsed.data.id : null;
    },

    challengeOf(raw) {
      if (typeof raw !== 'object' || raw === null) return null;
      const response = (raw as { response?: unknown }).response;
      if (typeof response !== 'object' || response === null) return null;
      const cdj = (response as { clientDataJSON?: unknown }).clientDataJSON;
      if (typeof cdj !== 'string' || cdj.length > 8192) return null;
      try {
        const data = clientDataChallenge.safeParse(JSON.parse(Buffer.from(cdj, 'base64url').toString('utf8')));
        return data.success ? data.data.challenge : null;
      } catch {
        return null;
      }
    },
  };
}
