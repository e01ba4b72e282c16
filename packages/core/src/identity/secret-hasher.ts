import { createHmac, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { type Algorithm, hash, parseOptions, verify } from '@node-rs/argon2';
import { IdentityPolicyError } from './identity-errors.ts';

/** Hashes and checks PINs and passwords. Injected, so tests can count how many checks really ran. */
export interface SecretHasher {
  hash(secret: string): Promise<string>;
  /** False for a wrong secret and for a hash that cannot be parsed; never throws for either. */
  verify(phc: string, secret: string): Promise<boolean>;
  /** True when the stored hash used weaker parameters than the current ones: rehash at the next good login. */
  needsRehash(phc: string): boolean;
}

export interface Argon2Parameters {
  memoryKib: number;
  iterations: number;
}

/** OWASP's Argon2id floor (19 MiB, two passes, one lane). Configuration may raise it, never lower it. */
export const minimumArgon2: Readonly<Argon2Parameters> = Object.freeze({ memoryKib: 19456, iterations: 2 });

// The value of Algorithm.Argon2id; the enum is declared `const` and cannot be read under isolatedModules.
const argon2id = 2 as Algorithm;

/**
 * Argon2id over HMAC-SHA256(pepper, NFKC(secret)). Directions A36.2: the PIN is hashed irreversibly, with a salt
 * per credential (in the PHC string) against precomputed tables, and "added with unknown data": the pepper lives
 * in the secrets, not in the database, so a stolen database alone does not allow offline guessing. NFKC makes a
 * PIN typed with full-width digits the same PIN.
 */
export function createArgon2SecretHasher(deps: {
  pepper: Buffer;
  parameters: Argon2Parameters;
  /** Hashes run at once; the rest wait. Default: one per core. */
  maxConcurrent?: number;
}): SecretHasher {
  const { pepper, parameters } = deps;
  const limit = createLimiter(deps.maxConcurrent ?? availableParallelism());
  if (pepper.length < 32) throw new IdentityPolicyError('The pepper must be at least 32 random bytes.');
  if (parameters.memoryKib < minimumArgon2.memoryKib || parameters.iterations < minimumArgon2.iterations) {
    throw new IdentityPolicyError(
      `Argon2id needs at least ${minimumArgon2.memoryKib} KiB and ${minimumArgon2.iterations} iterations.`,
    );
  }
  const options = {
    algorithm: argon2id,
    memoryCost: parameters.memoryKib,
    timeCost: parameters.iterations,
    parallelism: 1,
    outputLen: 32,
  };
  // As base64url text: the library verifies only UTF-8 input, and 43 characters carry the full 256-bit MAC.
  const peppered = (secret: string) =>
    createHmac('sha256', pepper).update(secret.normalize('NFKC'), 'utf8').digest('base64url');

  return {
    hash: (secret) => limit(() => hash(peppered(secret), { ...options, salt: randomBytes(16) })),
    verify: (phc, secret) =>
      limit(async () => {
        try {
          return await verify(phc, peppered(secret));
        } catch {
          return false;
        }
      }),
    needsRehash(phc) {
      try {
        const p = parseOptions(phc);
        return (
          p.algorithm !== argon2id ||
          p.memoryCost < parameters.memoryKib ||
          p.timeCost < parameters.iterations ||
          p.outputLen < options.outputLen
        );
      } catch {
        return true;
      }
    },
  };
}

/**
 * At most `n` hashes at once. Argon2 runs on libuv's thread pool (four threads by default, shared with file and DNS
 * work): more hashes than cores only thrash caches with 19 MiB working sets and starve the pool's other users.
 */
function createLimiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}
