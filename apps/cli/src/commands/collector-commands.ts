import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  type AppInspection,
  type CollectorStatusResponse,
  type MdmMappedField,
  type MdmMapping,
  type MdmPreset,
  mdmMappedFields,
  mdmPresets,
  type TlsEndpointResult,
} from '@ntg/contracts';
import {
  AppError,
  type AppPackageService,
  formatTlsEndpoint,
  inspectAppPackage,
  judgeTlsEndpoint,
  type MdmImportService,
  type NmapImportService,
  type OrganizationService,
  parseTlsEndpoint,
  scanTlsEndpoint,
  type TlsScanCollector,
} from '@ntg/core';
import { collectorStatusReader } from '@ntg/server';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type CliContext, exitStatus } from '../cli-io.ts';
import { CliUsageError } from './assess-command.ts';
import { cliActor } from './org-command.ts';

/** The collector services a command uses, with the organizations they belong to. */
export interface CliCollectors {
  organizations: Pick<OrganizationService, 'get'>;
  nmapImport: NmapImportService;
  mdmImport: MdmImportService;
  appPackages: AppPackageService;
  tlsScans: TlsScanCollector;
  /** The largest report or export kept as evidence. */
  maxEvidenceBytes: number;
}

/** Reads the collectors from the runtime's services, once the server wiring provides them. */
export async function wiredCollectors(ctx: CliContext): Promise<CliCollectors> {
  const { services } = await ctx.runtime();
  const s = services as typeof services & Partial<Omit<CliCollectors, 'organizations' | 'maxEvidenceBytes'>>;
  if (
    s.nmapImport === undefined ||
    s.mdmImport === undefined ||
    s.appPackages === undefined ||
    s.tlsScans === undefined
  ) {
    throw new AppError('INTERNAL', 'This build has no collector services (Services.nmapImport is not wired).');
  }
  return {
    organizations: s.organizations,
    nmapImport: s.nmapImport,
    mdmImport: s.mdmImport,
    appPackages: s.appPackages,
    tlsScans: s.tlsScans,
    maxEvidenceBytes: s.evidence.maxBytes,
  };
}

/** The largest app package read from disk (the server's upload limit). */
const maxPackageBytes = 200 * 1024 * 1024;

async function readInput(file: string, maxBytes: number, what: string): Promise<Buffer> {
  const size = await stat(file).then(
    (s) => s.size,
    (error: NodeJS.ErrnoException) => {
      throw new AppError('BAD_REQUEST', `Cannot read ${file}: ${error.code ?? error.message}.`);
    },
  );
  // Checked before reading, so a huge file is refused without being loaded into memory.
  if (size > maxBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `${file} is ${size} bytes; ${what} may be at most ${maxBytes} bytes.`);
  }
  return readFile(file);
}

function collectMapping(value: string, previous: MdmMapping = {}): MdmMapping {
  const m = /^([A-Za-z]+)=(.+)$/.exec(value);
  const field = m?.[1];
  if (m === null || field === undefined || !(mdmMappedFields as readonly string[]).includes(field)) {
    throw new InvalidArgumentError(
      `"${value}" is not FIELD=COLUMN with FIELD one of ${mdmMappedFields.join(', ')}, e.g. serialNumber=Serial.`,
    );
  }
  return { ...previous, [field as MdmMappedField]: m[2] };
}

/**
 * `--json` of a subcommand of `ntg import`: the parent has its own `--json`, which Commander gives the parent when
 * options are not positional, so both levels are read.
 */
function wantsJson(command: Command): boolean {
  return command.optsWithGlobals<{ json?: boolean }>().json === true;
}

