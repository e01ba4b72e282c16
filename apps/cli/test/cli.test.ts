import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openDatabase } from '@ntg/db';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/main.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'ntg-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function ntg(args: string[], env: NodeJS.ProcessEnv = { NTG_DATA_DIR: dataDir }) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { env, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe('ntg catalog', () => {
  it('shows A37.5 as JSON with obligation shall and the parameter 3', async () => {
    const r = await ntg(['catalog', 'show', 'A37.5', '--json']);
    expect(r.code).toBe(0);
    const node = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const key of [
      'id',
      'parentId',
      'article',
      'chapter',
      'kind',
      'title',
      'text',
      'obligation',
      'statements',
      'actor',
      'cadence',
      'parameters',
      'applicability',
    ]) {
      expect(node).toHaveProperty(key);
    }
    expect(node).toMatchObject({
      id: 'A37.5',
      obligation: 'shall',
      parameters: expect.arrayContaining([expect.objectContaining({ value: 3 })]),
    });
  });

  it('lists one chapter', async () => {
    const r = await ntg(['catalog', 'list', '--chapter', '7', '--json']);
    const body = JSON.parse(r.stdout) as { nodes: { article: number }[] };
    expect(r.code).toBe(0);
    expect(new Set(body.nodes.map((n) => n.article))).toEqual(new Set([39, 40, 41, 42]));
  });

  it('prints a readable node without --json', async () => {
    const r = await ntg(['catalog', 'show', 'A17.4.5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wireless/);
  });

  it('answers an unknown id with exit status 2 and one line', async () => {
    const r = await ntg(['catalog', 'show', 'A99.1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^ntg: No node A99\.1/);
  });

  it('answers an out-of-range chapter with exit status 2 and one line', async () => {
    const r = await ntg(['catalog', 'list', '--chapter', '9']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--chapter takes a whole number from 1 to 7/);
  });

  it('reports no difference between a version and itself', async () => {
    const r = await ntg(['catalog', 'diff', '2022-05-11', '2022-05-11', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ added: [], removed: [], changed: [] });
  });

  it('names an unknown version in one line with exit status 2', async () => {
    const r = await ntg(['catalog', 'diff', '2022-05-11', '2024-12-27']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ntg: No catalog version "2024-12-27"/);
  });
});

describe('ntg usage errors', () => {
  it('answers an unknown command with exit status 2 and one line', async () => {
    const r = await ntg(['catalgo']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints help and the version with exit status 0', async () => {
    expect((await ntg(['--help'])).code).toBe(0);
    const v = await ntg(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('answers an invalid environment with exit status 2 and one line naming the variable', async () => {
    const r = await ntg(['org', 'list'], { NTG_DATA_DIR: dataDir, NTG_PORT: 'x' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/NTG_PORT/);
  });
});

describe('ntg org and ntg audit', () => {
  it('creates an organization, answers scope questions and lists which nodes apply', async () => {
    const created = await ntg([
      'org',
      'create',
      '--slug',
      'gamma-trust',
      '--name',
      'Gamma Investment Trust',
      '--kind',
      'investment-trust',
      '--set',
      'offersInternetTrading=true',
    ]);
    expect(created.code).toBe(0);
    const profile = await ntg(['org', 'profile', 'gamma-trust', '--set', 'hasIotEquipment=true', '--json']);
    expect(JSON.parse(profile.stdout)).toMatchObject({
      profile: { hasIotEquipment: true, offersInternetTrading: true },
    });
    const app = await ntg(['org', 'applicability', 'gamma-trust', '--json']);
    const results = (JSON.parse(app.stdout) as { results: { nodeId: string; applicable: boolean }[] }).results;
    expect(results.find((r) => r.nodeId === 'A26')?.applicable).toBe(true);
    expect(results.find((r) => r.nodeId === 'A13.3')?.applicable).toBe(false);
  });

  it('refuses a malformed --set with exit status 2', async () => {
    const r = await ntg(['org', 'profile', 'gamma-trust', '--set', 'hasIotEquipment']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/QUESTION=true\|false/);
  });

  it('refuses an unknown scope question with exit status 2 and leaves the profile unchanged', async () => {
    const r = await ntg(['org', 'profile', 'gamma-trust', '--set', 'usesBlockchain=true']);
    expect(r.code).toBe(2);
    const profile = await ntg(['org', 'profile', 'gamma-trust', '--json']);
    expect(JSON.parse(profile.stdout).profile).not.toHaveProperty('usesBlockchain');
  });

  it('verifies an intact chain, then names the first broken link after tampering, with exit status 1', async () => {
    const ok = await ntg(['audit', 'verify', '--org', 'gamma-trust']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok\s+gamma-trust: 2 entries/);

    const handle = openDatabase({ kind: 'sqlite', file: join(dataDir, 'ntg.db') });
    await sql`drop trigger audit_entries_no_update`.execute(handle.db);
    await sql`update audit_entries set actor_id = 'someone-else' where seq = 2`.execute(handle.db);
    await handle.close();

    const broken = await ntg(['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN\s+gamma-trust: entry 2: .*edited/);
  });
});

describe('ntg evidence', () => {
  it('stores a file content-addressed, lists it with its SHA-256, and verifies it', async () => {
    const file = join(dataDir, 'policy.txt');
    writeFileSync(file, 'Social media use policy v3, reviewed 2026-03-01.\n');
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    const added = await ntg(['evidence', 'add', file, '--org', 'gamma-trust', '--link', 'node:A12.1']);
    expect(added.code).toBe(0);
    const list = await ntg(['evidence', 'list', '--org', 'gamma-trust', '--json']);
    expect(list.stdout).toContain(sha);
    expect((await ntg(['evidence', 'verify', '--org', 'gamma-trust'])).code).toBe(0);
  });

  it('refuses a link to a malformed node id with exit status 2', async () => {
    const file = join(dataDir, 'policy.txt');
    const r = await ntg(['evidence', 'add', file, '--org', 'gamma-trust', '--link', 'node:Article-12']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('ntg assess', () => {
  it('evaluates an organization and prints every applicable requirement with its status and reason as JSON', async () => {
    const r = await ntg(['assess', '--org', 'gamma-trust', '--json']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as {
      nodes: { nodeId: string; status: string; reason: string }[];
      findings: unknown[];
    };
    expect(body.nodes.find((n) => n.nodeId === 'A4.1')).toMatchObject({
      status: 'not-applicable',
      reason: expect.stringMatching(/cloud/),
    });
    expect(body.nodes.find((n) => n.nodeId === 'A23')?.status).toMatch(/fail|needs-evidence/);
    expect(Array.isArray(body.findings)).toBe(true);
  });

  it('asks for --org with exit status 2 when there are several organizations', async () => {
    await ntg(['org', 'create', '--slug', 'delta-sec', '--name', 'Delta Securities']);
    const r = await ntg(['assess']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ntg: There are 2 organizations: name one with --org/);
  });
});

describe('the ntg executable', () => {
  it('runs from the repository through npx', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'ntg', '--version'], { cwd: root });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
