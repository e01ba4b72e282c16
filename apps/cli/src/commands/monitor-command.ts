import type { MonitoringReport } from '@ntg/contracts';
import { Command } from 'commander';
import type { CliContext } from '../cli-io.ts';
import { cliActor } from './org-command.ts';

function printReport(ctx: CliContext, slug: string, r: MonitoringReport): void {
  const c = r.summary.counts;
  ctx.print(`${slug} ${r.date} (Asia/Taipei): ${c.attempts} attempts, ${c.successes} succeeded\n`);
  ctx.print(
    `  failures ${c.failures}, refused while locked ${c.lockedRefusals}, unknown identifiers ${c.unknownIdentifier}, accounts locked ${c.locks}\n`,
  );
  for (const a of r.summary.topAccounts.slice(0, 5)) {
    ctx.print(`  account ${a.identifier}: ${a.failures} failures from ${a.sources} address(es)\n`);
  }
  for (const s of r.summary.topSources.slice(0, 5)) {
    ctx.print(`  address ${s.source}: ${s.failures} failures on ${s.identifiers} identifier(s)\n`);
  }
  if (r.summary.patterns.length === 0) ctx.print('  no suspicious pattern\n');
  for (const p of r.summary.patterns) ctx.print(`  PATTERN ${p.type}: ${p.description}\n`);
  ctx.print(`  report ${r.id}, sha256 ${r.sha256}\n`);
}

/** `ntg monitor daily`: A37.7's daily analysis of failed logins, kept as a report and audited. */
export function monitorCommand(ctx: CliContext): Command {
  const cmd = new Command('monitor').description('analyses of the e-trading gateway (A37.7)');
  cmd
    .command('daily')
    .description('analyse one Asia/Taipei day of login attempts and keep the report')
    .option('--org <org>', 'organization id or slug (default: every organization)')
    .option('--date <YYYY-MM-DD>', 'the day to analyse (default: yesterday in Asia/Taipei)')
    .option('--json', 'print JSON')
    .action(async (opts: { org?: string; date?: string; json?: boolean }) => {
      const { services } = await ctx.runtime();
      const { monitoring } = (await ctx.runtime()).services;
      const orgs =
        opts.org === undefined ? await services.organizations.list() : [await services.organizations.get(opts.org)];
      const reports: MonitoringReport[] = [];
      for (const org of orgs) {
        const report = await monitoring.generateDaily(cliActor(), org.id, opts.date);
        reports.push(report);
        if (!opts.json) printReport(ctx, org.slug, report);
      }
      if (opts.json) ctx.printJson({ reports });
    });
  return cmd;
}
