import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxNotification } from './notification-store.ts';
import {
  createWebhookNotificationAdapter,
  verifyWebhookSignature,
  webhookSignature,
  webhookSignatureHeader,
} from './webhook-notification-adapter.ts';

const secret = Buffer.from('a-webhook-secret-of-32-bytes-len');

function notification(recipient: string): OutboxNotification {
  return {
    organizationId: 'org_a',
    id: 'ntf_1',
    accountId: 'cla_1',
    channel: 'webhook',
    recipient,
    kind: 'login-succeeded',
    payload: { at: '2026-06-14T02:00:00.000Z', source: '203.0.113.9' },
    status: 'pending',
    attempts: 1,
    nextAttemptAt: '2026-06-14T02:00:00.000Z',
    lastError: null,
    createdAt: '2026-06-14T02:00:00.000Z',
    sentAt: null,
  };
}

describe('webhook notifications', () => {
  const received: { headers: IncomingHttpHeaders; body: string; url: string }[] = [];
  let status = 204;
  let delayMs = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '' });
      setTimeout(() => res.writeHead(status).end(), delayMs);
    });
  });
  let base = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('POSTs JSON signed with HMAC-SHA256 over the exact body, which the receiver verifies', async () => {
    status = 204;
    await createWebhookNotificationAdapter({ secret }).send(notification(`${base}/hook`));
    const got = received.at(-1);
    expect(got?.url).toBe('/hook');
    expect(got?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(got?.body ?? '{}')).toMatchObject({ id: 'ntf_1', kind: 'login-succeeded' });
    const header = got?.headers[webhookSignatureHeader] as string | undefined;
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, got?.body ?? '', header)).toBe(true);
  });

  it('fails verification for an altered body, another secret, or no header', () => {
    const body = '{"id":"ntf_1"}';
    const header = webhookSignature(secret, body);
    expect(verifyWebhookSignature(secret, '{"id":"ntf_2"}', header)).toBe(false);
    expect(verifyWebhookSignature(Buffer.from('another-secret-of-32-bytes-long!'), body, header)).toBe(false);
    expect(verifyWebhookSignature(secret, body, undefined)).toBe(false);
  });

  it('treats a non-2xx answer as a failed attempt', async () => {
    status = 500;
    await expect(createWebhookNotificationAdapter({ secret }).send(notification(`${base}/hook`))).rejects.toThrow(
      'webhook answered 500',
    );
  });

  it('gives up after the timeout', async () => {
    status = 204;
    delayMs = 500;
    await expect(
      createWebhookNotificationAdapter({ secret, timeoutMs: 50 }).send(notification(`${base}/slow`)),
    ).rejects.toThrow();
    delayMs = 0;
  });

  it('refuses a short secret and a recipient that is not http(s)', async () => {
    expect(() => createWebhookNotificationAdapter({ secret: Buffer.from('short') })).toThrow(RangeError);
    await expect(createWebhookNotificationAdapter({ secret }).send(notification('file:///etc/passwd'))).rejects.toThrow(
      'not an http(s) URL',
    );
  });
});
