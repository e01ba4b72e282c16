import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../shared/canonical-json.ts';
import type { NotificationAdapter } from './notification-dispatcher.ts';
import type { OutboxNotification } from './notification-store.ts';

/**
 * The embedded default: each notification as one JSON line in `<folder>/notifications-<YYYY-MM-DD>.jsonl` (UTC date
 * of delivery), for the firm to forward or archive. One appendFile call per line, so lines never interleave.
 */
export function createFileNotificationAdapter(deps: { folder: string; now?: () => Date }): NotificationAdapter {
  const now = deps.now ?? (() => new Date());
  let ready: Promise<unknown> | null = null;
  return {
    async send(n: OutboxNotification) {
      ready ??= mkdir(deps.folder, { recursive: true, mode: 0o700 });
      await ready;
      const at = now();
      const line = canonicalJson({
        id: n.id,
        organizationId: n.organizationId,
        accountId: n.accountId,
        recipient: n.recipient,
        kind: n.kind,
        payload: n.payload,
        createdAt: n.createdAt,
        deliveredAt: at.toISOString(),
      });
      const file = join(deps.folder, `notifications-${at.toISOString().slice(0, 10)}.jsonl`);
      await appendFile(file, `${line}\n`, { mode: 0o600 });
    },
  };
}
