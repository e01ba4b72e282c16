import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.ts';
import type { NotificationAdapter } from './notification-dispatcher.ts';
import type { OutboxNotification } from './notification-store.ts';

export const webhookSignatureHeader = 'x-ntg-signature';

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`. */
export function webhookSignature(secret: Buffer, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** For receivers (and tests): constant-time comparison of the header against the body's signature. */
export function verifyWebhookSignature(secret: Buffer, body: string | Buffer, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(webhookSignature(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ ok: boolean; status: number }>;

/**
 * POSTs the notification as JSON to the recipient URL, signed with the configured secret so the receiver can tell
 * it came from us and was not altered. Any non-2xx answer, network error or timeout is a failed attempt (retried).
 */
export function createWebhookNotificationAdapter(deps: {
  secret: Buffer;
  timeoutMs?: number;
  fetch?: FetchLike;
}): NotificationAdapter {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const doFetch: FetchLike = deps.fetch ?? ((url, init) => fetch(url, init));
  if (deps.secret.length < 16) throw new RangeError('The webhook signing secret must be at least 16 bytes.');
  return {
    async send(n: OutboxNotification) {
      const url = new URL(n.recipient);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new Error(`webhook recipient is not an http(s) URL: ${url.protocol}`);
      }
      const body = canonicalJson({
        id: n.id,
        organizationId: n.organizationId,
        accountId: n.accountId,
        kind: n.kind,
        payload: n.payload,
        createdAt: n.createdAt,
      });
      const response = await doFetch(url.toString(), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [webhookSignatureHeader]: webhookSignature(deps.secret, body),
          'x-ntg-notification-id': n.id,
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) throw new Error(`webhook answered ${response.status}`);
    },
  };
}
