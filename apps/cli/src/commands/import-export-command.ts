import { readFile, writeFile } from 'node:fs/promises';
import {
  type BundleImportResult,
  type ImportMode,
  type RegisterImportCounts,
  type RegisterType,
  registerTypes,
} from '@ntg/contracts';
import { AppError, type BundleService, type RegisterCsvService } from '@ntg/core';
import {
  type BundleTextFormat,
  bundleFormatOfFilename,
  formatBundleText,
  type ImportExportServices,
  parseBundleText,
  type Services,
} from '@ntg/server';
import { Command, Option } from 'commander';
import type { CliContext } from '../cli-io.ts';
import { cliActor } from './org-command.ts';

/**
 * The import/export services. Typed optional so the commands compile before and after Services gains them (see
 * apps/server/src/wiring/import-export-services.ts); once wired they are always present.
 */
async function servicesOf(ctx: CliContext): Promise<{ bundles: BundleService; registerCsv: RegisterCsvService }> {
  const services: Partial<ImportExportServices> & Pick<Services, 'organizations'> = (await ctx.runtime()).services;
  if (services.bundles === undefined || services.registerCsv === undefined) {
    throw new AppError('INTERNAL', 'This build has no import/export services (Services.bundles is not wired).');
  }
  return { bundles: services.bundles, registerCsv: services.registerCsv };
}

async function readInput(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new AppError('BAD_REQUEST', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
  }
}

async function writeOutput(ctx: CliContext, out: string | undefined, text: string, what: string): Promise<void> {
  if (out === undefined) {
    ctx.print(text);
    return;
  }
  try {
    await writeFile(out, text);
  } catch (error) {
    throw new AppError('BAD_REQUEST', `Cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
  }
  ctx.stderr(`wrote ${what} to ${out}\n`);
}

const modeOption = () =>
  new Option('--mode <mode>', 'replace: the registers become the file; merge: add and update by id, remove nothing')
    .choices(['replace', 'merge'])
    .default('merge');

function countsText(counts: RegisterImportCounts): string {
  return `+${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, -${counts.deleted} deleted`;
}

function importSummary(result: BundleImportResult): string {
  const org = result.organization;
  const lines = [
    `imported into ${org.slug} (${org.id})${org.created ? ', organization created' : ''}` +
      `${org.profileChanged ? ', profile changed' : ''}, mode ${result.mode}`,
  ];
  for (const register of registerTypes) {
    const c = result.registers[register];
    if (c !== undefined && c.created + c.updated + c.deleted + c.unchanged > 0) {
      lines.push(`  ${register.padEnd(24)} ${countsText(c)}`);
    }
  }
  lines.push(
    `  ${'attestations'.padEnd(24)} +${result.attestations.added} added, ${result.attestations.unchanged} unchanged`,
  );
  return `${lines.join('\n')}\n`;
}

/** `ntg import`, `ntg export`, `ntg import-csv`, `ntg export-csv`. Bad input ends with exit status 2 and one line. */
export function importExportCommands(ctx: CliContext): Command[] {
  const importCmd = new Command('import')
    .description('import a bundle (YAML or JSON): all or nothing, every problem reported with its path')
    .argument('<file>', 'the bundle: .yaml/.yml or .json (other names: the content decides)')
    .addOption(modeOption())
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { mode: ImportMode; json?: boolean }) => {
      const value = parseBundleText((await readInput(file)).toString('utf8'), bundleFormatOfFilename(file));
      const { bundles } = await servicesOf(ctx);
      const result = await bundles.importBundle(cliActor(), value, { mode: opts.mode });
      if (opts.json) ctx.printJson(result);
      else ctx.print(importSummary(result));
    });

  const exportCmd = new Command('export')
    .description('export an organization as a bundle: profile, every register, attestations')
    .requiredOption('--org <org>', 'organization id or slug')
    .addOption(
      new Option('--format <format>', 'yaml or json (default: from --out, else json)').choices(['yaml', 'json']),
    )
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (opts: { org: string; format?: BundleTextFormat; out?: string }) => {
      const format = opts.format ?? (opts.out === undefined ? undefined : bundleFormatOfFilename(opts.out)) ?? 'json';
      const { bundles } = await servicesOf(ctx);
      const bundle = await bundles.exportBundle(opts.org);
      const records = registerTypes.reduce((n, r) => n + bundle.registers[r].length, 0);
      await writeOutput(ctx, opts.out, formatBundleText(bundle, format), `${records} records of ${opts.org}`);
    });

  const registerOption = () =>
    new Option('--register <register>', 'the register, e.g. mobile-devices')
      .choices(registerTypes)
      .makeOptionMandatory();

  const importCsvCmd = new Command('import-csv')
    .description('import one register from CSV (UTF-8, as Excel\'s "CSV UTF-8" saves it): every bad row reported')
    .argument('<file>', 'the CSV file; its columns are listed in docs/csv-format.md')
    .requiredOption('--org <org>', 'organization id or slug')
    .addOption(registerOption())
    .addOption(modeOption())
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { org: string; register: RegisterType; mode: ImportMode; json?: boolean }) => {
      const bytes = await readInput(file);
      const { registerCsv } = await servicesOf(ctx);
      const result = await registerCsv.importCsv(cliActor(), opts.org, opts.register, bytes, { mode: opts.mode });
      if (opts.json) ctx.printJson(result);
      else
        ctx.print(
          `imported ${result.rows} rows into ${opts.register} (${result.mode}): ${countsText(result.counts)}\n`,
        );
    });

  const exportCsvCmd = new Command('export-csv')
    .description('export one register as CSV with a UTF-8 BOM, so Excel shows Chinese text correctly')
    .requiredOption('--org <org>', 'organization id or slug')
    .addOption(registerOption())
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (opts: { org: string; register: RegisterType; out?: string }) => {
      const { registerCsv } = await servicesOf(ctx);
      const csv = await registerCsv.exportCsv(opts.org, opts.register);
      await writeOutput(ctx, opts.out, csv, opts.register);
    });

  return [importCmd, exportCmd, importCsvCmd, exportCsvCmd];
}
