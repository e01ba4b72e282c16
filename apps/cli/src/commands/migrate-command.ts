import { Command } from 'commander';
import type { CliContext } from '../cli-io.ts';

export function migrateCommand(ctx: CliContext): Command {
  return new Command('migrate').description('apply pending database migrations').action(async () => {
    const runtime = await ctx.runtime();
    ctx.print(
      runtime.applied.length === 0
        ? `database is up to date (${runtime.handle.description})\n`
        : `applied ${runtime.applied.length} migration(s) to ${runtime.handle.description}:\n${runtime.applied.map((m) => `  ${m}`).join('\n')}\n`,
    );
  });
}