function inspectionText(i: AppInspection): string {
  const lines = [
    `${i.kind.toUpperCase()}  ${i.filename}  ${i.size} bytes  sha256 ${i.sha256}`,
    `identifier  ${i.identifier ?? '-'}  version ${i.versionName ?? '-'} (${i.versionCode ?? '-'})`,
    `permissions (${i.permissions.length}):`,
    ...i.permissions.map((p) => `  ${p}`),
  ];
  if (i.android !== null) {
    const f = (v: boolean | null) => (v === null ? 'unknown' : String(v));
    lines.push(
      `debuggable ${f(i.android.debuggable)}  allowBackup ${f(i.android.allowBackup)}  usesCleartextTraffic ${f(i.android.usesCleartextTraffic)}  sdk ${i.android.minSdkVersion ?? '-'}..${i.android.targetSdkVersion ?? '-'}`,
    );
  }
  if (i.ios !== null) lines.push(`App Transport Security arbitrary loads: ${i.ios.allowsArbitraryLoads}`);
  for (const s of i.signers) lines.push(`signed (${s.source}) by ${s.subject}  sha256 ${s.sha256}`);
  for (const w of i.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

function tlsText(results: readonly Pick<TlsEndpointResult, 'endpoint' | 'result' | 'verdicts'>[]): string {
  const out: string[] = [];
  for (const r of results) {
    out.push(`${r.result.toUpperCase().padEnd(5)} ${r.endpoint}`);
    for (const v of r.verdicts) out.push(`  ${v.severity.padEnd(8)} ${v.code.padEnd(26)} ${v.message}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * `ntg import nmap` and `ntg import mdm`: subcommands of the existing `ntg import` (a bundle import keeps working,
 * since a file is never named nmap or mdm without a path).
 */
export function collectorImportCommands(
  ctx: CliContext,
  collectorsOf: (ctx: CliContext) => Promise<CliCollectors> = wiredCollectors,
): Command[] {
  const nmap = new Command('nmap')
    .description('import an nmap XML report (nmap -sV -oX): IoT ports, scan dates, devices not in the inventory')
    .argument('<file>', 'the report written by nmap -oX')
    .requiredOption('--org <org>', 'organization id or slug')
    .addOption(
      new Option('--vantage <where>', 'where the scanner sat: intranet, or inside an isolated segment')
        .choices(['intranet', 'segment'])
        .default('intranet'),
    )
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { org: string; vantage: 'intranet' | 'segment' }, command: Command) => {
      const json = wantsJson(command);
      const c = await collectorsOf(ctx);
      const bytes = await readInput(file, c.maxEvidenceBytes, 'a report');
      const org = await c.organizations.get(opts.org);
      const result = await c.nmapImport.importReport(cliActor(), org.id, bytes, {
        vantage: opts.vantage,
        filename: basename(file),
      });
      if (json) {
        ctx.printJson(result);
        return;
      }
      const s = result.summary;
      const updated = s.matched.filter((m) => m.updated).length;
      ctx.print(
        `imported ${basename(file)}: ${s.hostsUp} ${s.hostsUp === 1 ? 'host' : 'hosts'} up, ${s.matched.length} matched to IoT equipment ` +
          `(${updated} updated), ${s.discovered.length} not in the inventory; run ${result.run.id}\n`,
      );
      for (const d of s.discovered) {
        ctx.print(
          `  not in inventory  ${d.addresses.join(',') || '-'}  ${d.macAddresses.join(',') || '-'}  ${d.vendor ?? ''}  ${d.hostnames.join(',')}\n`,
        );
      }
      for (const m of s.matched.filter((x) => x.defaultCredentials.length > 0)) {
        ctx.print(`  default account   ${m.deviceName}: ${m.defaultCredentials.join('; ')}\n`);
      }
      for (const p of s.problems) ctx.print(`  problem           ${p}\n`);
    });

  const mdm = new Command('mdm')
    .description('import an MDM export (CSV or JSON) into mobile device posture, matched by serial number')
    .argument('<file>', 'the export: Intune, Jamf, osquery/Fleet, or another tool with --map')
    .requiredOption('--org <org>', 'organization id or slug')
    .addOption(
      new Option('--preset <tool>', 'the tool that wrote the export').choices(mdmPresets).makeOptionMandatory(),
    )
    .option(
      '--map <field=column>',
      'map a posture field to a column (repeatable), e.g. serialNumber=Serial',
      collectMapping,
    )
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { org: string; preset: MdmPreset; map?: MdmMapping }, command: Command) => {
      const json = wantsJson(command);
      const c = await collectorsOf(ctx);
      const bytes = await readInput(file, c.maxEvidenceBytes, 'an export');
      const org = await c.organizations.get(opts.org);
      const result = await c.mdmImport.importExport(cliActor(), org.id, bytes, {
        preset: opts.preset,
        mapping: opts.map,
        filename: basename(file),
      });
      if (json) {
        ctx.printJson(result);
        return;
      }
      const s = result.summary;
      ctx.print(
        `imported ${basename(file)} (${s.preset}): ${s.rows} rows, ${s.updated.length} devices updated, ` +
          `${s.unchanged} unchanged, ${s.unknown.length} not in the register; run ${result.run.id}\n`,
      );
      for (const u of s.updated)
        ctx.print(`  updated   ${u.deviceName} (${u.serialNumber}): ${u.changes.join(', ')}\n`);
      for (const u of s.unknown) ctx.print(`  unknown   ${u.serialNumber}  ${u.deviceName ?? ''}  ${u.user ?? ''}\n`);
      for (const k of s.skipped) ctx.print(`  skipped   row ${k.row}: ${k.reason}\n`);
      for (const n of s.notes) ctx.print(`  note      ${n}\n`);
    });

  return [nmap, mdm];
}

/** `ntg app inspect` and `ntg scan tls`. A TLS scan with a fail or error verdict exits 1; bad input exits 2. */
export function collectorCommands(
  ctx: CliContext,
  setExit: (code: number) => void,
  collectorsOf: (ctx: CliContext) => Promise<CliCollectors> = wiredCollectors,
): Command[] {
  const app = new Command('app').description('mobile app packages (APK, IPA)');
  app
    .command('inspect')
    .description("show what an APK or IPA asks for; with --org and --release, set the release's requested permissions")
    .argument('<file>', 'the package')
    .option('--org <org>', 'organization id or slug')
    .option('--release <id>', 'the app release record (rel_…) the package is the build of')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { org?: string; release?: string; json?: boolean }) => {
      if ((opts.org === undefined) !== (opts.release === undefined)) {
        throw new CliUsageError('Give --org and --release together, or neither to only inspect the package.');
      }
      const bytes = await readInput(file, maxPackageBytes, 'a package');
      if (opts.org === undefined || opts.release === undefined) {
        const inspection = inspectAppPackage(bytes, basename(file));
        if (opts.json) ctx.printJson(inspection);
        else ctx.print(inspectionText(inspection));
        return;
      }
      const c = await collectorsOf(ctx);
      const org = await c.organizations.get(opts.org);
      const result = await c.appPackages.attachToRelease(cliActor(), org.id, opts.release, bytes, basename(file));
      if (opts.json) {
        ctx.printJson(result);
        return;
      }
      ctx.print(inspectionText(result.inspection));
      ctx.print(
        `release ${result.release.id}: ${result.release.permissionsRequested.length} permissions requested, ` +
          `${result.release.unapproved.length} not approved${result.release.unapproved.length > 0 ? `: ${result.release.unapproved.join(', ')}` : ''}; run ${result.run.id}\n`,
      );
    });

  const scan = new Command('scan').description('scan endpoints');
  scan
    .command('tls')
    .description('scan TLS endpoints against Directions A35.1 (exit 1 when any fails or cannot be scanned)')
    .argument('[endpoints...]', 'HOST:PORT, e.g. trade.example.com.tw:443')
    .option('--sni <name>', 'server name to send and check the certificate against')
    .option('--ca <file>', 'PEM file of the CAs to trust instead of the system store')
    .option('--org <org>', 'store the scans as collector runs of this organization (evidence, A5.3 or A35.1)')
    .option(
      '--scheduled',
      'with --org: scan what the daily scan covers (cloud service endpoints, registered TLS endpoints)',
    )
    .option('--json', 'print JSON')
    .action(
      async (
        endpoints: string[],
        opts: { sni?: string; ca?: string; org?: string; scheduled?: boolean; json?: boolean },
      ) => {
        if (opts.scheduled && opts.org === undefined) throw new CliUsageError('--scheduled needs --org.');
        if (!opts.scheduled && endpoints.length === 0) {
          throw new CliUsageError('Name at least one endpoint, HOST:PORT (or --org ORG --scheduled).');
        }
        // Every endpoint is checked before the first connection: a typo is exit 2, not a half-done scan.
        const targets = endpoints.map((e) => ({ ...parseTlsEndpoint(e), sni: opts.sni }));
        const caPem =
          opts.ca === undefined ? undefined : (await readInput(opts.ca, 1024 * 1024, 'a CA file')).toString('utf8');
        let results: Pick<TlsEndpointResult, 'endpoint' | 'result' | 'verdicts'>[];
        if (opts.org !== undefined) {
          const c = await collectorsOf(ctx);
          const org = await c.organizations.get(opts.org);
          results = opts.scheduled
            ? (await c.tlsScans.scanScheduled(cliActor(), org.id)).results
            : await c.tlsScans.scan(cliActor(), org.id, {
                endpoints: targets.map((t) => ({ endpoint: formatTlsEndpoint(t), sni: t.sni })),
                caPem,
              });
        } else {
          results = [];
          for (const t of targets) {
            const facts = await scanTlsEndpoint({
              host: t.host,
              port: t.port,
              ...(t.sni === undefined ? {} : { sni: t.sni }),
              ...(caPem === undefined ? {} : { caPem }),
            });
            const judged = judgeTlsEndpoint(facts, new Date());
            results.push({
              endpoint: formatTlsEndpoint(t),
              result: judged.result,
              verdicts: judged.verdicts.map((v) => ({ code: v.code, severity: v.severity, message: v.message })),
            });
          }
        }
        if (opts.json) ctx.printJson({ results });
        else ctx.print(tlsText(results));
        if (results.some((r) => r.result !== 'pass')) setExit(exitStatus.problemFound);
      },
    );

  const collectors = new Command('collectors').description('collector status');
  collectors
    .command('status')
    .description('how each collector stands: runs, newest run, health (ok, failing, stale, never), next scheduled scan')
    .requiredOption('--org <org>', 'organization id or slug')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; json?: boolean }) => {
      const { services, config, clock } = await ctx.runtime();
      const org = await services.organizations.get(opts.org);
      const status = await collectorStatusReader({
        collectorRuns: services.collectorRuns,
        jobs: services.stores.jobs,
        clock,
        scheduledScans: config.scheduledScans,
      })(org);
      if (opts.json) ctx.printJson(status);
      else ctx.print(statusText(status));
    });

  return [app, scan, collectors];
}

function statusText(status: CollectorStatusResponse): string {
  const lines = status.collectors.map((c) => {
    const last = c.lastRun === null ? 'no run yet' : `last ${c.lastRun.status} at ${c.lastRun.finishedAt}`;
    const errors = c.errorsSinceOk > 0 ? `, ${c.errorsSinceOk} errors since the last good run` : '';
    const next = c.nextScheduledAt === null ? '' : `, next scheduled ${c.nextScheduledAt}`;
    return `${c.kind.padEnd(12)} ${c.health.padEnd(8)} ${c.runs} runs, ${last}${errors}${next}`;
  });
  return `${lines.join('\n')}\n`;
}
