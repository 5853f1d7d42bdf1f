/**
 * The kernel's database handle: Kysely over a `pg` pool.
 *
 * With DATABASE_URL the app uses that database; without it, an embedded PostgreSQL cluster
 * under ATRIUM_DATA_DIR and its `atrium` database (created on first start).
 */
import { Kysely, sql, type KyselyPlugin } from "kysely";
import pg from "pg";
import type { AtriumConfig } from "../config";
import { startEmbeddedPostgres, withDatabase, type EmbeddedHandle, type EmbeddedOptions } from "./embedded";
import type { KernelDatabase } from "./schema";
import { DeferredBeginClient, type DeferredBeginOptions } from "./deferred-begin";
import { DeferredBeginDialect } from "./scoped-begin";

export type Db = Kysely<KernelDatabase>;

export interface DatabaseHandle {
  url: string;
  db: Db;
  pool: pg.Pool;
  embedded: EmbeddedHandle | null;
  close(): Promise<void>;
}

// Return int8 and numeric as JS numbers where safe: counts and sums are what dashboards show.
pg.types.setTypeParser(20, (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
});

/** Creates the database if it does not exist (needs CREATEDB on the server). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (!rowCount) {
      await client.query(`create database ${pg.escapeIdentifier(name)}`).catch((err: { code?: string }) => {
        if (err.code !== "42P04") throw err; // created concurrently by another process
      });
    }
  } finally {
    await client.end();
  }
}

/** Resolves the database URL, starting embedded PostgreSQL when DATABASE_URL is unset. */
export async function resolveDatabaseUrl(
  config: Pick<AtriumConfig, "databaseUrl" | "dataDir">,
  log: (msg: string) => void = () => {},
  options: EmbeddedOptions = {},
): Promise<{ url: string; embedded: EmbeddedHandle | null }> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: null };
  const embedded = await startEmbeddedPostgres(config.dataDir, log, options);
  await ensureDatabase(embedded.adminUrl, "atrium").catch(async (err: unknown) => {
    await embedded.stop();
    throw err;
  });
  return { url: withDatabase(embedded.adminUrl, "atrium"), embedded };
}

/** Opens a Kysely handle on `url`. */
export function openDatabase(
  url: string,
  options: { max?: number; embedded?: EmbeddedHandle | null; plugins?: KyselyPlugin[]; preparedStatements?: boolean } = {},
): DatabaseHandle {
  // Its clients send a transaction's BEGIN with its first statement, and prepare statements with
  // parameters once per connection (./deferred-begin.ts). The pool hands its options to each client.
  const clientOptions: DeferredBeginOptions = { preparedStatements: options.preparedStatements ?? true };
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 20, application_name: "atrium", Client: DeferredBeginClient, ...clientOptions });
  // A client losing its server (restart, failover, a killed postmaster) must not crash the
  // process: idle ones report to the pool, checked-out ones to their own listener (the query
  // in flight still fails, and the caller answers 503).
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  // A transaction's BEGIN (and a scopedTransaction's scope) goes with its first statement (./scoped-begin.ts).
  const db = new Kysely<KernelDatabase>({ dialect: new DeferredBeginDialect({ pool }), plugins: options.plugins });
  let closed = false;
  return {
    url,
    db,
    pool,
    embedded: options.embedded ?? null,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await options.embedded?.stop();
    },
  };
}

/** True when the database answers a trivial query within `timeoutMs`. */
export async function pingDatabase(db: Db, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
    });
    await Promise.race([sql`select 1`.execute(db), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "57P01", "57P02", "57P03"]);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to (administrator command|unexpected postmaster exit)/i;

/**
 * True when `err` (or an error it wraps) says the database cannot be reached right now (refused,
 * dropped, shutting down, starting up), as opposed to a failing query: the caller answers 503
 * and may retry, instead of 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message, errors } = e as { code?: string; message?: string; errors?: unknown[] };
    if (code && UNAVAILABLE_CODES.has(code)) return true;
    if (message && UNAVAILABLE_MESSAGES.test(message)) return true;
    // AggregateError from a connect to several addresses (127.0.0.1 and ::1).
    if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner))) return true;
  }
  return false;
}
