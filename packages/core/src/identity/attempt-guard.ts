import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { type ChallengePurpose, deviceKeySigningInput, type FactorKind, type FactorProof } from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { inherenceEligible } from '../webauthn/webauthn-policy.ts';
import type { WebauthnCredentialStore, WebauthnStores } from '../webauthn/webauthn-store.ts';
import type { WebauthnVerifier } from '../webauthn/webauthn-verifier.ts';
import { importDeviceKey, verifyDeviceSignature } from './device-key-factor.ts';
import type { GatewayPolicy } from './gateway-policy.ts';
import { authenticationFailed } from './identity-errors.ts';
import type { AttemptOutcome, IdentityEventStores, IdentityEvents } from './identity-events.ts';
import type {
  AttemptPurpose,
  ClientAccountStore,
  CredentialStore,
  DeviceKeyStore,
  IdentityStores,
  StoredCredential,
  TotpDeviceStore,
} from './identity-store.ts';
import { locksOnFailure, maxFailedAttempts } from './lockout-policy.ts';
import type { SecretHasher } from './secret-hasher.ts';
import { matchTotpStep, newTotpSeed, type TotpSeedCipher } from './totp-factor.ts';

/** Where a request came from: the client address for the login records (A37.7) and the audit trail. */
export interface RequestContext {
  source: string | null;
}

/** Who an attempt was about, for its record. */
export interface AttemptSubject {
  accountId: string | null;
  organizationId: string | null;
  identifier: string;
}

/** The challenge a device-key signature must cover. */
export interface FactorBinding {
  purpose: ChallengePurpose;
  challengeId: string;
  nonce: string;
  /** Credentials already used in this login: one WebAuthn credential cannot prove two kinds (A36.1). */
  usedCredentialIds?: readonly string[];
}

export interface VerifiedFactor {
  kind: FactorKind;
  credentialId: string;
  /** The PIN that verified, and its stronger hash when the parameters rose since it was stored. */
  pin?: { credential: StoredCredential; rehashed: string | null };
}

/** A transaction's stores as the guard writes them; the events write the lock's notice beside the lock (A38.2). */
export interface GuardStores extends IdentityEventStores {
  identity: Pick<IdentityStores, 'accounts' | 'attempts' | 'sessions'>;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
  webauthn: Pick<WebauthnStores, 'credentials'>;
}

