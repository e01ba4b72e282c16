import { join } from 'node:path';
import {
  type AuditTrail,
  type ChannelService,
  type Clock,
  createChannelService,
  createFileNotificationAdapter,
  createNotificationDispatcher,
  createNotificationOutbox,
  createOutboxIdentityEvents,
  createWebhookNotificationAdapter,
  type IdentityEvents,
  type NotificationAdapter,
  type NotificationChannel,
  type NotificationDispatcher,
  type NotificationOutbox,
} from '@ntg/core';
import { createStores, createUnitOfWork, type DatabaseHandle } from '@ntg/db';
import { createSmtpNotificationAdapter, type SmtpOptions } from '../notifications/smtp-notification-adapter.ts';

export interface NotificationOptions {
  /** Folder of the file sink (the embedded default: `<data dir>/notifications`). */
  fileDir: string;
  /** Signs webhook bodies (HMAC-SHA256); without it the webhook channel is not offered. */
  webhookSecret?: Buffer;
  webhookTimeoutMs?: number;
  /** Without it the email channel is not offered. */
  smtp?: SmtpOptions;
  /** Accounts without a channel of their own get the file sink (true in the embedded default). */
  fileFallback?: boolean;
}

export interface NotificationServices {
  outbox: NotificationOutbox;
  /** Pass as `events` to createGatewayServices: logins, locks and PIN-age reminders become outbox rows, written
   * by the login's own transaction. */
  identityEvents: IdentityEvents;
  dispatcher: NotificationDispatcher;
  /** The account owners' channels (A38.2), changed only through audited procedures. */
  channels: ChannelService;
}

/** A38.2: the outbox, the gateway's events that fill it, and the dispatcher that empties it. */
export function createNotificationServices(
  handle: DatabaseHandle,
  clock: Clock,
  options: NotificationOptions & { audit: AuditTrail },
): NotificationServices {
  const stores = createStores(handle.db, handle.dialect);
  const uow = createUnitOfWork(handle);
  const outbox = createNotificationOutbox({
    clock,
    ...(options.fileFallback === true && {
      fallback: (_organizationId: string, accountId: string) => ({ channel: 'file' as const, recipient: accountId }),
    }),
  });
  const adapters: Partial<Record<NotificationChannel, NotificationAdapter>> = {
    file: createFileNotificationAdapter({ folder: options.fileDir, now: () => clock.now() }),
  };
  if (options.webhookSecret !== undefined) {
    adapters.webhook = createWebhookNotificationAdapter({
      secret: options.webhookSecret,
      ...(options.webhookTimeoutMs !== undefined && { timeoutMs: options.webhookTimeoutMs }),
    });
  }
  if (options.smtp !== undefined) adapters.email = createSmtpNotificationAdapter(options.smtp);
  const identityEvents = createOutboxIdentityEvents({ outbox });
  return {
    outbox,
    identityEvents,
    dispatcher: createNotificationDispatcher({ store: stores.notifications, adapters, clock }),
    channels: createChannelService({
      uow,
      accounts: stores.identity.accounts,
      channels: stores.notificationChannels,
      audit: options.audit,
      clock,
      offered: Object.keys(adapters) as NotificationChannel[],
    }),
  };
}

/** The file sink's folder beside the database in the embedded default. */
export function defaultNotificationDir(dataDir: string): string {
  return join(dataDir, 'notifications');
}
