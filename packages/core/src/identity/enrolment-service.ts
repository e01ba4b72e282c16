import {
  type ClientAccountView,
  type CreateClientAccount,
  createClientAccountSchema,
  type EnrolDeviceKey,
  type EnrolledTotp,
  type EnrolTotp,
  enrolDeviceKeySchema,
  enrolTotpSchema,
  setPinSchema,
} from '@ntg/contracts';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import type { OrganizationStore } from '../organizations/organization-store.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { parseInput } from '../shared/validation.ts';
import type { AccountAdminService } from './account-admin-service.ts';
import { parseClientIdentifier } from './client-identifier.ts';
import { matchesAny } from './credential-service.ts';
import { importDeviceKey } from './device-key-factor.ts';
import type { ClientAccount, CredentialStore, IdentityStores } from './identity-store.ts';
import type { SecretHasher } from './secret-hasher.ts';
import { checkNewSecret, pinHistoryDepth } from './secret-policy.ts';
import { newTotpSeed, type TotpSeedCipher, totpSecretBase32, totpUri } from './totp-factor.ts';

interface Stores {
  identity: Pick<IdentityStores, 'accounts' | 'credentials' | 'totpDevices' | 'deviceKeys'>;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

/**
 * Enrolment by the firm's operators (A37.1: regulations for application, delivery and update of identity
 * credentials). Every step is an audited procedure ('identity.enrol.*') written in the same transaction as the
 * change, and a locked account accepts no new credential until it has been unlocked (A37.5).
 */
export interface EnrolmentService {
  createAccount(ctx: ActorContext, input: CreateClientAccount): Promise<ClientAccountView>;
  setPin(ctx: ActorContext, accountId: string, input: { pin: string; reason: string }): Promise<ClientAccountView>;
  enrolTotp(ctx: ActorContext, accountId: string, input: EnrolTotp): Promise<EnrolledTotp>;
  enrolDeviceKey(ctx: ActorContext, accountId: string, input: EnrolDeviceKey): Promise<{ deviceKeyId: string }>;
}

export function createEnrolmentService(deps: {
  uow: UnitOfWork<Stores>;
  reads: {
    organizations: Pick<OrganizationStore, 'findById' | 'findBySlug'>;
    accounts: Pick<IdentityStores['accounts'], 'findById'>;
    credentials: Pick<CredentialStore, 'recent'>;
  };
  admin: Pick<AccountAdminService, 'view'>;
  hasher: SecretHasher;
  seeds: TotpSeedCipher;
  audit: AuditTrail;
  clock: Clock;
}): EnrolmentService {
  const { uow, reads, admin, hasher, seeds, audit, clock } = deps;

  async function unlockedAccount(s: Stores, accountId: string): Promise<ClientAccount> {
    const account = await s.identity.accounts.findForUpdate(accountId);
    if (account === null) throw new AppError('CLIENT_ACCOUNT_NOT_FOUND', `No client account "${accountId}".`);
    if (account.lockedAt !== null) {
      throw new AppError(
        'ACCOUNT_LOCKED',
        `Client account "${accountId}" is locked since ${account.lockedAt}; unlock it (an audited procedure) first.`,
      );
    }
    return account;
  }

  async function existing(accountId: string): Promise<ClientAccount> {
    const account = await reads.accounts.findById(accountId);
    if (account === null) throw new AppError('CLIENT_ACCOUNT_NOT_FOUND', `No client account "${accountId}".`);
    return account;
  }

  const enrolAudit = (account: ClientAccount, action: string, details: Record<string, unknown>) => ({
    organizationId: account.organizationId,
    action,
    objectType: 'client-account',
    objectId: account.id,
    details,
  });

  return {
    async createAccount(ctx, raw) {
      const input = parseInput(createClientAccountSchema, raw, 'client account');
      const identifier = parseClientIdentifier(input.identifier);
      const org = input.organization.startsWith('org_')
        ? await reads.organizations.findById(input.organization)
        : await reads.organizations.findBySlug(input.organization);
      if (org === null) {
        throw new AppError('ORGANIZATION_NOT_FOUND', `No organization with id or slug "${input.organization}".`);
      }
      checkNewSecret(input.pin, identifier);
      const phc = await hasher.hash(input.pin);
      const at = clock.now().toISOString();
      const account: ClientAccount = {
        id: newId('cla'),
        organizationId: org.id,
        identifier,
        failedAttempts: 0,
        lockedAt: null,
        createdAt: at,
        updatedAt: at,
      };
      await uow.run(async (s) => {
        if ((await s.identity.accounts.findByIdentifier(org.id, identifier)) !== null) {
          throw new AppError('CLIENT_IDENTIFIER_TAKEN', `"${identifier}" is already a client of ${org.slug}.`);
        }
        await s.identity.accounts.insert(account);
        await s.identity.credentials.insert({
          id: newId('crd'),
          accountId: account.id,
          kind: 'pin',
          phc,
          createdAt: at,
          retiredAt: null,
        });
        await audit.record(s.audit, ctx, enrolAudit(account, 'identity.enrol.account', { identifier }));
        await audit.record(s.audit, ctx, enrolAudit(account, 'identity.enrol.knowledge', { initial: true }));
      });
      return admin.view(account.id);
    },

    async setPin(ctx, accountId, raw) {
      const input = parseInput(setPinSchema, raw, 'PIN');
      const account = await existing(accountId);
      checkNewSecret(input.pin, account.identifier);
      const history = await reads.credentials.recent(accountId, pinHistoryDepth);
      if (
        await matchesAny(
          hasher,
          history.map((c) => c.phc),
          input.pin,
        )
      ) {
        throw new AppError('CREDENTIAL_REUSED', `The PIN must differ from the last ${pinHistoryDepth}.`);
      }
      const phc = await hasher.hash(input.pin);
      const at = clock.now().toISOString();
      await uow.run(async (s) => {
        const a = await unlockedAccount(s, accountId);
        const current = await s.identity.credentials.current(accountId);
        if (current !== null) await s.identity.credentials.retire(current.id, at);
        await s.identity.credentials.insert({
          id: newId('crd'),
          accountId,
          kind: 'pin',
          phc,
          createdAt: at,
          retiredAt: null,
        });
        await s.identity.credentials.pruneHistory(accountId, pinHistoryDepth);
        await audit.record(
          s.audit,
          ctx,
          enrolAudit(a, 'identity.enrol.knowledge', { initial: false, reason: input.reason }),
        );
      });
      return admin.view(accountId);
    },

    async enrolTotp(ctx, accountId, raw) {
      const input = parseInput(enrolTotpSchema, raw, 'TOTP device');
      const account = await existing(accountId);
      const org = await reads.organizations.findById(account.organizationId);
      const seed = newTotpSeed();
      const deviceId = newId('tot');
      await uow.run(async (s) => {
        const a = await unlockedAccount(s, accountId);
        await s.identity.totpDevices.insert({
          id: deviceId,
          accountId,
          label: input.label,
          sealedSeed: seeds.encrypt(seed, deviceId),
          lastStep: null,
          createdAt: clock.now().toISOString(),
        });
        await audit.record(s.audit, ctx, enrolAudit(a, 'identity.enrol.totp', { deviceId, label: input.label }));
      });
      return {
        deviceId,
        secret: totpSecretBase32(seed),
        otpauthUri: totpUri(seed, org?.name ?? 'NewTech Guard', account.identifier),
      };
    },

    async enrolDeviceKey(ctx, accountId, raw) {
      const input = parseInput(enrolDeviceKeySchema, raw, 'device key');
      importDeviceKey(input.publicKey);
      const deviceKeyId = newId('dvk');
      await uow.run(async (s) => {
        const a = await unlockedAccount(s, accountId);
        await s.identity.deviceKeys.insert({
          id: deviceKeyId,
          accountId,
          label: input.label,
          publicKey: input.publicKey,
          biometricGated: input.biometricGated,
          authenticatorType: input.authenticatorType,
          createdAt: clock.now().toISOString(),
        });
        await audit.record(
          s.audit,
          ctx,
          enrolAudit(a, 'identity.enrol.device-key', {
            deviceKeyId,
            label: input.label,
            biometricGated: input.biometricGated,
            authenticatorType: input.authenticatorType,
          }),
        );
      });
      return { deviceKeyId };
    },
  };
}
