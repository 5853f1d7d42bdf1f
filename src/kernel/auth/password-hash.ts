/**
 * argon2id for the secrets people type (account passwords, public-link passwords): one set of
 * parameters, Unicode NFKC normalization, and the threads the hashes run on (ADR 051).
 *
 * Hashes run on {@link HASHING_THREADS} worker threads of their own, each calling
 * `@node-rs/argon2`'s synchronous functions, never on libuv's thread pool (which file reads, DNS
 * lookups and zlib share): a burst of sign-ins cannot hold up a static file. Each job goes to an
 * idle thread, else to a new one while there is room, else to the thread with the fewest in hand,
 * and waits in that thread's queue. A thread takes its next job as soon as it finishes one,
 * without waiting for the main thread to hand it over, so the cores keep hashing while the event
 * loop is busy with the requests around the hashes.
 *
 * A thread starts only when a job finds every running one busy; threads keep the process alive
 * only while they have work. A thread that dies fails its jobs (a verify then answers false, a
 * hash rejects) and is replaced on the next one. The queues are not capped: the rate limits in
 * front of every caller bound them.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { parseOptions, type Options } from "@node-rs/argon2";

/** OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane. */
export const ARGON2: Readonly<Options> = Object.freeze({ algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 });

/**
 * How many hashes run at once in this process: one per core, at most four (each holds 19 MiB
 * while it runs; sign-ins are rate limited long before four cores of hashing are the limit).
 */
export const HASHING_THREADS = Math.max(1, Math.min(availableParallelism(), 4));

type Job = { kind: "hash"; secret: string } | { kind: "verify"; encoded: string; secret: string };
type Reply = { id: number; ok: true; value: string | boolean } | { id: number; ok: false; message: string };

// The thread's whole program: CommonJS, loaded from this string so that the server bundle needs
// no second entry file; argon2 comes from the path the main thread resolved.
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { hashSync, verifySync } = require(workerData.argon2);
parentPort.on("message", ({ id, job }) => {
  try {
    const value = job.kind === "hash" ? hashSync(job.secret, workerData.options) : verifySync(job.encoded, job.secret);
    parentPort.postMessage({ id, ok: true, value });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, message: String(error && error.message || error) });
  }
});`;

interface Thread {
  worker: Worker;
  pending: Map<number, { resolve: (value: string | boolean) => void; reject: (error: Error) => void }>;
}

const threads: Array<Thread | undefined> = [];
let nextId = 0;
let argon2Path: string | undefined;

function startThread(slot: number): Thread {
  argon2Path ??= createRequire(import.meta.url).resolve("@node-rs/argon2");
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { argon2: argon2Path, options: { ...ARGON2 } }, name: "atrium-hashing" });
  const thread: Thread = { worker, pending: new Map() };
  worker.unref();
  worker.on("message", (reply: Reply) => {
    const job = thread.pending.get(reply.id);
    if (!job) return;
    thread.pending.delete(reply.id);
    if (thread.pending.size === 0) worker.unref();
    if (reply.ok) job.resolve(reply.value);
    else job.reject(new Error(reply.message));
  });
  const fail = (error: Error) => {
    if (threads[slot] === thread) threads[slot] = undefined;
    for (const job of thread.pending.values()) job.reject(error);
    thread.pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`hashing thread exited (code ${code})`)));
  return thread;
}

/** The thread for the next job: an idle one, else a new one while there is room, else the least busy. */
function pick(): Thread {
  let least: Thread | undefined;
  let free = -1;
  for (let i = 0; i < HASHING_THREADS; i++) {
    const t = threads[i];
    if (!t) {
      if (free < 0) free = i;
    } else if (t.pending.size === 0) return t;
    else if (!least || t.pending.size < least.pending.size) least = t;
  }
  return free >= 0 ? (threads[free] = startThread(free)) : least!;
}

function run(job: Job): Promise<string | boolean> {
  const thread = pick();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    if (thread.pending.size === 0) thread.worker.ref();
    thread.pending.set(id, { resolve, reject });
    thread.worker.postMessage({ id, job });
  });
}

/**
 * Ends the hashing threads now, for a process that wants them gone before it exits (idle threads
 * never hold a process open). Jobs in hand fail as if their thread had died; a later hash starts
 * new threads.
 */
export async function stopHashingThreads(): Promise<void> {
  const running = threads.splice(0).filter((t): t is Thread => t !== undefined);
  await Promise.all(running.map((t) => t.worker.terminate()));
}

/** Passwords are compared after Unicode NFKC normalization (NIST SP 800-63B). */
function normalize(secret: string): string {
  return secret.normalize("NFKC");
}

/** The argon2id encoding (`$argon2id$v=19$m=…`) of `secret`. */
export async function hashSecret(secret: string): Promise<string> {
  return (await run({ kind: "hash", secret: normalize(secret) })) as string;
}

/** True when `secret` matches `encoded`; false for a malformed `encoded` (it never matches). */
export async function verifySecret(encoded: string, secret: string): Promise<boolean> {
  try {
    return (await run({ kind: "verify", encoded, secret: normalize(secret) })) === true;
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
