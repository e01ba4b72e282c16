import { z } from 'zod';

/**
 * The e-trading identity gateway (Directions chapter VI, A36-A37): client accounts, their factors, login in steps,
 * sessions and step-up. Shared by the server's routes and by @ntg/sdk, so a trading app and the server agree on
 * every field. No Node APIs here: the SDK runs in browsers too.
 */

/** The three technologies of A36.1: something agreed (PIN), a device held, a biometric owned. */
export const factorKinds = ['knowledge', 'possession', 'inherence'] as const;
export const factorKindSchema = z.enum(factorKinds);
export type FactorKind = z.infer<typeof factorKindSchema>;

export const clientAccountIdSchema = z.string().regex(/^cla_[0-9a-z]{10,40}$/, 'a client account id looks like cla_…');
export const challengeIdSchema = z.string().regex(/^chl_[0-9a-z]{10,40}$/, 'a challenge id looks like chl_…');
export const deviceKeyIdSchema = z.string().regex(/^dvk_[0-9a-z]{10,40}$/, 'a device key id looks like dvk_…');
export const totpDeviceIdSchema = z.string().regex(/^tot_[0-9a-z]{10,40}$/, 'a TOTP device id looks like tot_…');

/** As typed by the client; the server normalizes it (NFKC, half-width, case-folded, trimmed). */
export const clientIdentifierSchema = z.string().min(1).max(128);

/** A PIN or password as typed. Strength is checked by the server when it is set, not when it is tried. */
export const secretInputSchema = z.string().min(1).max(256);

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'use base64url without padding');

/** A WebAuthn response as the browser's toJSON() gives it; the server's WebAuthn verifier reads every field. */
export const webauthnResponseJsonSchema = z
  .record(z.string().max(64), z.unknown())
  .refine((v) => Object.keys(v).length <= 16, 'too many fields');
export const webauthnCredentialIdSchema = z
  .string()
  .regex(/^wac_[0-9a-z]{10,40}$/, 'a WebAuthn credential id looks like wac_…');

/**
 * One proof of one factor. A PIN proves knowledge, a TOTP code possession; a device key's signature proves
 * possession, or inherence when the key is biometric-gated on an authenticator type the firm reviewed (A36.1.3).
 */
export const factorProofSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('pin'), pin: secretInputSchema }).strict(),
  z.object({ method: z.literal('totp'), code: z.string().regex(/^\d{6}$/, 'a TOTP code is six digits') }).strict(),
  z
    .object({
      method: z.literal('device-key'),
      deviceKeyId: deviceKeyIdSchema,
      /** ES256 signature, raw r||s (64 bytes) as base64url, over `deviceKeySigningInput(...)`. */
      signature: base64url.max(200),
      kind: z.enum(['possession', 'inherence']).default('possession'),
    })
    .strict(),
  z
    .object({
      method: z.literal('webauthn'),
      /**
       * The browser's AuthenticationResponseJSON for `webauthnLoginOptionsResponseSchema`'s options; its challenge is
       * the login or step-up challenge's nonce. Inherence (A36.1.3) needs user verification on a reviewed authenticator.
       */
      response: webauthnResponseJsonSchema,
      kind: z.enum(['possession', 'inherence']).default('possession'),
    })
    .strict(),
]);
export type FactorProof = z.infer<typeof factorProofSchema>;
export type FactorProofInput = z.input<typeof factorProofSchema>;

/** The factor kind a proof claims. */
export function kindOfProof(proof: FactorProof): FactorKind {
  if (proof.method === 'pin') return 'knowledge';
  if (proof.method === 'totp') return 'possession';
  return proof.kind;
}

export type ChallengePurpose = 'login' | 'step-up';

/**
 * The bytes a device key signs (as UTF-8): purpose, challenge id and server nonce, so a signature is good for one
 * challenge of one purpose only (A35.4 non-duplication: a one-time random number).
 */
export function deviceKeySigningInput(purpose: ChallengePurpose, challengeId: string, nonce: string): string {
  return `ntg-gateway/v1\n${purpose}\n${challengeId}\n${nonce}`;
}

const challengeFields = {
  challengeId: challengeIdSchema,
  /** Random, single-use; a device key signs it. */
  nonce: base64url,
  expiresAt: z.string(),
};

export const loginStartRequestSchema = z
  .object({
    /** The broker (organization id or slug) whose client logs in. */
    organization: z.string().min(1).max(80),
    identifier: clientIdentifierSchema,
    /**
     * A36.1: optionally the first factor, when it signs no server nonce (PIN or TOTP): the start is then also that
     * factor's step, and answers like one. Device keys and WebAuthn sign the challenge, so they come as steps.
     */
    factor: factorProofSchema.optional(),
  })
  .strict();
