/**
 * argon2id for the secrets people type (account passwords, public-link passwords): one set of
 * parameters, Unicode NFKC normalization, and a bound on how many hashes run at once.
 *
 * Why the bound: `@node-rs/argon2` runs each hash on libuv's thread pool (4 threads unless
 * `UV_THREADPOOL_SIZE` says otherwise), the pool file reads, DNS lookups and zlib share. Left
 * alone, a burst of sign-ins takes every pool thread, and the hashes, 19 MiB each, evict each
 * other's memory from the CPU caches on a machine with fewer cores than threads. So at most
 * {@link HASHING_SLOTS} run at once (the core count, and always one pool thread left for the
 * rest); the others wait their turn in arrival order. The wait is as long as the queue ahead,
 * the same as libuv's own queue was; the rate limits in front of every caller bound it.
 */
import { availableParallelism } from "node:os";
import { hash, parseOptions, verify, type Options } from "@node-rs/argon2";

/** OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane. */
export const ARGON2: Readonly<Options> = Object.freeze({ algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 });

export interface Slots {
  /** Runs `task` once fewer than `size` tasks are running; in arrival order. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running and waiting now. */
  readonly running: number;
  readonly waiting: number;
}

/** A counting semaphore: at most `size` tasks at once, first come first served. */
export function createSlots(size: number): Slots {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`slots must be a positive integer, not ${size}`);
  let running = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    const next = queue.shift();
    if (next) next(); // the slot passes straight to the next task
    else running--;
  };
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running < size) running++;
      else await new Promise<void>((resolve) => queue.push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
  };
}

/** How many hashes run at once in this process. */
export const HASHING_SLOTS = Math.max(1, Math.min(availableParallelism(), (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 1));

const slots = createSlots(HASHING_SLOTS);

/** Passwords are compared after Unicode NFKC normalization (NIST SP 800-63B). */
function normalize(secret: string): string {
  return secret.normalize("NFKC");
}

/** The argon2id encoding (`$argon2id$v=19$m=…`) of `secret`. */
export function hashSecret(secret: string): Promise<string> {
  return slots.run(() => hash(normalize(secret), ARGON2));
}

/** True when `secret` matches `encoded`; false for a malformed `encoded` (it never matches). */
export async function verifySecret(encoded: string, secret: string): Promise<boolean> {
  try {
    return await slots.run(() => verify(encoded, normalize(secret)));
  } catch {
    return false;
  }
}

/** True when a stored hash was made with other parameters than today's (rehash it at sign-in). */
export function needsRehash(encoded: string): boolean {
  try {
    const o = parseOptions(encoded);
    return o.algorithm !== ARGON2.algorithm || o.memoryCost !== ARGON2.memoryCost || o.timeCost !== ARGON2.timeCost || o.parallelism !== ARGON2.parallelism;
  } catch {
    return true;
  }
}
