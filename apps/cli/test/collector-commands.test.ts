import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffCatalogs, listCatalogVersions, loadCatalog } from '@ntg/catalog';
import { isClientError } from '@ntg/contracts';
import { createCatalogService, isAppError } from '@ntg/core';
import { createUnitOfWork } from '@ntg/db';
import { openRuntime, type Runtime } from '@ntg/server';
import { testActor } from '@ntg/test-kit';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApk } from '../../../packages/core/src/collectors/app-package/package-test-writers.ts';
import { nmapReport, printerPorts } from '../../../packages/core/src/collectors/nmap/nmap-test-reports.ts';
import {
  startTlsTestBed,
  type TestBed,
  toolAvailability,
} from '../../../packages/core/src/collectors/tls/tls-test-bed.ts';
import { createCollectorServices } from '../../server/src/wiring/collector-services.ts';
import type { CliContext } from '../src/cli-io.ts';
import { exitStatus } from '../src/cli-io.ts';
import { CliUsageError } from '../src/commands/assess-command.ts';
import {
  type CliCollectors,
  collectorCommands,
  collectorImportCommands,
  wiredCollectors,
} from '../src/commands/collector-commands.ts';
import { importExportCommands } from '../src/commands/import-export-command.ts';

/** The collector commands in a program built as main.ts builds it: `ntg import nmap|mdm`, `ntg app`, `ntg scan`. */
const dataDir = mkdtempSync(join(tmpdir(), 'ntg-cli-collectors-'));
const env = { NTG_DATA_DIR: dataDir };
let runtime: Runtime | undefined;

async function collectorsOf(ctx: CliContext): Promise<CliCollectors> {
  const r = await ctx.runtime();
  try {
    return await wiredCollectors(ctx);
  } catch {
    const c = createCollectorServices({
      uow: createUnitOfWork(r.handle),
      stores: r.services.stores,
      evidence: r.services.evidence,
      registers: r.services.registers,
      audit: r.services.audit,
      clock: r.clock,
      listener: r.services.changes,
    });
    return { organizations: r.services.organizations, ...c, maxEvidenceBytes: r.services.evidence.maxBytes };
  }
}

async function ntg(args: string[]) {
  let stdout = '';
  let stderr = '';
  let exitCode: number = exitStatus.ok;
  const ctx: CliContext = {
    env,
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    async runtime() {
      runtime ??= await openRuntime(env);
      return runtime;
    },
    catalog: () => createCatalogService({ load: loadCatalog, versions: listCatalogVersions, diff: diffCatalogs }),
    print: (s) => (stdout += s),
    printJson: (v) => (stdout += `${JSON.stringify(v, null, 2)}\n`),
  };
  const program = new Command('ntg');
  for (const c of importExportCommands(ctx)) program.addCommand(c);
  const importCommand = program.commands.find((c) => c.name() === 'import');
  for (const c of collectorImportCommands(ctx, collectorsOf)) importCommand?.addCommand(c);
  for (const c of collectorCommands(ctx, (code) => (exitCode = code), collectorsOf)) program.addCommand(c);
  const configure = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
    for (const sub of cmd.commands) configure(sub);
  };
  configure(program);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    // The same mapping as runCli: usage and client errors are exit 2.
    if (error instanceof CommanderError) exitCode = error.exitCode === 0 ? 0 : exitStatus.badInput;
    else if (error instanceof CliUsageError) exitCode = exitStatus.badInput;
    else if (isAppError(error)) {
      stderr += `ntg: ${error.message}\n`;
      exitCode = isClientError(error.code) ? exitStatus.badInput : exitStatus.internal;
    } else throw error;
  }
  return { code: exitCode, stdout, stderr };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dataDir, name);
  writeFileSync(path, content);
  return path;
}

