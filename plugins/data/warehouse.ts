/**
 * Each org's warehouse: a database of its own in the warehouse cluster (the app's cluster, or
 * WAREHOUSE_URL), opaquely named, with CONNECT revoked from PUBLIC, so no other role (not the
 * app's, not another org's) can open it or read its catalog. Queries run as the org's own
 * LOGIN role (scram-sha-256 password, random, kept encrypted in data_warehouses) that owns
 * nothing and holds only CONNECT, USAGE on the data schemas and SELECT on their tables. The
 * cluster's admin (the app owner, or WAREHOUSE_URL's user) creates and fills the tables.
 *
 * Provisioning is lazy, idempotent and safe under concurrency: a session advisory lock on the
 * admin connection serializes it across instances, and the names derive from the org id with a
 * keyed hash, so a run interrupted halfway is finished by the next one.
 */
import { createHmac, randomBytes } from "node:crypto";
import pg from "pg";
import { sql, type Kysely } from "kysely";
import { secretBox } from "~/kernel/crypto";
import { withDatabase } from "~/kernel/db/embedded";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { dataRuntime, fingerprint, poolFor, closePools } from "./runtime";

export const SAMPLE_SCHEMA = "sample";
/** Schemas the org role may read. */
export const WAREHOUSE_SCHEMAS = ["public", SAMPLE_SCHEMA] as const;

export interface WarehouseInfo {
  orgId: string;
  database: string;
  role: string;
  password: string;
}

// A type alias, not an interface: `withTables` needs an index-signature-compatible record.
type WarehouseTables = {
  data_warehouses: { org_id: string; database_name: string; role_name: string; password_encrypted: string; created_at?: Date };
};

function tables(db: Kysely<KernelDatabase>): Kysely<KernelDatabase & WarehouseTables> {
  return db.withTables<WarehouseTables>();
}

const PASSWORD_PURPOSE = "data.warehouse-password";

/** The warehouse cluster's admin URL (maintenance connection). */
export function warehouseAdminUrl(kernel: Kernel): string {
  return dataRuntime(kernel).settings.warehouseUrl ?? kernel.database.url;
}

/** `<app database>_wh_<16 hex>`: opaque (keyed by ATRIUM_SECRET), stable for an org, unique per app database. */
export function warehouseNameFor(kernel: Kernel, orgId: string): string {
  const appDb = decodeURIComponent(new URL(kernel.database.url).pathname.slice(1)).toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 40) || "atrium";
  const tag = createHmac("sha256", kernel.secret).update(`data.warehouse:${orgId}`).digest("hex").slice(0, 16);
  return `${appDb}_wh_${tag}`;
}

function decrypt(kernel: Kernel, row: WarehouseTables["data_warehouses"]): WarehouseInfo {
  return {
    orgId: row.org_id,
    database: row.database_name,
    role: row.role_name,
    password: secretBox(kernel.secret, PASSWORD_PURPOSE).decrypt(row.password_encrypted, row.org_id),
  };
}

/** The org's warehouse, if provisioned. `db` is a scoped transaction (or the owner's, for the CLI). */
export async function findWarehouse(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string): Promise<WarehouseInfo | null> {
  const row = await tables(db).selectFrom("data_warehouses").selectAll().where("org_id", "=", orgId).executeTakeFirst();
  return row ? decrypt(kernel, row) : null;
}

/** The org's warehouse, provisioned on first use. */
export async function ensureWarehouse(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string): Promise<WarehouseInfo> {
  const found = await findWarehouse(kernel, db, orgId);
  if (!found) return provisionWarehouse(kernel, orgId);
  await ensureCatalogsHidden(kernel, found);
  return found;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: "atrium-warehouse-admin" });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

const ignoreCodes = (...codes: string[]) => (err: { code?: string }) => {
  if (!codes.includes(err.code ?? "")) throw err;
};

/**
 * Catalog views that list the whole cluster's databases and roles (every org's warehouse name,
 * and so how many orgs there are). They are shared catalogs, but their privileges are recorded
 * per database, so revoking them from PUBLIC inside a warehouse database hides them from that
 * org's role only and changes nothing for the app's database. PostgreSQL still prints a role
 * name for an oid (`::regrole`), which is why the names are opaque keyed hashes as well.
 */
