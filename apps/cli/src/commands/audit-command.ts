import type { AuditVerification } from '@ntg/contracts';
import { Command } from 'commander';
import { type CliContext, exitStatus } from '../cli-io.ts';

export function auditCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  const cmd = new Command('audit').description('the hash-chained audit trail');

  cmd
    .command('verify')
    .description('walk the chain of one or every organization and name the first broken link')
    .option('--org <org>', 'organization id or slug (default: every organization)')
    .option('--json', 'print JSON')
    .action(async (opts: { org?: string; json?: boolean }) => {
      const { services } = await ctx.runtime();
      const orgs =
        opts.org === undefined ? await services.organizations.list() : [await services.organizations.get(opts.org)];
      const results: (AuditVerification & { slug: string })[] = [];
      for (const org of orgs) {
        results.push({ ...(await services.audit.verify(services.stores.audit, org.id)), slug: org.slug });
      }
      if (opts.json) ctx.printJson({ results });
      else {
        for (const r of results) {
          ctx.print(
            r.ok
              ? `ok      ${r.slug}: ${r.entries} entries, chain intact\n`
              : `BROKEN  ${r.slug}: entry ${r.firstBroken?.seq}: ${r.firstBroken?.problem} (${r.entries} entries verified before it)\n`,
          );
        }
      }
      if (results.some((r) => !r.ok)) setExit(exitStatus.problemFound);
    });

  return cmd;
}
