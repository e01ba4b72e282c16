import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type Config, ConfigError, type Secrets } from './config.ts';

const secretNames = ['sessionKey', 'pepper', 'auditKey', 'evidenceKey', 'apiToken'] as const;
const envNames: Record<(typeof secretNames)[number], string> = {
  sessionKey: 'NTG_SESSION_KEY',
  pepper: 'NTG_PEPPER',
  auditKey: 'NTG_AUDIT_KEY',
  evidenceKey: 'NTG_EVIDENCE_KEY',
  apiToken: 'NTG_API_TOKEN',
};

const secretsFileSchema = z.object({
  sessionKey: z.string(),
  pepper: z.string(),
  auditKey: z.string(),
  evidenceKey: z.string(),
  apiToken: z.string(),
});

export function secretsFilePath(config: Config): string {
  return join(config.dataDir, 'secrets.json');
}

/**
 * Secrets come from the environment. In the embedded default only (SQLite), the missing ones are generated on first
 * run into `<data>/secrets.json`, readable by the owner alone; a PostgreSQL deployment runs several instances that
 * must share them, so there a missing secret stops start-up. The pepper lives outside the database on purpose
 * (Directions A36.2: "added with unknown data"): a stolen database alone does not allow offline guessing.
 */
export function resolveSecrets(config: Config): Readonly<Secrets> {
  const missing = secretNames.filter((n) => config.givenSecrets[n] === undefined);
  if (missing.length === 0) return Object.freeze({ ...(config.givenSecrets as Secrets) });
  if (config.database.kind === 'postgres') {
    throw new ConfigError(
      `Missing secrets for a PostgreSQL deployment: set ${missing.map((n) => envNames[n]).join(', ')} ` +
        '(each from `openssl rand -base64 32`), the same on every instance.',
    );
  }
  const file = secretsFilePath(config);
  let stored: z.infer<typeof secretsFileSchema>;
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new ConfigError(
        `${file} is readable by other users (mode ${mode.toString(8)}); run \`chmod 600 ${file}\`.`,
      );
    }
    const parsed = secretsFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success)
      throw new ConfigError(`${file} is damaged; restore it from backup (the audit key verifies the trail).`);
    stored = parsed.data;
  } else {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    stored = {
      sessionKey: randomBytes(32).toString('base64'),
      pepper: randomBytes(32).toString('base64'),
      auditKey: randomBytes(32).toString('base64'),
      evidenceKey: randomBytes(32).toString('base64'),
      apiToken: randomBytes(32).toString('base64url'),
    };
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  return Object.freeze({
    sessionKey: config.givenSecrets.sessionKey ?? Buffer.from(stored.sessionKey, 'base64'),
    pepper: config.givenSecrets.pepper ?? Buffer.from(stored.pepper, 'base64'),
    auditKey: config.givenSecrets.auditKey ?? Buffer.from(stored.auditKey, 'base64'),
    evidenceKey: config.givenSecrets.evidenceKey ?? Buffer.from(stored.evidenceKey, 'base64'),
    apiToken: config.givenSecrets.apiToken ?? stored.apiToken,
  });
}
