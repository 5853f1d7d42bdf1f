/**
 * Test set-up for the data plugin: a kernel on a fresh database whose close() also drops the
 * warehouse databases and roles its orgs got (they live beside the test database, cluster-wide),
 * and throwaway "external" PostgreSQL databases in the test cluster.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject, onTestFinished } from "vitest";
import { adminUrl, bootTestKernel } from "../../tests/setup/database";
import { asUser, createOrg, createUser } from "../../tests/setup/fixtures";
import { withDatabase } from "~/kernel/db/embedded";
import type { Kernel } from "~/kernel/kernel";
import type { Role } from "~/kernel/db/schema";
import type { PostgresConfig } from "./postgres";
import { closeDataRuntime, configureDataRuntime } from "./runtime";
import type { DataSettings } from "./settings";
import { dropWarehouse } from "./warehouse";

export async function bootDataKernel(settings: Partial<DataSettings> = {}) {
  const k = await bootTestKernel();
  await configureDataRuntime(k.kernel, { allowPrivateHosts: true, ...settings });
  return {
    ...k,
    async close() {
      await closeDataRuntime(k.kernel);
      await dropAllWarehouses(k.kernel);
      await k.close();
    },
  };
}

export async function dropAllWarehouses(kernel: Kernel): Promise<void> {
  const rows = await kernel.ownerDb.withTables<{ data_warehouses: { org_id: string } }>().selectFrom("data_warehouses").select("org_id").execute();
  for (const r of rows) await dropWarehouse(kernel, r.org_id).catch(() => {});
}

/** A user with `role` in a new org (or in `orgId`), and a caller acting as them. */
export async function member(kernel: Kernel, role: Role = "owner", orgId?: string) {
  const user = await createUser(kernel);
  const org = orgId ? { id: orgId } : await createOrg(kernel, [{ userId: user.id, role }]);
  if (orgId) await kernel.ownerDb.insertInto("memberships").values({ org_id: orgId, user_id: user.id, role }).execute();
  return { user, org, caller: asUser(kernel, user.id), as: (options: { signal?: AbortSignal }) => asUser(kernel, user.id, options) };
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const client = new pg.Client({ connectionString: database ? withDatabase(adminUrl(), database) : adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * An "external" PostgreSQL database in the test cluster, with a role of its own owning a table
 * `items` (3 rows). Named with the run's prefix, so an interrupted run's leftovers are dropped.
 */
export async function createExternalDatabase(): Promise<{ config: PostgresConfig; name: string; drop: () => Promise<void> }> {
  const name = `${inject("dbPrefix")}ext_${randomBytes(5).toString("hex")}`;
  const password = randomBytes(12).toString("base64url");
  const port = Number(new URL(adminUrl()).port);
  await admin(async (c) => {
    await c.query(`create role ${name} login password '${password}'`);
    await c.query(`create database ${name} owner ${name}`);
  });
  await admin(async (c) => {
    await c.query(`set role ${name}`);
    await c.query("create table items (id int primary key, label text)");
    await c.query("insert into items values (1, 'one'), (2, 'two'), (3, 'three')");
  }, name);
  return {
    name,
    config: { host: "127.0.0.1", port, database: name, user: name, password, sslmode: "disable" },
    drop: () =>
      admin(async (c) => {
        await c.query(`drop database if exists ${name} with (force)`);
        await c.query(`drop role if exists ${name}`);
      }),
  };
}

/** For isolation-matrix rows: an external database that is dropped when the cell finishes. */
export async function externalDatabaseForTest(): Promise<PostgresConfig> {
  const db = await createExternalDatabase();
  onTestFinished(() => db.drop());
  return db.config;
}

/** For isolation-matrix rows: drop the org's warehouse (if a cell made one) when the cell finishes. */
export function dropWarehouseAfterTest(kernel: Kernel, orgId: string): void {
  onTestFinished(async () => {
    await closeDataRuntime(kernel);
    await dropWarehouse(kernel, orgId);
  });
}

/** For isolation-matrix rows: a saved postgres source in the org, written directly (no connection test). */
export async function savedSourceForTest(kernel: Kernel, orgId: string): Promise<string> {
  const row = await kernel.ownerDb
    .withTables<{ data_sources: { id?: string; org_id: string; name: string; type: string; config: unknown } }>()
    .insertInto("data_sources")
    .values({ org_id: orgId, name: `matrix ${randomBytes(3).toString("hex")}`, type: "postgres", config: JSON.stringify({ host: "127.0.0.1", port: 1, database: "x", user: "x", sslmode: "disable" }) })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id!;
}
