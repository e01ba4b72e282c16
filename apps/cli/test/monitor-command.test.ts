import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffCatalogs, listCatalogVersions, loadCatalog } from '@ntg/catalog';
import { isClientError, type MonitoringReport } from '@ntg/contracts';
import { createCatalogService, isAppError } from '@ntg/core';
import { openRuntime, type Runtime } from '@ntg/server';
import { testActor } from '@ntg/test-kit';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliContext, exitStatus } from '../src/cli-io.ts';
import { monitorCommand } from '../src/commands/monitor-command.ts';

/** `ntg monitor daily` in a program built as main.ts builds it. */
const dataDir = mkdtempSync(join(tmpdir(), 'ntg-cli-monitor-'));
const env = { NTG_DATA_DIR: dataDir };
let runtime: Runtime | undefined;

async function ntg(args: string[]) {
  let stdout = '';
  let stderr = '';
  let code: number = exitStatus.ok;
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
  const program = new Command('ntg').addCommand(monitorCommand(ctx));
  const configure = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
    for (const sub of cmd.commands) configure(sub);
  };
  configure(program);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) code = error.exitCode === 0 ? 0 : exitStatus.badInput;
    else if (isAppError(error)) {
      stderr += `ntg: ${error.message}\n`;
      code = isClientError(error.code) ? exitStatus.badInput : exitStatus.internal;
    } else throw error;
  }
  return { code, stdout, stderr };
}

beforeAll(async () => {
  runtime = await openRuntime(env);
  const org = await runtime.services.organizations.create(testActor, { slug: 'cli-watch', name: 'CLI', profile: {} });
  for (let i = 0; i < 6; i += 1) {
    await runtime.services.stores.identity.attempts.record({
      id: `lat_${i}`,
      at: `2026-06-14T03:0${i}:00.000Z`,
      organizationId: org.id,
      identifier: 'A123456789',
      accountId: 'cla_1',
      source: `192.0.2.${i}`,
      purpose: 'login',
      factorKind: 'knowledge',
      outcome: 'failure',
    });
  }
});
afterAll(async () => {
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('ntg monitor daily (A37.7)', () => {
  it('analyses the named day and prints counts and patterns', async () => {
    const r = await ntg(['monitor', 'daily', '--org', 'cli-watch', '--date', '2026-06-14']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cli-watch 2026-06-14 (Asia/Taipei): 6 attempts');
    expect(r.stdout).toContain('PATTERN distributed-on-account');
  });

  it('prints JSON with --json, defaulting to yesterday in Asia/Taipei', async () => {
    const r = await ntg(['monitor', 'daily', '--org', 'cli-watch', '--json']);
    expect(r.code).toBe(0);
    const { reports } = JSON.parse(r.stdout) as { reports: MonitoringReport[] };
    const yesterday = new Date(Date.now() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
    expect(reports.map((x) => x.date)).toEqual([yesterday]);
  });

  it('exits 2 on a date that does not exist', async () => {
    const r = await ntg(['monitor', 'daily', '--org', 'cli-watch', '--date', '2026-02-30']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Not a date');
  });
});