export const HIDDEN_CLUSTER_CATALOGS = [
  "pg_database",
  "pg_roles",
  "pg_user",
  "pg_group",
  "pg_auth_members",
  "pg_db_role_setting",
  "pg_shdescription",
  "pg_stat_database",
  "pg_stat_database_conflicts",
  "pg_stat_activity",
  "pg_stat_ssl",
  "pg_stat_gssapi",
] as const;

/** Functions that turn a database or role oid into its name. */
const HIDDEN_NAME_FUNCTIONS = [
  "pg_get_userbyid(oid)",
  "pg_describe_object(oid, oid, integer)",
  "pg_identify_object(oid, oid, integer)",
  "pg_identify_object_as_address(oid, oid, integer)",
  "pg_stat_get_activity(integer)",
  "pg_stat_get_backend_dbid(integer)",
  "pg_stat_get_backend_userid(integer)",
] as const;

/** Hides the cluster-wide catalogs inside one warehouse database (needs the catalogs' owner: a superuser). */
async function hideClusterCatalogs(wh: pg.Client): Promise<void> {
  for (const view of HIDDEN_CLUSTER_CATALOGS) await wh.query(`revoke all on pg_catalog.${view} from public`);
  for (const fn of HIDDEN_NAME_FUNCTIONS) await wh.query(`revoke execute on function pg_catalog.${fn} from public`).catch(() => {});
}

/** Warehouses this process has checked the catalog hiding of (those provisioned before it existed). */
const hidden = new WeakMap<Kernel, Set<string>>();

function hiddenIn(kernel: Kernel): Set<string> {
  let done = hidden.get(kernel);
  if (!done) hidden.set(kernel, (done = new Set()));
  return done;
}

async function ensureCatalogsHidden(kernel: Kernel, info: WarehouseInfo): Promise<void> {
  const done = hiddenIn(kernel);
  if (done.has(info.database)) return;
  done.add(info.database);
  await withWarehouseAdmin(kernel, info, async (wh) => {
    const { rows } = await wh.query<{ visible: boolean }>("select has_table_privilege('public', 'pg_catalog.pg_database', 'SELECT') as visible");
    if (rows[0]?.visible) await hideClusterCatalogs(wh);
  }).catch((err: unknown) => {
    done.delete(info.database);
    kernel.log.warn({ orgId: info.orgId, err: (err as Error).message }, "could not hide the cluster catalogs in a warehouse");
  });
}

/** Creates (or finishes creating) the org's database and role; records them. Idempotent. */
export async function provisionWarehouse(kernel: Kernel, orgId: string): Promise<WarehouseInfo> {
  const name = warehouseNameFor(kernel, orgId);
  const settings = dataRuntime(kernel).settings;
  const adminUrl = warehouseAdminUrl(kernel);
  const lockKey = BigInt.asIntN(64, BigInt(`0x${createHmac("sha256", "data.warehouse.lock").update(orgId).digest("hex").slice(0, 16)}`)).toString();
  return withClient(adminUrl, async (admin) => {
    await admin.query("select pg_advisory_lock($1::bigint)", [lockKey]);
    try {
      const existing = await findWarehouse(kernel, kernel.ownerDb, orgId);
      if (existing) return existing;
      const password = randomBytes(24).toString("base64url");
      const role = pg.escapeIdentifier(name);
      await admin.query("set password_encryption = 'scram-sha-256'");
      const { rowCount } = await admin.query("select 1 from pg_roles where rolname = $1", [name]);
      if (!rowCount) {
        await admin
          .query(`create role ${role} login nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls`)
          .catch(ignoreCodes("42710"));
      }
      // The connection limit backs the per-org concurrency limit across instances; it leaves room
      // for connections discarded after a cancel whose backends are still exiting.
      await admin.query(
        `alter role ${role} with login password ${pg.escapeLiteral(password)} connection limit ${settings.concurrency * 2 + 2}`,
      );
      await admin.query(`alter role ${role} set default_transaction_read_only = on`);
      // Dates and times come out the same whatever the server's own time zone is.
      await admin.query(`alter role ${role} set timezone = 'UTC'`);
      await admin.query(`alter role ${role} set statement_timeout = ${settings.queryTimeoutMs}`);
      const db = await admin.query("select 1 from pg_database where datname = $1", [name]);
      if (!db.rowCount) await admin.query(`create database ${role}`).catch(ignoreCodes("42P04"));
      await admin.query(`revoke all on database ${role} from public`);
      await admin.query(`grant connect on database ${role} to ${role}`);
      await withClient(withDatabase(adminUrl, name), async (wh) => {
        await wh.query(`revoke all on schema public from public`);
        await wh.query(`create schema if not exists ${SAMPLE_SCHEMA}`);
        await wh.query(`revoke all on schema ${SAMPLE_SCHEMA} from public`);
        // plpgsql is trusted and open to PUBLIC by default: DO blocks have no business here.
        await wh.query(`revoke usage on language plpgsql from public`).catch(() => {});
        await hideClusterCatalogs(wh);
        for (const schema of WAREHOUSE_SCHEMAS) {
          await wh.query(`grant usage on schema ${schema} to ${role}`);
          await wh.query(`grant select on all tables in schema ${schema} to ${role}`);
          await wh.query(`alter default privileges in schema ${schema} grant select on tables to ${role}`);
        }
      });
      const encrypted = secretBox(kernel.secret, PASSWORD_PURPOSE).encrypt(password, orgId);
      await tables(kernel.ownerDb)
        .insertInto("data_warehouses")
        .values({ org_id: orgId, database_name: name, role_name: name, password_encrypted: encrypted })
        .onConflict((oc) => oc.column("org_id").doUpdateSet({ database_name: name, role_name: name, password_encrypted: encrypted }))
        .execute();
      hiddenIn(kernel).add(name);
      kernel.log.info({ orgId }, "provisioned a warehouse database");
      return { orgId, database: name, role: name, password };
    } finally {
      await admin.query("select pg_advisory_unlock($1::bigint)", [lockKey]).catch(() => {});
    }
  });
}

