/** A38.2: how the owner of an account is told of logins and trades. */
export const notificationChannels = ['email', 'webhook', 'file'] as const;
export type NotificationChannel = (typeof notificationChannels)[number];

export const notificationKinds = ['login-succeeded', 'login-failed-locked', 'password-age-reminder', 'trade'] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export type NotificationStatus = 'pending' | 'sent' | 'failed';

/** One row of the outbox: what to tell whom, and how far its delivery has got. */
export interface OutboxNotification {
  organizationId: string;
  id: string;
  accountId: string;
  channel: NotificationChannel;
  recipient: string;
  kind: NotificationKind;
  payload: Record<string, unknown>;
  status: NotificationStatus;
  /** Delivery attempts started so far (a claim counts as one). */
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** A notification as claimed by one dispatcher: only the holder of `claimToken` may settle it. */
export interface ClaimedNotification extends OutboxNotification {
  claimToken: string;
}

export interface NotificationDelivery {
  organizationId: string;
  notificationId: string;
  attempt: number;
  at: string;
  outcome: 'sent' | 'error';
  error: string | null;
}

export interface AccountChannel {
  channel: NotificationChannel;
  recipient: string;
}

/** Where each client account wants its notifications. */
export interface NotificationChannelStore {
  set(organizationId: string, accountId: string, channel: AccountChannel, at: string): Promise<void>;
  remove(organizationId: string, accountId: string, channel: NotificationChannel): Promise<void>;
  listForAccount(organizationId: string, accountId: string): Promise<AccountChannel[]>;
  /** `listForAccount` for several accounts in one read; every account asked for has an entry (maybe empty). */
  listForAccounts(organizationId: string, accountIds: readonly string[]): Promise<Map<string, AccountChannel[]>>;
}

export interface NotificationStore {
  enqueue(notifications: OutboxNotification[]): Promise<void>;
  /**
   * Claims up to `limit` pending rows due at `now` in one atomic UPDATE … RETURNING: the claim moves their next
   * attempt to `leaseUntil` and counts an attempt, so a second dispatcher (another instance) does not see them
   * while this one delivers. A dispatcher that dies mid-delivery leaves rows that fall due again at `leaseUntil`.
   */
  claimDue(now: string, leaseUntil: string, limit: number, claimToken: string): Promise<ClaimedNotification[]>;
  /** Each settle applies only while the claim is still held (false otherwise). */
  markSent(n: ClaimedNotification, at: string): Promise<boolean>;
  markRetry(n: ClaimedNotification, nextAttemptAt: string, error: string): Promise<boolean>;
  markFailed(n: ClaimedNotification, error: string): Promise<boolean>;
  recordDelivery(delivery: NotificationDelivery): Promise<void>;
  find(organizationId: string, id: string): Promise<OutboxNotification | null>;
  /** Newest first. */
  listForAccount(organizationId: string, accountId: string, limit: number): Promise<OutboxNotification[]>;
  deliveries(organizationId: string, notificationId: string): Promise<NotificationDelivery[]>;
}
