import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { resolveSecrets, secretsFilePath } from '../src/config/secrets.ts';
import { gatewayControlsOf } from '../src/wiring/runtime.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ntg-config-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('configuration', () => {
  it('defaults to embedded SQLite under ./data on 127.0.0.1:8080', () => {
    const config = loadConfig({}, '/srv/ntg');
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      role: 'all',
      dataDir: '/srv/ntg/data',
      database: { kind: 'sqlite', file: '/srv/ntg/data/ntg.db' },
    });
  });

  it('is frozen once parsed', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it('selects PostgreSQL for a postgres:// URL', () => {
    const config = loadConfig({ NTG_DATABASE_URL: 'postgres://ntg@db.internal:5432/ntg', NTG_PG_POOL_MAX: '20' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://ntg@db.internal:5432/ntg', poolMax: 20 });
  });

  it('stops start-up on an invalid value with a message that names the variable and the fix', () => {
    expect(() => loadConfig({ NTG_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ NTG_PORT: 'eighty' })).toThrow(/NTG_PORT: use a port number/);
    expect(() => loadConfig({ NTG_DATABASE_URL: 'mysql://x' })).toThrow(/NTG_DATABASE_URL: use a postgres:\/\/ URL/);
    expect(() => loadConfig({ NTG_ROLE: 'both' })).toThrow(/NTG_ROLE: use all, console or gateway/);
  });

  it('refuses a secret shorter than 32 bytes and says how to make one', () => {
    expect(() => loadConfig({ NTG_PEPPER: Buffer.alloc(16).toString('base64') })).toThrow(/openssl rand -base64 32/);
  });
});

describe('secrets', () => {
  it('has no default: a PostgreSQL deployment without secrets refuses to start and lists them', () => {
    const config = loadConfig({ NTG_DATABASE_URL: 'postgres://localhost/ntg', NTG_DATA_DIR: tempDir() });
    expect(() => resolveSecrets(config)).toThrow(
      /NTG_SESSION_KEY, NTG_PEPPER, NTG_AUDIT_KEY, NTG_EVIDENCE_KEY, NTG_API_TOKEN/,
    );
  });

  it('generates embedded secrets on first run into a file only the owner can read, and reuses them', () => {
    const dir = tempDir();
    const config = loadConfig({ NTG_DATA_DIR: dir });
    const first = resolveSecrets(config);
    const file = secretsFilePath(config);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.pepper).toHaveLength(32);
    expect(first.auditKey.equals(first.pepper)).toBe(false);
    const second = resolveSecrets(config);
    expect(second.pepper.equals(first.pepper)).toBe(true);
    expect(second.apiToken).toBe(first.apiToken);
    expect(readFileSync(file, 'utf8')).toContain('"pepper"');
  });

  it('gives two installations different secrets', () => {
    const a = resolveSecrets(loadConfig({ NTG_DATA_DIR: tempDir() }));
    const b = resolveSecrets(loadConfig({ NTG_DATA_DIR: tempDir() }));
    expect(a.pepper.equals(b.pepper)).toBe(false);
    expect(a.apiToken).not.toBe(b.apiToken);
  });

  it('refuses a secrets file that other users can read', () => {
    const dir = tempDir();
    const config = loadConfig({ NTG_DATA_DIR: dir });
    resolveSecrets(config);
    chmodSync(secretsFilePath(config), 0o644);
    expect(() => resolveSecrets(config)).toThrow(/chmod 600/);
  });

  it('prefers secrets from the environment over the generated file', () => {
    const pepper = Buffer.alloc(32, 5);
    const config = loadConfig({ NTG_DATA_DIR: tempDir(), NTG_PEPPER: pepper.toString('base64') });
    expect(resolveSecrets(config).pepper.equals(pepper)).toBe(true);
  });
});

describe('the gateway reports its effective controls (A36.1, A36.2, A37.5, A37.6)', () => {
  it('turns the configuration into the facts the checks read, with the lockout threshold of the code', () => {
    const config = loadConfig({
      NTG_GATEWAY_FACTOR_KINDS: 'knowledge,inherence',
      NTG_GATEWAY_REVIEWED_AUTHENTICATORS: 'platform-biometric',
      NTG_ARGON2_MEMORY_KIB: '65536',
      NTG_PASSWORD_MAX_AGE_DAYS: '60',
    });
    expect(gatewayControlsOf(config)).toEqual({
      factorKinds: ['knowledge', 'inherence'],
      reviewedAuthenticatorTypes: ['platform-biometric'],
      lockoutThreshold: 3,
      argon2: { memoryKib: 65536, iterations: 2, parallelism: 1 },
      pepperOutsideDatabase: true,
      passwordMaxAgeDays: 60,
      personalDataAudit: true,
      sessionIdleMinutes: 15,
      sessionMaxHours: 8,
    });
  });
});

describe('notification delivery settings (A38.2)', () => {
  it('takes SMTP and the webhook secret from the environment, and refuses SMTP without a sender', () => {
    const secret = Buffer.alloc(32, 9).toString('base64');
    const config = loadConfig({
      NTG_SMTP_URL: 'smtp://notice:pw@mail.example.com.tw:587',
      NTG_SMTP_FROM: 'notice@example.com.tw',
      NTG_WEBHOOK_SECRET: secret,
    });
    expect(config.notifications.smtp).toEqual({
      url: 'smtp://notice:pw@mail.example.com.tw:587',
      from: 'notice@example.com.tw',
    });
    expect(config.notifications.webhookSecret).toEqual(Buffer.alloc(32, 9));
    expect(() => loadConfig({ NTG_SMTP_URL: 'smtp://mail.example.com.tw' })).toThrow(/set both/);
    expect(() => loadConfig({ NTG_SMTP_URL: 'http://mail', NTG_SMTP_FROM: 'a@b.tw' })).toThrow(ConfigError);
    expect(() => loadConfig({ NTG_WEBHOOK_SECRET: 'short' })).toThrow(/32 random bytes/);
    expect(loadConfig({}).notifications).toEqual({});
  });
});
