import { isAbsolute, resolve } from 'node:path';
import { type FactorKind, factorKinds } from '@ntg/contracts';
import { createWebauthnPolicy, isAaguid, WebauthnPolicyError } from '@ntg/core';
import { z } from 'zod';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'use true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A secret given in the environment: base64 (or base64url) of at least 32 random bytes. */
const secretFromEnv = z.string().transform((v, ctx) => {
  const bytes = Buffer.from(v, /^[A-Za-z0-9_-]+$/.test(v) ? 'base64url' : 'base64');
  if (bytes.length < 32) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be at least 32 random bytes, base64; make one with `openssl rand -base64 32`',
    });
    return z.NEVER;
  }
  return bytes;
});

/**
 * The factor kinds every gateway login must prove (Directions A36.1: two or more of knowledge, possession and
 * inherence). A kind named twice counts once, so "knowledge,knowledge" is refused like "knowledge".
 */
const factorKindsFromEnv = z.string().transform((v, ctx) => {
  const kinds: FactorKind[] = [];
  for (const part of v.split(',').map((p) => p.trim().toLowerCase())) {
    if (part === '') continue;
    if (!(factorKinds as readonly string[]).includes(part)) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not a factor kind; use ${factorKinds.join(', ')}` });
      return z.NEVER;
    }
    if (!kinds.includes(part as FactorKind)) kinds.push(part as FactorKind);
  }
  if (kinds.length < 2) {
    ctx.addIssue({
      code: 'custom',
      message: 'name at least two different factor kinds (Directions A36.1), e.g. knowledge,possession',
    });
    return z.NEVER;
  }
  return kinds;
});

const commaList = z.string().transform((v) =>
  v
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== ''),
);

/**
 * The whole environment the product reads, in one schema. Parsed once at start-up; an invalid value stops the
 * process with a message that names the variable and how to fix it. No secret has a default.
 */
export const envSchema = z.object({
  NTG_HOST: z.string().min(1).default('127.0.0.1'),
  NTG_PORT: z.coerce.number({ message: 'use a port number' }).int().min(0).max(65535).default(8080),
  NTG_ROLE: z.enum(['all', 'console', 'gateway'], { message: 'use all, console or gateway' }).default('all'),
  NTG_DATA_DIR: z.string().min(1).default('./data'),
  NTG_DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'use a postgres:// URL, or leave it unset for embedded SQLite')
    .optional(),
  NTG_PG_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  NTG_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NTG_DEMO: booleanFromEnv.default(true),
  NTG_TRUST_PROXY: booleanFromEnv.default(false),
  // Transport encryption of the listener (Directions A35.1); see docs/adr/0015-gateway-tls.md.
  NTG_TLS: z.enum(['off', 'on', 'auto'], { message: 'use off, on or auto' }).default('auto'),
  NTG_TLS_CERT_FILE: z.string().min(1, 'give the path of a PEM certificate chain, leaf first').optional(),
  NTG_TLS_KEY_FILE: z.string().min(1, 'give the path of the PEM private key of that certificate').optional(),
  NTG_SCHEDULED_SCANS: booleanFromEnv.default(true),
  NTG_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  NTG_EVIDENCE_MAX_BYTES: z.coerce
    .number({ message: 'use a number of bytes' })
    .int()
    .min(1)
    .max(1024 ** 3)
    .default(25 * 1024 * 1024),
  // The e-trading identity gateway (Directions A36, A37).
  NTG_GATEWAY_FACTOR_KINDS: factorKindsFromEnv.default(['knowledge', 'possession']),
  NTG_GATEWAY_REVIEWED_AUTHENTICATORS: commaList.default([]),
  NTG_PASSWORD_MAX_AGE_DAYS: z.coerce
    .number({ message: 'use a number of days' })
    .int()
    .min(1)
    .max(92, 'A37.6 asks for a change reminder after three months: use at most 92 days')
    .default(90),
  NTG_ARGON2_MEMORY_KIB: z.coerce
    .number({ message: 'use a number of KiB' })
    .int()
    .min(19456, 'use at least 19456 KiB (OWASP minimum for Argon2id)')
    .max(4 * 1024 * 1024)
    .default(19456),
  NTG_ARGON2_ITERATIONS: z.coerce
    .number({ message: 'use a number of passes' })
    .int()
    .min(2, 'use at least 2 passes (OWASP minimum for Argon2id at 19 MiB)')
    .max(100)
    .default(2),
  NTG_GATEWAY_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(120).default(15),
  NTG_GATEWAY_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24).default(8),
  // Signed orders (A35.4): how far an order's timestamp may be from the server's clock, either way.
  NTG_ORDER_SKEW_SECONDS: z.coerce
    .number({ message: 'use a number of seconds' })
    .int()
    .min(5, 'use at least 5 seconds; clients cannot keep a tighter clock')
    .max(900, 'use at most 900 seconds (15 minutes); a wider window weakens replay protection')
    .default(120),
  NTG_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'use smtp://user:password@host:587 or smtps://…')
    .optional(),
  NTG_SMTP_FROM: z.string().email('use the sender address, e.g. notice@example.com.tw').optional(),
  NTG_WEBHOOK_SECRET: secretFromEnv.optional(),
  // WebAuthn (ADR 0016): the site credentials are bound to, the origins pages are served from, and what the
  // gateway and console accept. Unset, the RP ID is localhost and the origin http://localhost:<port>.
  NTG_WEBAUTHN_RP_ID: z.string().min(1).max(253).optional(),
  NTG_WEBAUTHN_ORIGINS: commaList.optional(),
  NTG_WEBAUTHN_RP_NAME: z.string().min(1).max(64).default('NewTech Guard'),
  NTG_GATEWAY_WEBAUTHN_SYNCED: z.enum(['allow', 'refuse'], { message: 'use allow or refuse' }).default('refuse'),
  NTG_GATEWAY_WEBAUTHN_AAGUIDS: commaList
    .refine((list) => list.every(isAaguid), 'list AAGUIDs (UUIDs) separated by commas')
    .default([]),
  NTG_CONSOLE_WEBAUTHN_SYNCED: z.enum(['allow', 'refuse'], { message: 'use allow or refuse' }).default('allow'),
  NTG_CONSOLE_IDLE_MINUTES: z.coerce.number().int().min(5).max(240).default(30),
  NTG_CONSOLE_SESSION_HOURS: z.coerce.number().int().min(1).max(24).default(12),
  NTG_API_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters; make one with `openssl rand -base64 32`')
    .optional(),
  NTG_SESSION_KEY: secretFromEnv.optional(),
  NTG_PEPPER: secretFromEnv.optional(),
  NTG_AUDIT_KEY: secretFromEnv.optional(),
  NTG_EVIDENCE_KEY: secretFromEnv.optional(),
});

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolMax: number };

/** The identity gateway's policy, checked again by core's createGatewayPolicy when the gateway is wired. */
export interface GatewayConfig {
  factorKinds: FactorKind[];
  reviewedAuthenticatorTypes: string[];
  passwordMaxAgeDays: number;
  argon2: { memoryKib: number; iterations: number };
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /** Absent: WebAuthn proofs are refused (tests that do not need it). */
  webauthn?: Readonly<GatewayWebauthnConfig>;
}

/** Where WebAuthn credentials live (one RP ID for the whole installation) and the gateway's attestation policy. */
export interface WebauthnSiteConfig {
  rpId: string;
  rpName: string;
  origins: string[];
}

export interface GatewayWebauthnConfig extends WebauthnSiteConfig {
  /** Synced passkeys (backup eligible): refused by default, A36.1.2 asks for a device agreed with the firm. */
  synced: 'allow' | 'refuse';
  /** Authenticator models that may be registered; empty: any model the synced rule lets through. */
  registrationAaguids: string[];
}

/**
 * How the listener speaks (Directions A35.1: transmissions are encrypted). Plain HTTP only on a loopback address or
 * behind a TLS-terminating proxy; elsewhere TLS with the operator's certificate, or in the embedded default a local
 * certificate generated into the data folder (docs/adr/0015).
 */
export type TlsConfig =
  | { enabled: false; reason: 'off' | 'loopback' | 'proxy' }
  | { enabled: true; source: 'files'; certFile: string; keyFile: string }
  | { enabled: true; source: 'generated'; dir: string };

export interface Config {
  host: string;
  port: number;
  role: 'all' | 'console' | 'gateway';
  dataDir: string;
  database: DatabaseConfig;
  logLevel: z.infer<typeof envSchema>['NTG_LOG_LEVEL'];
  demo: boolean;
  trustProxy: boolean;
  tls: Readonly<TlsConfig>;
  /** The daily TLS scan of registered and cloud endpoints (A5.3, A35.1), once a day across instances. */
  scheduledScans: boolean;
  rateLimitPerMinute: number;
  evidenceMaxBytes: number;
  gateway: Readonly<GatewayConfig>;
  /** Signed orders (A35): the accepted clock skew of order timestamps. */
  orders: Readonly<{ skewSeconds: number }>;
  /** A38.2 delivery: e-mail through SMTP and an HTTP webhook (SMS, push) when configured; the file sink otherwise. */
  notifications: Readonly<{ smtp?: { url: string; from: string }; webhookSecret?: Buffer }>;
  /** Console sessions end after this long idle, and in any case after `sessionHours`. */
  console: Readonly<{
    idleMinutes: number;
    sessionHours: number;
    /** Absent: console sign-in offers TOTP only. */
    webauthn?: Readonly<WebauthnSiteConfig & { synced: 'allow' | 'refuse' }>;
  }>;
  /** Secrets given in the environment; the rest are generated (embedded SQLite only) by `resolveSecrets`. */
  givenSecrets: Partial<Secrets>;
}

export interface Secrets {
  sessionKey: Buffer;
  pepper: Buffer;
  auditKey: Buffer;
  evidenceKey: Buffer;
  /** Bearer token for automation (scripts, CI); people sign in to the console. Compared in constant time. */
  apiToken: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if ((e.NTG_SMTP_URL === undefined) !== (e.NTG_SMTP_FROM === undefined)) {
    throw new ConfigError(
      'Invalid configuration:\n  NTG_SMTP_URL and NTG_SMTP_FROM: set both to send e-mail, or neither',
    );
  }
  const site: WebauthnSiteConfig = {
    rpId: e.NTG_WEBAUTHN_RP_ID ?? 'localhost',
    rpName: e.NTG_WEBAUTHN_RP_NAME,
    origins:
      e.NTG_WEBAUTHN_ORIGINS ??
      (e.NTG_WEBAUTHN_RP_ID === undefined ? [`http://localhost:${e.NTG_PORT}`] : [`https://${e.NTG_WEBAUTHN_RP_ID}`]),
  };
  try {
    createWebauthnPolicy(site);
  } catch (error) {
    if (error instanceof WebauthnPolicyError) {
      throw new ConfigError(`Invalid configuration:\n  NTG_WEBAUTHN_RP_ID / NTG_WEBAUTHN_ORIGINS: ${error.message}`);
    }
    throw error;
  }
  const dataDir = isAbsolute(e.NTG_DATA_DIR) ? e.NTG_DATA_DIR : resolve(cwd, e.NTG_DATA_DIR);
  const givenSecrets: Partial<Secrets> = {};
  if (e.NTG_SESSION_KEY) givenSecrets.sessionKey = e.NTG_SESSION_KEY;
  if (e.NTG_PEPPER) givenSecrets.pepper = e.NTG_PEPPER;
  if (e.NTG_AUDIT_KEY) givenSecrets.auditKey = e.NTG_AUDIT_KEY;
  if (e.NTG_EVIDENCE_KEY) givenSecrets.evidenceKey = e.NTG_EVIDENCE_KEY;
  if (e.NTG_API_TOKEN) givenSecrets.apiToken = e.NTG_API_TOKEN;
  const database: DatabaseConfig =
    e.NTG_DATABASE_URL === undefined
      ? { kind: 'sqlite', file: resolve(dataDir, 'ntg.db') }
      : { kind: 'postgres', url: e.NTG_DATABASE_URL, poolMax: e.NTG_PG_POOL_MAX };
  const tls = tlsConfigOf(e, database, dataDir, cwd);
  return Object.freeze({
    host: e.NTG_HOST,
    port: e.NTG_PORT,
    role: e.NTG_ROLE,
    dataDir,
    database: Object.freeze(database),
    logLevel: e.NTG_LOG_LEVEL,
    demo: e.NTG_DEMO,
    trustProxy: e.NTG_TRUST_PROXY,
    tls: Object.freeze(tls),
    scheduledScans: e.NTG_SCHEDULED_SCANS,
    rateLimitPerMinute: e.NTG_RATE_LIMIT_PER_MINUTE,
    evidenceMaxBytes: e.NTG_EVIDENCE_MAX_BYTES,
    gateway: Object.freeze({
      factorKinds: e.NTG_GATEWAY_FACTOR_KINDS,
      reviewedAuthenticatorTypes: e.NTG_GATEWAY_REVIEWED_AUTHENTICATORS,
      passwordMaxAgeDays: e.NTG_PASSWORD_MAX_AGE_DAYS,
      argon2: { memoryKib: e.NTG_ARGON2_MEMORY_KIB, iterations: e.NTG_ARGON2_ITERATIONS },
      sessionIdleMinutes: e.NTG_GATEWAY_SESSION_IDLE_MINUTES,
      sessionMaxHours: e.NTG_GATEWAY_SESSION_MAX_HOURS,
      webauthn: Object.freeze({
        ...site,
        synced: e.NTG_GATEWAY_WEBAUTHN_SYNCED,
        registrationAaguids: e.NTG_GATEWAY_WEBAUTHN_AAGUIDS.map((a) => a.toLowerCase()),
      }),
    }),
    orders: Object.freeze({ skewSeconds: e.NTG_ORDER_SKEW_SECONDS }),
    notifications: Object.freeze({
      ...(e.NTG_SMTP_URL !== undefined && e.NTG_SMTP_FROM !== undefined
        ? { smtp: { url: e.NTG_SMTP_URL, from: e.NTG_SMTP_FROM } }
        : {}),
      ...(e.NTG_WEBHOOK_SECRET !== undefined ? { webhookSecret: e.NTG_WEBHOOK_SECRET } : {}),
    }),
    console: Object.freeze({
      idleMinutes: e.NTG_CONSOLE_IDLE_MINUTES,
      sessionHours: e.NTG_CONSOLE_SESSION_HOURS,
      webauthn: Object.freeze({ ...site, synced: e.NTG_CONSOLE_WEBAUTHN_SYNCED }),
    }),
    givenSecrets: Object.freeze(givenSecrets),
  });
}

/** Whether a listen address reaches this machine only: plain HTTP there does not cross a network. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

function tlsConfigOf(e: z.infer<typeof envSchema>, database: DatabaseConfig, dataDir: string, cwd: string): TlsConfig {
  const certFile = e.NTG_TLS_CERT_FILE;
  const keyFile = e.NTG_TLS_KEY_FILE;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(
      'Invalid configuration:\n  NTG_TLS_CERT_FILE and NTG_TLS_KEY_FILE: set both (certificate chain and its key), or neither',
    );
  }
  if (e.NTG_TLS === 'off') {
    if (certFile !== undefined) {
      throw new ConfigError(
        'Invalid configuration:\n  NTG_TLS: is off but NTG_TLS_CERT_FILE is set; use NTG_TLS=on, or unset the files',
      );
    }
    return { enabled: false, reason: 'off' };
  }
  if (certFile !== undefined && keyFile !== undefined) {
    return {
      enabled: true,
      source: 'files',
      certFile: isAbsolute(certFile) ? certFile : resolve(cwd, certFile),
      keyFile: isAbsolute(keyFile) ? keyFile : resolve(cwd, keyFile),
    };
  }
  if (e.NTG_TLS === 'auto') {
    // Loopback traffic never leaves the machine, and a TLS-terminating proxy encrypts the hop that does.
    if (isLoopbackHost(e.NTG_HOST)) return { enabled: false, reason: 'loopback' };
    if (e.NTG_TRUST_PROXY) return { enabled: false, reason: 'proxy' };
  }
  if (database.kind === 'postgres') {
    throw new ConfigError(
      `Invalid configuration:\n  NTG_TLS: ${e.NTG_TLS === 'on' ? 'is on' : `listening on ${e.NTG_HOST} needs TLS (Directions A35.1)`}; ` +
        'several instances must present one certificate, so set NTG_TLS_CERT_FILE and NTG_TLS_KEY_FILE, ' +
        'or NTG_TLS=off behind a TLS-terminating proxy',
    );
  }
  return { enabled: true, source: 'generated', dir: resolve(dataDir, 'tls') };
}
