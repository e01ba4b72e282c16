import { orderEvidenceQuerySchema } from '@ntg/contracts';
import { AppError, parseInput } from '@ntg/core';
import { Command } from 'commander';
import { type CliContext, exitStatus } from '../cli-io.ts';

const periodSchema = orderEvidenceQuerySchema.pick({ from: true, to: true });

/** `ntg orders verify-evidence`: offline re-verification of the accepted orders (A35.5). */
export function ordersCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  const cmd = new Command('orders').description('signed orders accepted by the gateway (A35)');

  cmd
    .command('verify-evidence')
    .description(
      'recompute every row hash and chain link and re-verify each signature from the stored bytes and certificate',
    )
    .requiredOption('--org <org>', 'organization id or slug')
    .option('--from <time>', 'only orders accepted at or after this ISO-8601 time')
    .option('--to <time>', 'only orders accepted before this ISO-8601 time')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; from?: string; to?: string; json?: boolean }) => {
      const period = parseInput(periodSchema, { from: opts.from, to: opts.to }, 'period (--from, --to)');
      const from = period.from === undefined ? undefined : new Date(period.from).toISOString();
      const to = period.to === undefined ? undefined : new Date(period.to).toISOString();
      if (from !== undefined && to !== undefined && from >= to) {
        throw new AppError('VALIDATION_FAILED', `--from ${from} is not before --to ${to}.`);
      }
      const runtime = await ctx.runtime();
      const org = await runtime.services.organizations.get(opts.org);
      const result = await runtime.orders.evidence.verify(org.id, {
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
      });
      if (opts.json) ctx.printJson(result);
      else {
        const within = from === undefined && to === undefined ? '' : ` accepted in [${from ?? '…'}, ${to ?? '…'})`;
        if (result.ok) ctx.print(`ok      ${org.slug}: ${result.rows} orders${within}, every row verified\n`);
        else {
          ctx.print(`FAILED  ${org.slug}: ${result.failures.length} of ${result.rows} orders${within} fail\n`);
          for (const f of result.failures) {
            ctx.print(`  row ${f.sequence} ${f.orderId ?? '(no order)'}: ${f.problems.join('; ')}\n`);
          }
        }
      }
      if (!result.ok) setExit(exitStatus.problemFound);
    });

  return cmd;
}
