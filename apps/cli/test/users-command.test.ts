import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/main.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'ntg-cli-users-'));
const env = { NTG_DATA_DIR: dataDir, NTG_DEMO: 'false' };

async function ntg(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { env, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('ntg users', () => {
  it('create-admin prints a one-time setup link headless, at the given address', async () => {
    const { code, stdout } = await ntg('users', 'create-admin', '--base-url', 'https://ntg.example.com.tw', '--json');
    expect(code).toBe(0);
    const { url, expiresAt } = JSON.parse(stdout);
    expect(url).toMatch(/^https:\/\/ntg\.example\.com\.tw\/setup\/ntgc_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
  });

  it('lists no users yet, and refuses a bad base URL or an unknown user with exit 2 and one line', async () => {
    expect((await ntg('users', 'list')).stdout).toContain('No console users yet');
    const bad = await ntg('users', 'create-admin', '--base-url', 'not a url');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const unknown = await ntg('users', 'unlock', 'nobody@example.com.tw', '--reason', 'verified by phone');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No console user');
  });
});
