import { diffCatalogs, listCatalogVersions, loadCatalog } from '@ntg/catalog';
import { isClientError } from '@ntg/contracts';
import { type CatalogService, createCatalogService, isAppError } from '@ntg/core';
import { ConfigError, openRuntime, productVersion, type Runtime } from '@ntg/server';
import { Command, CommanderError } from 'commander';
import { type CliContext, type CliIo, exitStatus } from './cli-io.ts';
import { assessCommand, CliUsageError } from './commands/assess-command.ts';
import { auditCommand } from './commands/audit-command.ts';
import { caCommand } from './commands/ca-commands.ts';
import { catalogCommand } from './commands/catalog-command.ts';
import { collectorCommands, collectorImportCommands } from './commands/collector-commands.ts';
import { evidenceCommand } from './commands/evidence-command.ts';
import { importExportCommands } from './commands/import-export-command.ts';
import { migrateCommand } from './commands/migrate-command.ts';
import { monitorCommand } from './commands/monitor-command.ts';
import { ordersCommand } from './commands/orders-command.ts';
import { orgCommand } from './commands/org-command.ts';
import { usersCommand } from './commands/users-command.ts';

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

/** Runs one `ntg` invocation and returns its exit status. Errors become one readable line on stderr. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let runtime: Runtime | undefined;
  let catalog: CatalogService | undefined;
  let exitCode: number = exitStatus.ok;
  const ctx: CliContext = {
    ...io,
    async runtime() {
      runtime ??= await openRuntime(
        io.env,
        io.orderVerification === undefined ? {} : { orderVerification: io.orderVerification },
      );
      return runtime;
    },
    catalog() {
      catalog ??= createCatalogService({ load: loadCatalog, versions: listCatalogVersions, diff: diffCatalogs });
      return catalog;
    },
    print: (text) => io.stdout(text),
    printJson: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
  };

  const program = new Command('ntg')
    .description('NewTech Guard: compliance with the directions on new technologies, from the command line')
    .version(productVersion, '-V, --version');
  program.addCommand(catalogCommand(ctx));
  program.addCommand(orgCommand(ctx));
  program.addCommand(
    auditCommand(ctx, (code) => {
      exitCode = code;
    }),
  );
  program.addCommand(assessCommand(ctx));
  program.addCommand(
    evidenceCommand(ctx, (code) => {
      exitCode = code;
    }),
  );
  program.addCommand(migrateCommand(ctx));
  program.addCommand(monitorCommand(ctx));
  program.addCommand(usersCommand(ctx));
  program.addCommand(caCommand(ctx));
  program.addCommand(
    ordersCommand(ctx, (code) => {
      exitCode = code;
    }),
  );
  for (const command of importExportCommands(ctx)) program.addCommand(command);
  // `ntg import nmap|mdm` are subcommands of the bundle import: `ntg import FILE` keeps working.
  const importCommand = program.commands.find((c) => c.name() === 'import');
  for (const command of collectorImportCommands(ctx)) importCommand?.addCommand(command);
  for (const command of collectorCommands(ctx, (code) => {
    exitCode = code;
  }))
    program.addCommand(command);
  // Commands built apart do not inherit settings: every level throws instead of exiting, and writes usage
  // errors as one line through the injected streams.
  const configure = (cmd: Command): void => {
    cmd
      .exitOverride()
      .showSuggestionAfterError(true)
      .configureOutput({
        writeOut: (s) => io.stdout(s),
        writeErr: (s) => io.stderr(s),
        outputError: (s, write) => write(`ntg: ${oneLine(s.replace(/^error: /, ''))}\n`),
      });
    for (const sub of cmd.commands) configure(sub);
  };
  configure(program);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; usage mistakes were already printed in one line.
      return error.exitCode === 0 ? exitStatus.ok : exitStatus.badInput;
    }
    if (error instanceof ConfigError || error instanceof CliUsageError) {
      io.stderr(`ntg: ${oneLine(error.message)}\n`);
      return exitStatus.badInput;
    }
    if (isAppError(error)) {
      io.stderr(`ntg: ${oneLine(error.message)}\n`);
      return isClientError(error.code) ? exitStatus.badInput : exitStatus.internal;
    }
    io.stderr(`ntg: internal error: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    return exitStatus.internal;
  } finally {
    await runtime?.close();
  }
}
