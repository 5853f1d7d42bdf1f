/**
 * The two built-in connectors: `warehouse` (the org's own database) and `postgres` (external).
 *
 * External connections accept exactly host, port, database, user, password and sslmode. The
 * connection is built from an object, never a connection string, so nothing else (`options`,
 * `host=/socket`, `sslrootcert`…) can be slipped in. Before connecting we resolve the host
 * and connect to the resolved address (a DNS answer cannot change under us), and refuse
 * (host-guard.ts classifies every resolved address by its bytes, whatever its spelling):
 *   - unix sockets and anything that is not a host name or an IP address;
 *   - link-local, multicast, reserved and unspecified addresses (cloud metadata endpoints live there);
 *   - loopback and private addresses unless DATA_PRIVATE_HOSTS=allow (the default outside
 *     production, so a local PostgreSQL can be tried);
 *   - the app's own cluster and the warehouse cluster with the app's own credentials or
 *     databases: its owner or app role, warehouse roles, the app database, warehouse databases.
 * See docs/decisions/011-data-sources-and-safe-queries.md.
 */
import net from "node:net";
import type { ConnectionOptions } from "node:tls";
import pg from "pg";
import { z } from "zod";
import type { Kernel } from "~/kernel/kernel";
import { APP_ROLE } from "~/kernel/db/roles";
import { ConnectionFailure, registerConnector, type Connector } from "./connectors";
import { HostRefused, localAddresses, parseAddress, resolveHost, sameMachine, vetHost } from "./host-guard";
import { describeOnPool, runOnPool } from "./postgres-shared";
import { closePools, dataRuntime, fingerprint, poolFor } from "./runtime";
import { ensureWarehouse, warehouseAdminUrl, warehousePool } from "./warehouse";

/* ---------------------------------------------------------------------------------------------
 * warehouse
 * ------------------------------------------------------------------------------------------ */

export const warehouseConnector: Connector<Record<string, never>> = registerConnector({
  type: "warehouse",
  label: "Warehouse",
  configSchema: z.strictObject({}),
  secretFields: [],
  userCreatable: false,
  async testConnection(ctx) {
    const info = await ensureWarehouse(ctx.kernel, ctx.db, ctx.orgId);
    const limits = dataRuntime(ctx.kernel).settings;
    await runOnPool(warehousePool(ctx.kernel, info), "select 1", [], { ...limitsOf(limits), maxRows: 1 }, ctx.signal);
  },
  async runQuery(ctx, _config, query) {
    const info = await ensureWarehouse(ctx.kernel, ctx.db, ctx.orgId);
    return runOnPool(warehousePool(ctx.kernel, info), query.sql, query.params, query.limits, ctx.signal);
  },
  async describeTables(ctx, _config, limits) {
    const info = await ensureWarehouse(ctx.kernel, ctx.db, ctx.orgId);
    return describeOnPool(warehousePool(ctx.kernel, info), limits);
  },
});

function limitsOf(settings: ReturnType<typeof dataRuntime>["settings"]) {
  return { timeoutMs: settings.queryTimeoutMs, lockTimeoutMs: settings.lockTimeoutMs, maxRows: settings.maxRows, maxBytes: settings.maxBytes };
}

/* ---------------------------------------------------------------------------------------------
 * postgres (external)
 * ------------------------------------------------------------------------------------------ */

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
const NAME = z
  .string()
  .min(1, "Required")
  .max(63, "At most 63 characters")
  .refine((v) => ![...v].some((ch) => ch.charCodeAt(0) < 32), "Control characters are not allowed");

export const SSL_MODES = ["disable", "prefer", "require", "verify-ca", "verify-full"] as const;

