import { join } from 'node:path';
import {
  type Clock,
  type ConsoleAuthService,
  type GatewayControlFacts,
  maxFailedAttempts,
  systemClock,
} from '@ntg/core';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '@ntg/db';
import { type Config, loadConfig, type Secrets } from '../config/config.ts';
import { resolveSecrets } from '../config/secrets.ts';
import { createConsoleServices } from './console-services.ts';
import { createOrderConsoleServices, type OrderConsoleServices } from './order-services.ts';
import { type OrderVerificationDeps, orderVerification } from './order-verification-wiring.ts';
import { createServices, type Services } from './services.ts';

export interface Runtime {
  config: Readonly<Config>;
  secrets: Readonly<Secrets>;
  handle: DatabaseHandle;
  services: Services;
  consoleAuth: ConsoleAuthService;
  /** Approved CAs and the offline evidence check of signed orders (A35.5, A36.5). */
  orders: OrderConsoleServices;
  /** The order verifier shared by the console and the gateway of this process (one CRL cache). */
  orderVerification: OrderVerificationDeps;
  clock: Clock;
  /** Migrations applied by this start, in order. */
  applied: string[];
  close(): Promise<void>;
}

/** What the gateway of this installation enforces, as the A36 and A37 checks read it. */
export function gatewayControlsOf(config: Pick<Config, 'gateway'>): GatewayControlFacts {
  const g = config.gateway;
  return {
    factorKinds: g.factorKinds,
    reviewedAuthenticatorTypes: g.reviewedAuthenticatorTypes,
    lockoutThreshold: maxFailedAttempts,
    argon2: { ...g.argon2, parallelism: 1 },
    pepperOutsideDatabase: true,
    passwordMaxAgeDays: g.passwordMaxAgeDays,
    personalDataAudit: true,
    sessionIdleMinutes: g.sessionIdleMinutes,
    sessionMaxHours: g.sessionMaxHours,
  };
}

/**
 * Everything the server and the CLI share: configuration parsed once, secrets resolved, the database opened and
 * migrated, services wired. Throws ConfigError or MigrationError with a message for a person.
 */
export async function openRuntime(
  env: NodeJS.ProcessEnv,
  options: { migrate?: boolean; orderVerification?: OrderVerificationDeps } = {},
): Promise<Runtime> {
  const config = loadConfig(env);
  const secrets = resolveSecrets(config);
  const handle = openDatabase(config.database);
  try {
    const applied = options.migrate === false ? [] : await migrateToLatest(handle);
    const clock = systemClock;
    const services = createServices(handle, secrets, clock, {
      dir: config.database.kind === 'sqlite' ? join(config.dataDir, 'evidence') : undefined,
      maxBytes: config.evidenceMaxBytes,
      gatewayControls: config.role === 'console' ? null : gatewayControlsOf(config),
    });
    const verification = options.orderVerification ?? orderVerification(clock);
    return {
      config,
      secrets,
      handle,
      services,
      consoleAuth: createConsoleServices({
        handle,
        stores: services.stores,
        secrets,
        config,
        audit: services.audit,
        clock,
      }),
      orders: createOrderConsoleServices(handle, secrets, clock, verification),
      orderVerification: verification,
      clock,
      applied,
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
