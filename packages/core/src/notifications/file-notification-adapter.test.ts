import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileNotificationAdapter } from './file-notification-adapter.ts';
import type { OutboxNotification } from './notification-store.ts';

describe('file notification sink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntg-notify-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one JSON line per notification to the file of the delivery date', async () => {
    const folder = join(dir, 'outbox');
    const sink = createFileNotificationAdapter({ folder, now: () => new Date('2026-06-14T02:00:00.000Z') });
    const n: OutboxNotification = {
      organizationId: 'org_a',
      id: 'ntf_1',
      accountId: 'cla_1',
      channel: 'file',
      recipient: 'cla_1',
      kind: 'trade',
      payload: { symbol: '2330', side: 'buy' },
      status: 'pending',
      attempts: 1,
      nextAttemptAt: '2026-06-14T02:00:00.000Z',
      lastError: null,
      createdAt: '2026-06-14T01:59:00.000Z',
      sentAt: null,
    };
    await sink.send(n);
    await sink.send({ ...n, id: 'ntf_2' });
    const lines = readFileSync(join(folder, 'notifications-2026-06-14.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['ntf_1', 'ntf_2']);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ kind: 'trade', payload: { symbol: '2330' } });
  });
});