export const postgresConfigSchema = z.strictObject({
  host: z
    .string()
    .trim()
    .min(1, "Enter the server's host name or IP address")
    .max(253)
    .refine((h) => !h.includes("/"), "Unix sockets are not allowed: enter a host name or IP address")
    .refine((h) => net.isIP(h.replace(/^\[|\]$/g, "")) !== 0 || HOSTNAME.test(h), "Enter a host name or IP address (letters, digits, dots and dashes)"),
  port: z.number().int("Enter a whole number").min(1).max(65535).default(5432),
  database: NAME,
  user: NAME,
  password: z.string().max(1000),
  sslmode: z.enum(SSL_MODES, { message: `One of ${SSL_MODES.join(", ")}` }).default("prefer"),
});

export type PostgresConfig = z.infer<typeof postgresConfigSchema>;

async function clusterEndpoints(kernel: Kernel): Promise<Array<{ addresses: string[]; port: number; user: string; database: string }>> {
  const out = [];
  const resolver = dataRuntime(kernel).settings.resolveHost;
  for (const url of new Set([kernel.database.url, warehouseAdminUrl(kernel)])) {
    const u = new URL(url);
    const host = decodeURIComponent(u.hostname);
    const addresses = await resolveHost(host, resolver).catch(() => [] as string[]);
    out.push({ addresses, port: Number(u.port || 5432), user: decodeURIComponent(u.username), database: decodeURIComponent(u.pathname.slice(1)) });
  }
  return out;
}

/**
 * Resolves and vets the target: every address the host has is classified by its bytes, and the
 * settings returned connect to the first of those checked addresses (the host name is kept only
 * for TLS), so no later DNS answer can move the connection elsewhere.
 */
export async function resolvePostgresTarget(kernel: Kernel, config: PostgresConfig): Promise<pg.ClientConfig> {
  const settings = dataRuntime(kernel).settings;
  let addresses: string[];
  try {
    addresses = await vetHost(config.host, { allowPrivate: settings.allowPrivateHosts, resolver: settings.resolveHost });
  } catch (err) {
    if (err instanceof HostRefused) throw new ConnectionFailure(err.message, "host");
    throw err;
  }
  const address = addresses[0]!;
  // Every spelling of the app's own cluster (any loopback or local interface address counts as
  // this machine) with the app's own roles or databases is refused, whatever the private-host setting.
  const local = localAddresses();
  for (const cluster of await clusterEndpoints(kernel)) {
    const sameHost = cluster.addresses.some((c) => addresses.some((a) => sameMachine(a, c, local)));
    if (!sameHost || cluster.port !== config.port) continue;
    const appUser = config.user === cluster.user || config.user === APP_ROLE || /_wh_[0-9a-f]{16}$/.test(config.user);
    const appDatabase = config.database === cluster.database || /_wh_[0-9a-f]{16}$/.test(config.database);
    if (appUser) throw new ConnectionFailure("This is one of Atrium's own database roles; connect with a role of your own", "user");
    if (appDatabase) throw new ConnectionFailure("This is Atrium's own database; connect to a database of your own", "database");
  }
  let ssl: boolean | ConnectionOptions = false;
  const servername = parseAddress(config.host) ? undefined : config.host.replace(/\.$/, "");
  switch (config.sslmode) {
    case "disable":
      ssl = false;
      break;
    case "prefer":
    case "require":
      ssl = { rejectUnauthorized: false, servername };
      break;
    case "verify-ca":
      ssl = { rejectUnauthorized: true, servername, checkServerIdentity: () => undefined };
      break;
    case "verify-full":
      ssl = { rejectUnauthorized: true, servername };
      break;
  }
  return {
    host: address,
    port: config.port,
    database: config.database,
    user: config.user,
    password: config.password,
    ssl,
    connectionTimeoutMillis: 5_000,
    application_name: "atrium-query",
  };
}