let org = '';
beforeAll(async () => {
  runtime = await openRuntime(env);
  org = (await runtime.services.organizations.create(testActor, { slug: 'cli-collect', name: 'CLI', profile: {} })).id;
  await runtime.services.registers.create(testActor, org, 'iot-devices', {
    name: 'Printer 3F',
    owner: 'GA',
    kind: 'printer',
    ipAddresses: ['10.20.0.15'],
  });
});
afterAll(async () => {
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('ntg import nmap and ntg import mdm', () => {
  it('imports a report and names the hosts not in the inventory', async () => {
    const report = file(
      'scan.xml',
      nmapReport([
        { ip: '10.20.0.15', ports: printerPorts },
        { ip: '10.20.0.40', vendor: 'Hikvision' },
      ]),
    );
    const r = await ntg(['import', 'nmap', report, '--org', 'cli-collect']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /imported scan\.xml: 2 hosts up, 1 matched to IoT equipment \(1 updated\), 1 not in the inventory; run crun_/,
    );
    expect(r.stdout).toMatch(/not in inventory {2}10\.20\.0\.40/);
  });

  it('`ntg collectors status` shows the network scan ok and the others never run; an unknown org is exit 2', async () => {
    const r = await ntg(['collectors', 'status', '--org', 'cli-collect']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^nmap-import {2}ok {7}1 runs, last ok at /m);
    expect(r.stdout).toMatch(/^mdm-import {3}never {4}0 runs, no run yet$/m);
    const json = await ntg(['collectors', 'status', '--org', 'cli-collect', '--json']);
    expect(JSON.parse(json.stdout).collectors).toHaveLength(4);
    const missing = await ntg(['collectors', 'status', '--org', 'nobody']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^ntg: .*nobody/);
  });

  it('refuses an XXE report with exit status 2', async () => {
    const evil = file('evil.xml', '<!DOCTYPE nmaprun [<!ENTITY x SYSTEM "file:///etc/passwd">]><nmaprun>&x;</nmaprun>');
    const r = await ntg(['import', 'nmap', evil, '--org', 'cli-collect']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/internal DTD subset is refused/);
  });

  it('imports an MDM export with a custom mapping', async () => {
    await runtime?.services.registers.create(testActor, org, 'mobile-devices', {
      name: 'iPad',
      owner: 'B',
      ownership: 'business',
      holder: 'A',
      serialNumber: 'XYZ789',
    });
    const csv = file('other-mdm.csv', 'Serial,Rooted\nXYZ789,no\nNOPE,yes\n');
    const r = await ntg([
      'import',
      'mdm',
      csv,
      '--org',
      'cli-collect',
      '--preset',
      'custom',
      '--map',
      'serialNumber=Serial',
      '--map',
      'jailbrokenOrRooted=Rooted',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ rows: 2, unknown: [{ serialNumber: 'NOPE' }] });
    const bad = await ntg([
      'import',
      'mdm',
      csv,
      '--org',
      'cli-collect',
      '--preset',
      'custom',
      '--map',
      'colour=Serial',
    ]);
    expect(bad.code).toBe(2);
  });

  it('still imports a bundle with `ntg import FILE`', async () => {
    const r = await ntg(['import', join(dataDir, 'missing-bundle.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot read .*missing-bundle\.yaml/);
  });
});

describe('ntg app inspect', () => {
  it('inspects a package without any organization', async () => {
    const apk = file('trade.apk', buildApk({ permissions: ['android.permission.CAMERA'], debuggable: true }));
    const r = await ntg(['app', 'inspect', apk, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      kind: 'apk',
      permissions: ['android.permission.CAMERA'],
      android: { debuggable: true },
    });
    const text = await ntg(['app', 'inspect', apk]);
    expect(text.stdout).toMatch(/warning: android:debuggable is true/);
  });

  it('needs --org and --release together, and refuses what is no package', async () => {
    const apk = file('x.apk', buildApk());
    expect((await ntg(['app', 'inspect', apk, '--org', 'cli-collect'])).code).toBe(2);
    expect((await ntg(['app', 'inspect', file('x.txt', 'hello')])).code).toBe(2);
    expect((await ntg(['app', 'inspect', join(dataDir, 'nope.apk')])).code).toBe(2);
  });
});

const openssl = toolAvailability('openssl');

describe.skipIf(!openssl.available)(`ntg scan tls [${openssl.reason}]`, () => {
  let bed: TestBed;
  let ca = '';
  beforeAll(async () => {
    bed = await startTlsTestBed({ only: ['tls12-ecdhe-only', 'tls10-11-only'] });
    ca = bed.caFile;
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('exits 0 for an endpoint that passes and 1 for one that accepts TLS 1.0', async () => {
    const good = bed.server('tls12-ecdhe-only');
    const bad = bed.server('tls10-11-only');
    const ok = await ntg(['scan', 'tls', `${good.host}:${good.port}`, '--sni', 'localhost', '--ca', ca]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^PASS {2}127\.0\.0\.1:\d+/);
    const failing = await ntg(['scan', 'tls', `${bad.host}:${bad.port}`, '--sni', 'localhost', '--ca', ca, '--json']);
    expect(failing.code).toBe(1);
    expect(JSON.parse(failing.stdout).results[0]).toMatchObject({
      result: 'fail',
      verdicts: [expect.objectContaining({ code: 'PROTOCOL_BELOW_TLS12' }), expect.anything()],
    });
  });

  it('exits 2 for a malformed endpoint, before connecting anywhere', async () => {
    const r = await ntg(['scan', 'tls', 'trade.example.com']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not an endpoint/);
  });

  it('stores the scan as a collector run of the organization with --org', async () => {
    const good = bed.server('tls12-ecdhe-only');
    const r = await ntg([
      'scan',
      'tls',
      `${good.host}:${good.port}`,
      '--sni',
      'localhost',
      '--ca',
      ca,
      '--org',
      'cli-collect',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({
      nodeId: 'A35.1',
      result: 'pass',
      runId: expect.stringMatching(/^crun_/),
    });
  });
});