/** The stores a check reads (and, for TOTP, the one conditional write that claims a time step). */
export interface FactorReads {
  credentials: Pick<CredentialStore, 'current'>;
  totpDevices: Pick<TotpDeviceStore, 'listForAccount' | 'claimStep'>;
  deviceKeys: Pick<DeviceKeyStore, 'find'>;
  accounts: Pick<ClientAccountStore, 'findById'>;
  /** The counter's conditional update, and the suspension of a cloned credential with its audit entry. */
  webauthnCredentials: Pick<WebauthnCredentialStore, 'findByCredentialId' | 'advanceCounter' | 'suspend'>;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

/** The factor reads of one transaction. */
export function factorReadsOf(
  s: GuardStores & { identity: Pick<IdentityStores, 'credentials' | 'totpDevices' | 'deviceKeys'> },
): FactorReads {
  return { ...s.identity, webauthnCredentials: s.webauthn.credentials, audit: s.audit };
}

/**
 * Reserve-then-verify (A37.5) and the single failure path (A37.7). Every credential check at the gateway goes
 * through here: login steps, step-up and PIN change. The order is fixed: reserve an attempt number in the
 * database, only then check the credential, then settle (success) or record the failure (locking on the third).
 *
 * Cheap checks (TOTP, device-key signatures: microseconds) run inside the transaction that reserved the attempt,
 * so reservation, check and outcome commit together. A PIN check (Argon2id, tens of milliseconds) runs between two
 * transactions instead: the reservation commits first, so parallel requests see it, and no lock is held while
 * hashing.
 */
export interface AttemptGuard {
  /** Inside the caller's transaction; null means refuse without checking (locked, or three in flight). */
  reserve(accounts: Pick<ClientAccountStore, 'reserveAttempt'>, accountId: string, at: string): Promise<number | null>;
  /** Whether `check` for this proof belongs inside the reserving transaction (cheap) or after it commits (Argon2). */
  checksInTransaction(proof: FactorProof): boolean;
  /**
   * Checks a proof against the account's enrolled factors; null when it does not verify. Call after `reserve`, with
   * the transaction's stores for a cheap check, or null (the plain connection) for a PIN.
   */
  check(
    reads: FactorReads | null,
    accountId: string,
    proof: FactorProof,
    binding: FactorBinding | null,
  ): Promise<VerifiedFactor | null>;
  /**
   * The same work as a check, against decoys, for identifiers that are not clients and for locked accounts:
   * an Argon2 verification of a dummy hash made at start with the same parameters, so response time does not
   * tell unknown, wrong and locked apart (A37.7).
   */
  burn(proof: FactorProof): Promise<void>;
  /** Inside the caller's transaction: records a refused or failed attempt; locks on the third failure (true). */
  recordFailure(
    s: GuardStores,
    ctx: RequestContext,
    subject: AttemptSubject,
    kind: FactorKind,
    purpose: AttemptPurpose,
    reserved: number | null,
    outcome: Exclude<AttemptOutcome, 'success'>,
  ): Promise<boolean>;
  /** After the failure committed: the one generic LOGIN_FAILED, whatever the outcome (A37.7). */
  failed(): never;
  /** `recordFailure` in a transaction of its own, then `failed`. */
  refuse(
    ctx: RequestContext,
    subject: AttemptSubject,
    kind: FactorKind,
    purpose: AttemptPurpose,
    reserved: number | null,
    outcome: Exclude<AttemptOutcome, 'success'>,
  ): Promise<never>;
}

export function createAttemptGuard(deps: {
  uow: UnitOfWork<GuardStores>;
  reads: FactorReads;
  hasher: SecretHasher;
  /** A hash of a random secret, computed once at start with the current parameters. */
  dummyHash: Promise<string>;
  seeds: TotpSeedCipher;
  policy: GatewayPolicy;
  audit: AuditTrail;
  clock: Clock;
  events: IdentityEvents;
  /** WebAuthn (ADR 0016); without it a `webauthn` proof never verifies. */
  webauthn?: WebauthnVerifier;
}): AttemptGuard {
  const { uow, hasher, seeds, policy, audit, clock, events } = deps;
  // Decoys for `burn`: a sealed seed to open and a key to verify against, made once per process.
  const decoyDeviceId = 'tot_decoy';
  const decoySeal = seeds.encrypt(newTotpSeed(), decoyDeviceId);
  const decoyKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const decoySignature = randomBytes(64).toString('base64url');

  async function burn(proof: FactorProof): Promise<void> {
    if (proof.method === 'pin') {
      await hasher.verify(await deps.dummyHash, proof.pin);
    } else if (proof.method === 'totp') {
      matchTotpStep(seeds.decrypt(decoySeal, decoyDeviceId), proof.code, clock.now());
    } else {
      // Device keys and WebAuthn: one P-256 signature verification, as a real check costs.
      verifyDeviceSignature(decoyKey, 'decoy', decoySignature);
    }
  }

  async function checkPin(reads: FactorReads, accountId: string, pin: string): Promise<VerifiedFactor | null> {
    const credential = await reads.credentials.current(accountId);
    if (credential === null) {
      await hasher.verify(await deps.dummyHash, pin);
      return null;
    }
    if (!(await hasher.verify(credential.phc, pin))) return null;
    const rehashed = hasher.needsRehash(credential.phc) ? await hasher.hash(pin) : null;
    return { kind: 'knowledge', credentialId: credential.id, pin: { credential, rehashed } };
  }

  async function checkTotp(reads: FactorReads, accountId: string, code: string): Promise<VerifiedFactor | null> {
    const now = clock.now();
    const devices = await reads.totpDevices.listForAccount(accountId);
    if (devices.length === 0) {
      matchTotpStep(seeds.decrypt(decoySeal, decoyDeviceId), code, now);
      return null;
    }
    for (const device of devices) {
      const step = matchTotpStep(seeds.decrypt(device.sealedSeed, device.id), code, now);
      // The claim is one conditional UPDATE: a code seen twice, here or on another instance, is refused once used.
      if (step !== null && (await reads.totpDevices.claimStep(device.id, step))) {
        return { kind: 'possession', credentialId: device.id };
      }
    }
    return null;
  }

  async function checkDeviceKey(
    reads: FactorReads,
    accountId: string,
    proof: Extract<FactorProof, { method: 'device-key' }>,
    binding: FactorBinding | null,
  ): Promise<VerifiedFactor | null> {
    const key = await reads.deviceKeys.find(proof.deviceKeyId);
    if (key === null || key.accountId !== accountId || binding === null) {
      verifyDeviceSignature(decoyKey, 'decoy', proof.signature);
      return null;
    }
    // A36.1.3: a biometric verified on the device counts only when the key is gated by it and its authenticator
    // type is one the firm has reviewed.
    if (
      proof.kind === 'inherence' &&
      !(key.biometricGated && policy.reviewedAuthenticatorTypes.has(key.authenticatorType))
    ) {
      return null;
    }
    const input = deviceKeySigningInput(binding.purpose, binding.challengeId, binding.nonce);
    if (!verifyDeviceSignature(importDeviceKey(key.publicKey), input, proof.signature)) return null;
    return { kind: proof.kind, credentialId: key.id };
  }

  async function checkWebauthn(
    reads: FactorReads,
    accountId: string,
    proof: Extract<FactorProof, { method: 'webauthn' }>,
    binding: FactorBinding | null,
  ): Promise<VerifiedFactor | null> {
    const verifier = deps.webauthn;
    const rawId = verifier?.assertionCredentialId(proof.response) ?? null;
    const credential = rawId === null ? null : await reads.webauthnCredentials.findByCredentialId(rawId);
    if (
      verifier === undefined ||
      binding === null ||
      credential === null ||
      credential.subjectKind !== 'client-account' ||
      credential.subjectId !== accountId ||
      credential.suspendedAt !== null ||
      (binding.usedCredentialIds ?? []).includes(credential.id)
    ) {
      verifyDeviceSignature(decoyKey, 'decoy', decoySignature);
      return null;
    }
    // Registered while the policy allowed synced passkeys, used after it stopped: refused like an unknown key.
    if (credential.backupEligible && verifier.policy.synced === 'refuse') return null;
    // A36.1.3: a biometric (or PIN) verified by the authenticator counts as inherence only with user verification
    // (required below) on an authenticator model the firm reviewed. Otherwise the claim is refused, not downgraded:
    // the client chose the kind, and a refused claim counts towards the lockout like any failed factor.
    const inherence = proof.kind === 'inherence';
    if (inherence && !inherenceEligible(verifier.policy, credential.aaguid)) return null;
    const result = await verifier.verifyAssertion(proof.response, binding.nonce, credential, inherence);
    const at = clock.now().toISOString();
    if (!result.ok) {
      if (result.reason !== 'invalid' && (await reads.webauthnCredentials.suspend(credential.id, at, result.reason))) {
        // A good signature with a counter that went backwards: the key exists twice. It stays refused until the
        // firm enrols the client again, and the incident is in the audit trail of the same transaction.
        const account = await reads.accounts.findById(accountId);
        if (account !== null) {
          await audit.record(
            reads.audit,
            { actor: { type: 'system', id: 'identity-webauthn' }, source: null },
            {
              organizationId: account.organizationId,
              action: 'identity.webauthn.suspend',
              objectType: 'client-account',
              objectId: accountId,
              outcome: 'failure',
              details: { credentialId: credential.id, reason: result.reason, storedCounter: credential.counter },
            },
          );
        }
      }
      return null;
    }
    if (!(await reads.webauthnCredentials.advanceCounter(credential.id, result.counter, at))) return null;
    return { kind: proof.kind, credentialId: credential.id };
  }

  async function recordFailure(
    s: GuardStores,
    ctx: RequestContext,
    subject: AttemptSubject,
    kind: FactorKind,
    purpose: AttemptPurpose,
    reserved: number | null,
    outcome: Exclude<AttemptOutcome, 'success'>,
  ): Promise<boolean> {
    const at = clock.now().toISOString();
    const { accountId, organizationId } = subject;
    let lockedNow = false;
    if (accountId !== null && organizationId !== null && reserved !== null && locksOnFailure(reserved)) {
      lockedNow = await s.identity.accounts.lockIfExhausted(accountId, maxFailedAttempts, at);
      if (lockedNow) {
        // A37.5: the lock takes effect everywhere at once: live sessions end in the same transaction.
        const sessionsEnded = await s.identity.sessions.revokeAllForAccount(accountId, at);
        await audit.record(
          s.audit,
          { actor: { type: 'system', id: 'identity-lockout' }, source: ctx.source },
          {
            organizationId,
            action: 'identity.account.lock',
            objectType: 'client-account',
            objectId: accountId,
            details: { failedAttempts: reserved, factorKind: kind, purpose, sessionsEnded },
          },
        );
        // A38.2: the owner hears of the lock; the notice commits with it.
        await events.accountLocked(s, { accountId, organizationId, at, source: ctx.source });
      }
    }
    await s.identity.attempts.record({
      id: newId('lat'),
      at,
      organizationId,
      identifier: subject.identifier,
      accountId,
      source: ctx.source,
      purpose,
      factorKind: kind,
      outcome,
    });
    return lockedNow;
  }

  function failed(): never {
    throw authenticationFailed();
  }

  return {
    reserve: (accounts, accountId, at) => accounts.reserveAttempt(accountId, maxFailedAttempts, at),

    checksInTransaction: (proof) => proof.method !== 'pin',

    async check(reads, accountId, proof, binding) {
      const r = reads ?? deps.reads;
      if (proof.method === 'pin') return checkPin(r, accountId, proof.pin);
      if (proof.method === 'totp') return checkTotp(r, accountId, proof.code);
      if (proof.method === 'webauthn') return checkWebauthn(r, accountId, proof, binding);
      return checkDeviceKey(r, accountId, proof, binding);
    },

    burn,
    recordFailure,
    failed,

    async refuse(ctx, subject, kind, purpose, reserved, outcome) {
      await uow.run((s) => recordFailure(s, ctx, subject, kind, purpose, reserved, outcome));
      return failed();
    },
  };
}
