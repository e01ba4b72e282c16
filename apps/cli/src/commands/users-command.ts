import { Command } from 'commander';
import type { CliContext } from '../cli-io.ts';
import { CliUsageError } from './assess-command.ts';
import { cliActor } from './org-command.ts';

/** `ntg users`: the console's people, for an installation without a browser at hand. */
export function usersCommand(ctx: CliContext): Command {
  const cmd = new Command('users').description('console users: the first administrator, listing, unlocking');

  cmd
    .command('create-admin')
    .description('print a one-time link that creates the first administrator (only while none exists)')
    .option('--base-url <url>', 'where the console is reached', 'http://127.0.0.1:8080')
    .option('--json', 'print JSON')
    .action(async (opts: { baseUrl: string; json?: boolean }) => {
      let base: URL;
      try {
        base = new URL(opts.baseUrl);
      } catch {
        throw new CliUsageError(`--base-url: "${opts.baseUrl}" is not a URL; write e.g. https://ntg.example.com.tw`);
      }
      const { consoleAuth } = await ctx.runtime();
      const link = await consoleAuth.createSetupLink(cliActor());
      const url = new URL(link.path, base).toString();
      if (opts.json) ctx.printJson({ url, expiresAt: link.expiresAt });
      else ctx.print(`One-time setup link (valid until ${link.expiresAt}):\n  ${url}\n`);
    });

  cmd
    .command('list')
    .description('list console users with role, second factor and lock state')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const users = await (await ctx.runtime()).consoleAuth.listUsers();
      if (opts.json) {
        ctx.printJson({ users });
        return;
      }
      if (users.length === 0) ctx.print('No console users yet: run `ntg users create-admin`.\n');
      for (const u of users) {
        const state = u.disabled ? 'disabled' : u.lockedAt !== null ? `locked ${u.lockedAt}` : 'active';
        const factors = u.secondFactors.length === 0 ? 'no second factor' : u.secondFactors.join('+');
        ctx.print(`${u.email}  ${u.role}  ${factors}  ${state}\n`);
      }
    });

  cmd
    .command('unlock')
    .description('unlock a user locked after three failed attempts (A37.5), with the reason')
    .argument('<email>', 'the user’s e-mail address')
    .requiredOption('--reason <text>', 'why, for the audit trail (at least 5 characters)')
    .action(async (email: string, opts: { reason: string }) => {
      const { consoleAuth } = await ctx.runtime();
      const wanted = email.trim().toLowerCase();
      const user = (await consoleAuth.listUsers()).find((u) => u.email === wanted);
      if (user === undefined) throw new CliUsageError(`No console user with the e-mail address ${email}.`);
      await consoleAuth.unlockUser(cliActor(), user.id, { reason: opts.reason });
      ctx.print(`Unlocked ${user.email}.\n`);
    });

  return cmd;
}
