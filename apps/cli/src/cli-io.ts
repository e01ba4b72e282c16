import type { CatalogService } from '@ntg/core';
import type { OrderVerificationDeps, Runtime } from '@ntg/server';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Replaces the order signature verification of the runtime (tests use a double of the seam). */
  orderVerification?: OrderVerificationDeps;
}

export interface CliContext extends CliIo {
  /** Opens configuration, secrets and the database on first use; commands that need none never touch them. */
  runtime(): Promise<Runtime>;
  /** The catalog needs no database: catalog commands work before anything is configured. */
  catalog(): CatalogService;
  print(text: string): void;
  printJson(value: unknown): void;
}

/** Exit statuses: 0 done; 1 the check ran and found a problem (a broken chain); 2 the input was wrong. */
export const exitStatus = { ok: 0, problemFound: 1, badInput: 2, internal: 3 } as const;