/** Turns a connection error into a ConnectionFailure naming the field at fault. */
export function connectionFailureOf(err: unknown, config: PostgresConfig): ConnectionFailure {
  if (err instanceof ConnectionFailure) return err;
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  switch (e.code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new ConnectionFailure(`Could not resolve host "${config.host}"`, "host");
    case "ECONNREFUSED":
      return new ConnectionFailure(`Connection refused by ${config.host}:${config.port}: is PostgreSQL listening on that port?`, "port");
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new ConnectionFailure(`Could not reach ${config.host}:${config.port} (${e.code})`, "host");
    case "28P01":
      return new ConnectionFailure(`Password authentication failed for user "${config.user}"`, "password");
    case "28000":
      return new ConnectionFailure(`The server refused user "${config.user}": ${message}`, "user");
    case "3D000":
      return new ConnectionFailure(`Database "${config.database}" does not exist`, "database");
    case "53300":
      return new ConnectionFailure(`The server has too many connections: ${message}`, "host");
  }
  if (/SSL|TLS|certificate|self.signed/i.test(message)) return new ConnectionFailure(`TLS problem (sslmode ${config.sslmode}): ${message}`, "sslmode");
  if (/timeout/i.test(message)) return new ConnectionFailure(`Timed out connecting to ${config.host}:${config.port}`, "host");
  return new ConnectionFailure(`Could not connect: ${message}`, null);
}

async function connectOnce(kernel: Kernel, config: PostgresConfig): Promise<pg.ClientConfig> {
  const target = await resolvePostgresTarget(kernel, config);
  const attempt = async (settings: pg.ClientConfig) => {
    const client = new pg.Client(settings);
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query("begin read only; select 1; rollback");
    } finally {
      await client.end().catch(() => {});
    }
  };
  try {
    await attempt(target);
    return target;
  } catch (err) {
    // sslmode=prefer: a server without TLS is still fine.
    if (config.sslmode === "prefer" && /does not support SSL/i.test((err as Error).message ?? "")) {
      const plain = { ...target, ssl: false };
      try {
        await attempt(plain);
        return plain;
      } catch (second) {
        throw connectionFailureOf(second, config);
      }
    }
    throw connectionFailureOf(err, config);
  }
}

/** Resolved (and, for sslmode=prefer, TLS-probed) settings per source, so queries skip the probe. */
const targets = new WeakMap<Kernel, Map<string, pg.ClientConfig>>();

async function externalPool(kernel: Kernel, sourceId: string, config: PostgresConfig): Promise<pg.Pool> {
  const key = `source:${sourceId}:${fingerprint(JSON.stringify(config))}`;
  const existing = dataRuntime(kernel).pools.get(key);
  if (existing) return existing;
  let cache = targets.get(kernel);
  if (!cache) targets.set(kernel, (cache = new Map()));
  let target = cache.get(key);
  if (!target) {
    target = await connectOnce(kernel, config);
    cache.set(key, target);
  }
  const resolved = target;
  return poolFor(kernel, key, () => resolved);
}

export const postgresConnector: Connector<PostgresConfig> = registerConnector({
  type: "postgres",
  label: "PostgreSQL",
  configSchema: postgresConfigSchema,
  secretFields: ["password"],
  userCreatable: true,
  async testConnection(ctx, config) {
    await connectOnce(ctx.kernel, config);
  },
  async runQuery(ctx, config, query) {
    try {
      const pool = await externalPool(ctx.kernel, ctx.sourceId, config);
      return await runOnPool(pool, query.sql, query.params, query.limits, ctx.signal);
    } catch (err) {
      if (err instanceof ConnectionFailure) throw err;
      const code = (err as { code?: string }).code;
      if (code && !/^[0-9A-Z]{5}$/.test(code)) throw connectionFailureOf(err, config);
      throw err;
    }
  },
  async describeTables(ctx, config, limits) {
    return describeOnPool(await externalPool(ctx.kernel, ctx.sourceId, config), limits);
  },
  async release(ctx) {
    targets.get(ctx.kernel)?.forEach((_, key, map) => {
      if (key.startsWith(`source:${ctx.sourceId}:`)) map.delete(key);
    });
    await closePools(ctx.kernel, `source:${ctx.sourceId}:`);
  },
});
