import { createHmac } from 'node:crypto';
import { type EnrolledWebauthn, enrolWebauthnSchema } from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { parseInput } from '../shared/validation.ts';
import { inherenceEligible, registrationRefusal } from '../webauthn/webauthn-policy.ts';
import type { WebauthnCredential, WebauthnStores } from '../webauthn/webauthn-store.ts';
import { newWebauthnChallenge, type WebauthnVerifier } from '../webauthn/webauthn-verifier.ts';
import { challengeExpired } from './identity-errors.ts';
import type { ChallengeRecord, ChallengeStore, ClientAccount, IdentityStores } from './identity-store.ts';

interface Stores {
  identity: Pick<IdentityStores, 'accounts'>;
  webauthn: WebauthnStores;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

/**
 * WebAuthn at the gateway (ADR 0016): the firm's operator enrols a client's security key or passkey through the
 * audited enrolment procedure (A37.1), and a trading app asks for the options of a login or step-up challenge.
 * The proof itself goes through the attempt guard like every other factor (A37.5).
 */
export interface GatewayWebauthnService {
  registrationOptions(ctx: ActorContext, accountId: string): Promise<Record<string, unknown>>;
  enrol(ctx: ActorContext, accountId: string, input: unknown): Promise<EnrolledWebauthn>;
  /** The same answer for every identifier, client or not, with keys or not (A37.7). */
  loginOptions(challengeId: string): Promise<Record<string, unknown>>;
  stepUpOptions(sessionId: string, challengeId: string): Promise<Record<string, unknown>>;
}

const refused = (reason: string) =>
  new AppError('WEBAUTHN_REFUSED', `The security key or passkey was refused: ${reason}.`);

export function createGatewayWebauthnService(deps: {
  uow: UnitOfWork<Stores>;
  reads: {
    accounts: Pick<IdentityStores['accounts'], 'findById'>;
    challenges: Pick<ChallengeStore, 'find'>;
    credentials: Pick<WebauthnStores['credentials'], 'listForSubject' | 'findByCredentialId'>;
  };
  verifier: WebauthnVerifier;
  /** Keys the decoy credential ids offered for identifiers that are not clients; at least 32 bytes. */
  decoyKey: Buffer;
  audit: AuditTrail;
  clock: Clock;
}): GatewayWebauthnService {
  const { uow, reads, verifier, audit, clock } = deps;
  const policy = verifier.policy;
  if (deps.decoyKey.length < 32) throw new Error('The WebAuthn decoy key must be at least 32 bytes.');

  async function existing(accountId: string): Promise<ClientAccount> {
    const account = await reads.accounts.findById(accountId);
    if (account === null) throw new AppError('CLIENT_ACCOUNT_NOT_FOUND', `No client account "${accountId}".`);
    return account;
  }

  async function liveCredentials(accountId: string): Promise<WebauthnCredential[]> {
    return (await reads.credentials.listForSubject('client-account', accountId)).filter((c) => c.suspendedAt === null);
  }

  /**
   * A37.7: a login's options must not tell a client from a stranger, nor a client with keys from one without. So
   * without real credentials the options list one decoy id, the same for the same identifier every time.
   */
  async function optionsFor(c: ChallengeRecord): Promise<Record<string, unknown>> {
    const real = c.accountId === null ? [] : await liveCredentials(c.accountId);
    const allow =
      real.length > 0
        ? real.map((k) => ({ credentialId: k.credentialId, transports: k.transports }))
        : [
            {
              credentialId: createHmac('sha256', deps.decoyKey)
                .update(`${c.organizationId ?? ''}\n${c.identifier}`)
                .digest('base64url'),
              transports: ['usb'],
            },
          ];
    return verifier.authenticationOptions({ challenge: c.nonce, allow });
  }

  async function liveChallenge(challengeId: string, purpose: ChallengeRecord['purpose']): Promise<ChallengeRecord> {
    const c = await reads.challenges.find(challengeId);
    if (c === null || c.purpose !== purpose || c.expiresAt <= clock.now().toISOString()) throw challengeExpired();
    return c;
  }

  return {
    async registrationOptions(_ctx, accountId) {
      const account = await existing(accountId);
      if (account.lockedAt !== null) {
        throw new AppError('ACCOUNT_LOCKED', `Client account "${accountId}" is locked; unlock it first.`);
      }
      const now = clock.now();
      const challenge = newWebauthnChallenge();
      await uow.run(async (s) => {
        await s.webauthn.challenges.insert({
          challenge,
          ceremony: 'registration',
          subjectKind: 'client-account',
          subjectId: accountId,
          sessionId: null,
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + policy.challengeTtlSeconds * 1000).toISOString(),
        });
        await s.webauthn.challenges.purgeExpired(now.toISOString());
      });
      return verifier.registrationOptions({
        challenge,
        subjectId: accountId,
        userName: account.identifier,
        displayName: account.identifier,
        exclude: await liveCredentials(accountId),
      });
    },

    async enrol(ctx, accountId, raw) {
      const input = parseInput(enrolWebauthnSchema, raw, 'WebAuthn registration');
      await existing(accountId);
      const challenge = verifier.challengeOf(input.response);
      if (challenge === null) throw refused('the response carries no challenge');
      // The challenge is spent in a transaction of its own before anything is verified: a response that fails
      // cannot be corrected and sent again against the same challenge.
      const taken = await uow.run((s) => s.webauthn.challenges.take(challenge));
      const at = clock.now().toISOString();
      if (
        taken === null ||
        taken.ceremony !== 'registration' ||
        taken.subjectKind !== 'client-account' ||
        taken.subjectId !== accountId ||
        taken.expiresAt <= at
      ) {
        throw challengeExpired();
      }
      const registered = await verifier.verifyRegistration(input.response, taken.challenge);
      const refusal = registrationRefusal(policy, registered);
      if (refusal !== null) throw refused(refusal);
      const credential: WebauthnCredential = {
        id: newId('wac'),
        subjectKind: 'client-account',
        subjectId: accountId,
        credentialId: registered.credentialId,
        publicKey: registered.publicKey,
        counter: registered.counter,
        aaguid: registered.aaguid,
        transports: registered.transports,
        backupEligible: registered.backupEligible,
        label: input.label,
        createdAt: at,
        lastUsedAt: null,
        suspendedAt: null,
        suspendedReason: null,
      };
      const eligible = inherenceEligible(policy, registered.aaguid);
      await uow.run(async (s) => {
        const account = await s.identity.accounts.findForUpdate(accountId);
        if (account === null) throw new AppError('CLIENT_ACCOUNT_NOT_FOUND', `No client account "${accountId}".`);
        // A37.5: a locked account accepts no new credential until it has been unlocked.
        if (account.lockedAt !== null) {
          throw new AppError('ACCOUNT_LOCKED', `Client account "${accountId}" is locked; unlock it first.`);
        }
        if ((await s.webauthn.credentials.findByCredentialId(credential.credentialId)) !== null) {
          throw refused('this authenticator credential is registered already');
        }
        await s.webauthn.credentials.insert(credential);
        await audit.record(s.audit, ctx, {
          organizationId: account.organizationId,
          action: 'identity.enrol.webauthn',
          objectType: 'client-account',
          objectId: accountId,
          details: {
            credentialId: credential.id,
            label: credential.label,
            aaguid: credential.aaguid,
            synced: credential.backupEligible,
            inherenceEligible: eligible,
          },
        });
      });
      return {
        credentialId: credential.id,
        aaguid: credential.aaguid,
        synced: credential.backupEligible,
        inherenceEligible: eligible,
      };
    },

    async loginOptions(challengeId) {
      return optionsFor(await liveChallenge(challengeId, 'login'));
    },

    async stepUpOptions(sessionId, challengeId) {
      const c = await liveChallenge(challengeId, 'step-up');
      if (c.sessionId !== sessionId) throw challengeExpired();
      return optionsFor(c);
    },
  };
}
