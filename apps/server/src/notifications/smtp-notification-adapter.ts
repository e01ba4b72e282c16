import type { NotificationAdapter, OutboxNotification } from '@ntg/core';
import nodemailer from 'nodemailer';

export interface SmtpOptions {
  /** `smtp://user:pass@host:587` or `smtps://…`; credentials come from configuration, never from code. */
  url: string;
  from: string;
  /** Gives up on a slow server so the claim's lease is not outlived. */
  timeoutMs?: number;
}

const subjects: Record<OutboxNotification['kind'], string> = {
  'login-succeeded': 'New sign-in to your trading account',
  'login-failed-locked': 'Your trading account was locked after failed sign-ins',
  'password-age-reminder': 'Please change your trading PIN',
  trade: 'Trade confirmation',
};

/** Plain text only: no HTML to render, nothing from the payload interpreted as markup. */
function textOf(n: OutboxNotification): string {
  const lines = Object.entries(n.payload).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${subjects[n.kind]}\n\n${lines.join('\n')}\n\nReference: ${n.id}\nIf this was not you, contact your broker at once.\n`;
}

/** Email through SMTP (A38.2). A rejected recipient or a transport error is a failed attempt, retried later. */
export function createSmtpNotificationAdapter(options: SmtpOptions): NotificationAdapter {
  const timeout = options.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport({
    url: options.url,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(n) {
      const info = await transport.sendMail({
        from: options.from,
        to: n.recipient,
        subject: subjects[n.kind],
        text: textOf(n),
        headers: { 'X-NTG-Notification-Id': n.id },
      });
      if (info.rejected.length > 0) throw new Error(`SMTP rejected ${info.rejected.length} recipient(s)`);
    },
  };
}