/** Connection settings for a warehouse as its org role (host and port of the warehouse cluster). */
export function warehouseClientConfig(kernel: Kernel, info: WarehouseInfo): pg.ClientConfig {
  const url = new URL(warehouseAdminUrl(kernel));
  return {
    host: decodeURIComponent(url.hostname).replace(/^\[|\]$/g, ""),
    port: Number(url.port || 5432),
    database: info.database,
    user: info.role,
    password: info.password,
    ssl: /sslmode=(require|verify)/.test(url.search) ? { rejectUnauthorized: /verify/.test(url.search) } : undefined,
  };
}

/** The query pool for an org's warehouse (as its org role). */
export function warehousePool(kernel: Kernel, info: WarehouseInfo): pg.Pool {
  return poolFor(kernel, `warehouse:${info.orgId}:${fingerprint(info.database, info.password)}`, () => warehouseClientConfig(kernel, info));
}

/**
 * Runs `fn` with an admin connection to the org's warehouse database (imports, the sample,
 * ingestion), taken from a small pool per warehouse: a batch of synced rows must not pay for a
 * new connection and its authentication. The connection goes back clean (`discard all`: no
 * session setting, temporary table or advisory lock outlives `fn`); one that fails, or that
 * `fn` left inside a transaction, is closed instead.
 */
export async function withWarehouseAdmin<T>(kernel: Kernel, info: WarehouseInfo, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const pool = poolFor(kernel, `warehouse:${info.orgId}:admin:${info.database}`, () => ({
    connectionString: withDatabase(warehouseAdminUrl(kernel), info.database),
    application_name: "atrium-warehouse-admin",
    max: ADMIN_POOL_SIZE,
  }));
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await fn(client);
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    if (!broken) {
      await client.query("discard all").catch((err: unknown) => {
        broken = err instanceof Error ? err : new Error(String(err));
      });
    }
    client.release(broken ?? false);
  }
}

/** Admin connections kept open per warehouse (ingestion batches of one org, imports). */
const ADMIN_POOL_SIZE = 4;

/** Drops the org's warehouse database and role, and forgets them (org purge, tests). */
export async function dropWarehouse(kernel: Kernel, orgId: string): Promise<boolean> {
  const info = await findWarehouse(kernel, kernel.ownerDb, orgId);
  await closePools(kernel, `warehouse:${orgId}:`);
  const name = info?.database ?? warehouseNameFor(kernel, orgId);
  await withClient(warehouseAdminUrl(kernel), async (admin) => {
    await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
    await admin.query(`drop role if exists ${pg.escapeIdentifier(name)}`);
  });
  await sql`delete from data_warehouses where org_id = ${orgId}`.execute(kernel.ownerDb);
  return info !== null;
}