export type LoginStartRequest = z.input<typeof loginStartRequestSchema>;

/** The same shape for every identifier, client or not (A37.7: no enumeration). */
export const loginChallengeSchema = z.object({
  ...challengeFields,
  requiredKinds: z.array(factorKindSchema),
  satisfiedKinds: z.array(factorKindSchema),
  remainingKinds: z.array(factorKindSchema),
});
export type LoginChallenge = z.infer<typeof loginChallengeSchema>;

export const loginStepRequestSchema = z.object({ challengeId: challengeIdSchema, factor: factorProofSchema }).strict();
export type LoginStepRequest = z.input<typeof loginStepRequestSchema>;

export const reminderSchema = z.object({
  type: z.literal('password-age'),
  /** Whole days since the PIN was set. */
  credentialAgeDays: z.number().int(),
  maxAgeDays: z.number().int(),
  message: z.string(),
});
export type Reminder = z.infer<typeof reminderSchema>;

export const authenticatedAtSchema = z.partialRecord(factorKindSchema, z.string());

export const issuedSessionSchema = z.object({
  /** Opaque bearer token; the server keeps only its SHA-256. Shown once. */
  token: z.string(),
  accountId: clientAccountIdSchema,
  /** The session every signed order names (`payload.sessionId`, ADR 0014). */
  sessionId: z.string(),
  /**
   * A35.2, A35.3: 32 random bytes as base64url, shown once. Each order request carries
   * `x-ntg-mac: base64url(HMAC-SHA256(key, canonical bytes of the body))`; the server keeps the key sealed.
   */
  orderMacKey: base64url,
  expiresAt: z.string(),
  idleTimeoutSeconds: z.number().int(),
  authenticatedAt: authenticatedAtSchema,
});
export type IssuedSession = z.infer<typeof issuedSessionSchema>;

export const loginStepResponseSchema = z.discriminatedUnion('status', [
  loginChallengeSchema.extend({ status: z.literal('continue') }),
  z.object({ status: z.literal('complete'), session: issuedSessionSchema, reminders: z.array(reminderSchema) }),
]);
export type LoginStepResponse = z.infer<typeof loginStepResponseSchema>;

export const sessionViewSchema = z.object({
  accountId: clientAccountIdSchema,
  organizationId: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  idleExpiresAt: z.string(),
  authenticatedAt: authenticatedAtSchema,
});
export type SessionView = z.infer<typeof sessionViewSchema>;

export const stepUpChallengeSchema = z.object(challengeFields);
export type StepUpChallenge = z.infer<typeof stepUpChallengeSchema>;

export const stepUpRequestSchema = loginStepRequestSchema;
export type StepUpRequest = z.input<typeof stepUpRequestSchema>;

export const stepUpResponseSchema = z.object({ authenticatedAt: authenticatedAtSchema });
export type StepUpResponse = z.infer<typeof stepUpResponseSchema>;

export const changePinRequestSchema = z.object({ currentPin: secretInputSchema, newPin: secretInputSchema }).strict();
export type ChangePinRequest = z.infer<typeof changePinRequestSchema>;

export const changePinResponseSchema = z.object({ changedAt: z.string() });

// Operator surfaces (behind the API token): enrolment and unlock, each an audited procedure (A37.1).

export const createClientAccountSchema = z
  .object({
    organization: z.string().min(1).max(80),
    identifier: clientIdentifierSchema,
    /** The initial PIN or password, delivered to the client by the firm's procedure. */
    pin: secretInputSchema,
  })
  .strict();
export type CreateClientAccount = z.infer<typeof createClientAccountSchema>;

export const setPinSchema = z.object({ pin: secretInputSchema, reason: z.string().trim().min(3).max(500) }).strict();

export const enrolTotpSchema = z.object({ label: z.string().trim().min(1).max(80).default('authenticator') }).strict();
export type EnrolTotp = z.input<typeof enrolTotpSchema>;

/** Shown once, for the client's authenticator app; the server keeps the seed encrypted. */
export const enrolledTotpSchema = z.object({
  deviceId: totpDeviceIdSchema,
  secret: z.string(),
  otpauthUri: z.string(),
});
export type EnrolledTotp = z.infer<typeof enrolledTotpSchema>;

export const p256PublicJwkSchema = z
  .object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: base64url.length(43),
    y: base64url.length(43),
  })
  .strip();
export type P256PublicJwk = z.infer<typeof p256PublicJwkSchema>;

export const enrolDeviceKeySchema = z
  .object({
    label: z.string().trim().min(1).max(80),
    publicKey: p256PublicJwkSchema,
    /** The private key is usable only after a biometric check on the device (A36.1.3 indirect verification). */
    biometricGated: z.boolean().default(false),
    /** e.g. 'android-strongbox', 'ios-secure-enclave'; inherence counts only for types the firm reviewed. */
    authenticatorType: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, 'use lower-case letters, digits, dots and hyphens')
      .default('unspecified'),
  })
  .strict();
