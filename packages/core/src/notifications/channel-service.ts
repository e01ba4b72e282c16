import { z } from 'zod';
import type { AuditStore } from '../audit/audit-store.ts';
import type { ActorContext, AuditTrail } from '../audit/audit-trail.ts';
import type { ClientAccountStore } from '../identity/identity-store.ts';
import { recordPersonalDataUse } from '../identity/personal-data-use.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { UnitOfWork } from '../shared/unit-of-work.ts';
import { parseInput } from '../shared/validation.ts';
import {
  type AccountChannel,
  type NotificationChannel,
  type NotificationChannelStore,
  notificationChannels,
} from './notification-store.ts';

const recipientRules: Record<NotificationChannel, z.ZodType<string>> = {
  email: z.string().trim().toLowerCase().email('use an e-mail address, e.g. client@example.com.tw').max(254),
  // The firm's SMS or push provider; only HTTPS, so the message and its signature never cross a network in clear.
  webhook: z
    .string()
    .trim()
    .max(2000)
    .url('use an https:// address')
    .refine((v) => v.startsWith('https://'), 'use an https:// address'),
  file: z.string().trim().min(1).max(200),
};

export const setChannelSchema = z.object({ recipient: z.string().min(1).max(2000) }).strict();

interface Stores {
  notificationChannels: NotificationChannelStore;
  audit: Pick<AuditStore, 'lockHead' | 'append'>;
}

export interface ChannelService {
  /** Where the account's notifications go; reading them is a use of personal data (A38.1). */
  list(ctx: ActorContext, accountId: string): Promise<AccountChannel[]>;
  set(ctx: ActorContext, accountId: string, channel: string, input: unknown): Promise<AccountChannel[]>;
  remove(ctx: ActorContext, accountId: string, channel: string): Promise<AccountChannel[]>;
}

/**
 * A38.2: the channels through which an account owner is told of logins, locks and trades. Changing where those
 * messages go is how an attacker would hide a takeover, so every change is audited in the same transaction, with
 * the old and new recipient.
 */
export function createChannelService(deps: {
  uow: UnitOfWork<Stores>;
  accounts: Pick<ClientAccountStore, 'findById'>;
  channels: Pick<NotificationChannelStore, 'listForAccount'>;
  audit: AuditTrail;
  clock: Clock;
  /** Channels this installation can deliver on (a channel without its adapter is refused). */
  offered: readonly NotificationChannel[];
}): ChannelService {
  const { uow, audit, clock } = deps;

  async function organizationOf(accountId: string): Promise<string> {
    const account = await deps.accounts.findById(accountId);
    if (account === null) throw new AppError('CLIENT_ACCOUNT_NOT_FOUND', `No client account "${accountId}".`);
    return account.organizationId;
  }

  function channelOf(value: string): NotificationChannel {
    const channel = notificationChannels.find((c) => c === value);
    if (channel === undefined) {
      throw new AppError('VALIDATION_FAILED', `Unknown channel "${value}": use ${notificationChannels.join(', ')}.`);
    }
    if (!deps.offered.includes(channel)) {
      throw new AppError('BAD_REQUEST', `This installation does not deliver by ${channel}: configure it first.`);
    }
    return channel;
  }

  return {
    async list(ctx, accountId) {
      const organizationId = await organizationOf(accountId);
      const channels = await deps.channels.listForAccount(organizationId, accountId);
      await uow.run((s) =>
        recordPersonalDataUse(audit, s.audit, ctx, {
          organizationId,
          clientAccountId: accountId,
          function: 'admin.account.channels',
          query: { accountId },
          result: `${channels.length} notification ${channels.length === 1 ? 'channel' : 'channels'} shown`,
        }),
      );
      return channels;
    },

    async set(ctx, accountId, rawChannel, raw) {
      const channel = channelOf(rawChannel);
      const input = parseInput(setChannelSchema, raw, 'channel');
      const recipient = parseInput(recipientRules[channel], input.recipient, `${channel} recipient`);
      const organizationId = await organizationOf(accountId);
      await uow.run(async (s) => {
        const before = (await s.notificationChannels.listForAccount(organizationId, accountId)).find(
          (c) => c.channel === channel,
        );
        await s.notificationChannels.set(organizationId, accountId, { channel, recipient }, clock.now().toISOString());
        await audit.record(s.audit, ctx, {
          organizationId,
          action: 'notification.channel.set',
          objectType: 'client-account',
          objectId: accountId,
          details: { channel, before: before?.recipient ?? null, after: recipient },
        });
      });
      return deps.channels.listForAccount(organizationId, accountId);
    },

    async remove(ctx, accountId, rawChannel) {
      const channel = notificationChannels.find((c) => c === rawChannel);
      if (channel === undefined) throw new AppError('VALIDATION_FAILED', `Unknown channel "${rawChannel}".`);
      const organizationId = await organizationOf(accountId);
      await uow.run(async (s) => {
        const before = (await s.notificationChannels.listForAccount(organizationId, accountId)).find(
          (c) => c.channel === channel,
        );
        if (before === undefined) throw new AppError('NOT_FOUND', `The account has no ${channel} channel.`);
        await s.notificationChannels.remove(organizationId, accountId, channel);
        await audit.record(s.audit, ctx, {
          organizationId,
          action: 'notification.channel.remove',
          objectType: 'client-account',
          objectId: accountId,
          details: { channel, before: before.recipient },
        });
      });
      return deps.channels.listForAccount(organizationId, accountId);
    },
  };
}