export type EnrolDeviceKey = z.input<typeof enrolDeviceKeySchema>;

export const enrolledDeviceKeySchema = z.object({ deviceKeyId: deviceKeyIdSchema });

/**
 * `POST /gateway/v1/login/webauthn/options` (and `/gateway/v1/step-up/webauthn/options`): the options for
 * navigator.credentials.get() for a login or step-up challenge. The same shape for every identifier (A37.7).
 */
export const webauthnLoginOptionsRequestSchema = z.object({ challengeId: challengeIdSchema }).strict();
export const webauthnOptionsSchema = z.object({ options: z.record(z.string(), z.unknown()) });
export type WebauthnOptions = z.infer<typeof webauthnOptionsSchema>;

/** `POST /gateway/v1/admin/accounts/:id/webauthn/options`: registration options for the client's authenticator. */
export const enrolWebauthnOptionsSchema = z.object({}).strict();

/** `POST /gateway/v1/admin/accounts/:id/webauthn`: the RegistrationResponseJSON the client's authenticator made. */
export const enrolWebauthnSchema = z
  .object({
    label: z.string().trim().min(1).max(80).default('security key'),
    response: webauthnResponseJsonSchema,
  })
  .strict();
export type EnrolWebauthn = z.input<typeof enrolWebauthnSchema>;

export const enrolledWebauthnSchema = z.object({
  credentialId: webauthnCredentialIdSchema,
  /** The authenticator model the authenticator reported (not attested: ADR 0016). */
  aaguid: z.string(),
  /** Backup eligible (BE): a synced passkey that can leave the device. */
  synced: z.boolean(),
  /** Whether an assertion with user verification from it counts as inherence (its AAGUID was reviewed, A36.1.3). */
  inherenceEligible: z.boolean(),
});
export type EnrolledWebauthn = z.infer<typeof enrolledWebauthnSchema>;

export const unlockAccountSchema = z
  .object({
    method: z.enum(['operator', 'identity-reverified']),
    reason: z.string().trim().min(10, 'say why the account may be unlocked (at least 10 characters)').max(500),
  })
  .strict();
export type UnlockAccount = z.infer<typeof unlockAccountSchema>;

export const clientAccountViewSchema = z.object({
  id: clientAccountIdSchema,
  organizationId: z.string(),
  identifier: z.string(),
  lockedAt: z.string().nullable(),
  failedAttempts: z.number().int(),
  createdAt: z.string(),
  factors: z.object({
    knowledge: z.object({ changedAt: z.string() }).nullable(),
    totpDevices: z.array(z.object({ id: totpDeviceIdSchema, label: z.string(), createdAt: z.string() })),
    deviceKeys: z.array(
      z.object({
        id: deviceKeyIdSchema,
        label: z.string(),
        biometricGated: z.boolean(),
        authenticatorType: z.string(),
        createdAt: z.string(),
      }),
    ),
    /** Security keys and passkeys (ADR 0016); a suspended one (a cloned key) is refused and says since when. */
    webauthn: z.array(
      z.object({
        id: webauthnCredentialIdSchema,
        label: z.string(),
        aaguid: z.string(),
        synced: z.boolean(),
        createdAt: z.string(),
        lastUsedAt: z.string().nullable(),
        suspendedAt: z.string().nullable(),
        suspendedReason: z.string().nullable(),
      }),
    ),
  }),
});
export type ClientAccountView = z.infer<typeof clientAccountViewSchema>;

/**
 * A38.1: one use of a client's personal data, as the audit trail keeps it: the login account that used it, the
 * system function, the time, the system name, the query and a summary of the result.
 */
export const personalDataUseSchema = z.object({
  at: z.string(),
  loginAccount: z.string(),
  function: z.string(),
  system: z.string(),
  clientAccountId: z.string(),
  query: z.record(z.string(), z.unknown()),
  result: z.string(),
  /** The audit entry that holds it: its place in the hash chain. */
  auditSeq: z.number().int(),
});
export type PersonalDataUse = z.infer<typeof personalDataUseSchema>;

/** `GET /gateway/v1/admin/personal-data-uses` (and `.csv`): by client and by period, newest first. */
export const personalDataUseQuerySchema = z.object({
  organizationId: z.string().regex(/^org_[0-9a-z]{10,40}$/, 'an organization id looks like org_…'),
  account: clientAccountIdSchema.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** A38.2: one channel through which an account owner is notified. */
export const accountChannelSchema = z.object({
  channel: z.enum(['email', 'webhook', 'file']),
  recipient: z.string(),
});
