/**
 * The hostile-SQL corpus: statements a member (or an agent) might send to the query engine to
 * write, escalate, read files, reach the network, read another org's data or the app's own
 * tables, exhaust the server, or hold locks. Every one must be refused or contained by the
 * database; after each, the server answers a normal query as the org's own role, and the
 * secret seeded in org B's warehouse (and in the app database) never appears in any result or
 * error message.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { APP_ROLE } from "~/kernel/db/roles";
import { withDatabase } from "~/kernel/db/embedded";
import { deriveKey } from "~/kernel/secret";
import { bootDataKernel, member } from "./test-helpers";
import { findWarehouse, warehouseAdminUrl, type WarehouseInfo } from "./warehouse";

const SECRET = `TOPSECRET-${randomBytes(8).toString("hex")}`;
const MAX_ROWS = 1000;
const TIMEOUT_MS = 2000;

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let attacker: Awaited<ReturnType<typeof member>>;
let victim: Awaited<ReturnType<typeof member>>;
let warehouseA: WarehouseInfo;
let warehouseB: WarehouseInfo;

beforeAll(async () => {
  k = await bootDataKernel({ queryTimeoutMs: TIMEOUT_MS, maxRows: MAX_ROWS, maxBytes: 1_000_000, lockTimeoutMs: 500 });
  attacker = await member(k.kernel);
  victim = await member(k.kernel);
  await attacker.caller.data.importCsv({ orgId: attacker.org.id, table: "mine", csv: "n,label\n1,a\n2,b\n3,c\n" });
  await victim.caller.data.importCsv({ orgId: victim.org.id, table: "secrets", csv: `id,value\n1,${SECRET}\n` });
  // The secret is in the app database too: org B's name.
  await k.kernel.ownerDb.updateTable("orgs").set({ name: SECRET }).where("id", "=", victim.org.id).execute();
  warehouseA = (await findWarehouse(k.kernel, k.kernel.ownerDb, attacker.org.id))!;
  warehouseB = (await findWarehouse(k.kernel, k.kernel.ownerDb, victim.org.id))!;
});
afterAll(async () => k?.close());

/** What would tell the attacker which org a name belongs to. */
const victimNames = () => [victim.org.id, victim.org.id.replace(/-/g, ""), SECRET];

type Expectation =
  /** The engine answers with an error (4xx), not a result. */
  | "refused"
  /** Anything but a server error; the checks in `check` hold. */
  | "contained";

interface Case {
  name: string;
  sql: string | ((ctx: { victimDb: string }) => string);
  expect: Expectation;
  /** Error message must match (for "refused"). */
  message?: RegExp;
  /** More checks on a successful result. */
  check?: (result: { rows: unknown[][]; truncated: boolean }) => void;
}

const corpus: Case[] = [
  // Writes
  { name: "INSERT", sql: "insert into mine values (99, 'x')", expect: "refused", message: /read-only/ },
  { name: "UPDATE", sql: "update mine set label = 'pwned'", expect: "refused", message: /read-only/ },
  { name: "DELETE", sql: "delete from mine", expect: "refused", message: /read-only/ },
  { name: "TRUNCATE", sql: "truncate mine", expect: "refused" },
  { name: "MERGE", sql: "merge into mine m using (select 1 as n) s on m.n = s.n when matched then delete", expect: "refused" },
  { name: "data-modifying CTE", sql: "with gone as (delete from mine returning *) select * from gone", expect: "refused" },
  { name: "COPY FROM STDIN", sql: "copy mine from stdin", expect: "refused" },
  { name: "EXPLAIN ANALYZE of a write", sql: "explain analyze insert into mine values (7, 'x')", expect: "refused" },
  // DDL
  { name: "CREATE TABLE", sql: "create table evil (x int)", expect: "refused" },
  { name: "CREATE TABLE AS", sql: "create table evil as select * from mine", expect: "refused" },
  { name: "CREATE TEMP TABLE", sql: "create temp table evil as select 1", expect: "refused" },
  { name: "DROP TABLE", sql: "drop table mine", expect: "refused" },
  { name: "ALTER TABLE", sql: "alter table mine add column y int", expect: "refused" },
  { name: "CREATE FUNCTION", sql: "create function f() returns int language sql as 'select 1'", expect: "refused" },
  { name: "CREATE SCHEMA", sql: "create schema evil", expect: "refused" },
  { name: "GRANT", sql: "grant select on mine to public", expect: "refused" },
  { name: "CREATE ROLE", sql: "create role evil login superuser", expect: "refused" },
  { name: "CREATE EXTENSION", sql: "create extension dblink", expect: "refused" },
  { name: "ALTER SYSTEM", sql: "alter system set work_mem = '1GB'", expect: "refused" },
  { name: "pg_reload_conf", sql: "select pg_reload_conf()", expect: "refused" },
  // Roles and settings
  { name: "SET ROLE", sql: "set role postgres", expect: "refused" },
  { name: "SET ROLE to the app role", sql: `set role ${APP_ROLE}`, expect: "refused" },
  { name: "RESET ROLE", sql: "reset role", expect: "contained" },
  { name: "SET SESSION AUTHORIZATION", sql: "set session authorization postgres", expect: "refused" },
  { name: "set_config('role')", sql: "select set_config('role', 'postgres', false)", expect: "refused" },
  { name: "SET TRANSACTION READ WRITE", sql: "set transaction read write", expect: "refused" },
  { name: "set_config('transaction_read_only', off)", sql: "select set_config('transaction_read_only', 'off', true)", expect: "refused" },
  { name: "set_config('default_transaction_read_only', off) (session)", sql: "select set_config('default_transaction_read_only', 'off', false)", expect: "contained" },
  { name: "SET statement_timeout = 0 (session)", sql: "set statement_timeout = 0", expect: "contained" },
  { name: "DISCARD ALL", sql: "discard all", expect: "refused" },
  // Files, programs, large objects
  { name: "COPY TO PROGRAM", sql: "copy mine to program 'id'", expect: "refused" },
  { name: "COPY FROM PROGRAM", sql: "copy mine from program 'id'", expect: "refused" },
  { name: "COPY TO a file", sql: "copy (select 1) to '/tmp/atrium-pwned'", expect: "refused" },
  { name: "pg_read_file", sql: "select pg_read_file('/etc/passwd')", expect: "refused" },
  { name: "pg_read_binary_file", sql: "select pg_read_binary_file('postmaster.pid')", expect: "refused" },
  { name: "pg_ls_dir", sql: "select pg_ls_dir('.')", expect: "refused" },
  { name: "pg_stat_file", sql: "select * from pg_stat_file('postgresql.conf')", expect: "refused" },
  { name: "lo_import", sql: "select lo_import('/etc/passwd')", expect: "refused" },
  { name: "current_setting('data_directory')", sql: "select current_setting('data_directory')", expect: "refused" },
  // Network
  { name: "dblink_connect", sql: "select dblink_connect('dbname=postgres')", expect: "refused" },
  { name: "dblink query", sql: "select * from dblink('host=127.0.0.1 dbname=postgres', 'select 1') as t(x int)", expect: "refused" },
  // Several statements, comment tricks
  { name: "two statements", sql: "select 1; select 2", expect: "refused", message: /one statement at a time/ },
  { name: "select then DROP", sql: "select 1; drop table mine", expect: "refused" },
  { name: "BEGIN; write; COMMIT", sql: "begin; insert into mine values (5, 'x'); commit", expect: "refused" },
  { name: "-- comment hides nothing", sql: "select 1 -- ; drop table mine", expect: "contained", check: (r) => expect(r.rows).toEqual([[1]]) },
  { name: "/* */ comment hides nothing", sql: "select 1 /* ; drop table mine; */", expect: "contained", check: (r) => expect(r.rows).toEqual([[1]]) },
  { name: "statement after a block comment", sql: "select 1 /* x */; insert into mine values (5, 'x')", expect: "refused" },
  { name: "comment before a DELETE", sql: "/* harmless */ delete from mine", expect: "refused" },
  { name: "nested comment trick", sql: "select 1 /* /* */ ; delete from mine; */", expect: "contained" },
  { name: "COMMIT", sql: "commit", expect: "contained" },
  // Other schemas, the app's tables, other orgs
  { name: "public.users (the app's table)", sql: "select * from public.users", expect: "refused" },
  { name: "public.orgs (the app's table)", sql: "select * from public.orgs", expect: "refused" },
  { name: "pg_authid", sql: "select * from pg_catalog.pg_authid", expect: "refused" },
  { name: "pg_shadow", sql: "select * from pg_shadow", expect: "refused" },
  { name: "pg_user passwords", sql: "select usename, passwd from pg_user", expect: "contained", check: (r) => expect(r.rows.every((row) => row[1] === "********")).toBe(true) },
  { name: "another org's warehouse by name", sql: ({ victimDb }) => `select * from ${victimDb}.public.secrets`, expect: "refused" },
  { name: "another org's table by bare name", sql: "select * from secrets", expect: "refused" },
  {
    name: "catalog shows no other org's tables",
    sql: "select relname from pg_class where relname = 'secrets' union all select table_name from information_schema.tables where table_name = 'secrets'",
    expect: "contained",
    check: (r) => expect(r.rows).toEqual([]),
  },
  { name: "pg_stat_activity hides others' queries", sql: "select query from pg_stat_activity", expect: "contained" },
  // Other orgs' warehouse databases and roles: the cluster-wide lists are hidden in a warehouse.
  { name: "database list (pg_database)", sql: "select datname from pg_database", expect: "refused", message: /Not allowed/ },
  { name: "database list (pg_catalog.pg_database, quoted)", sql: 'select datname from "pg_catalog"."pg_database"', expect: "refused" },
  { name: "database list (pg_stat_database)", sql: "select datname from pg_stat_database", expect: "refused" },
  { name: "role list (pg_roles)", sql: "select rolname from pg_roles", expect: "refused" },
  { name: "role list (pg_user)", sql: "select usename from pg_user", expect: "refused" },
  { name: "sessions of other databases (pg_stat_activity)", sql: "select datname, usename from pg_stat_activity", expect: "refused" },
  { name: "role name from oid (pg_get_userbyid)", sql: "select pg_get_userbyid(oid) from generate_series(1, 100000) oid", expect: "refused" },
  { name: "database name from oid (pg_describe_object)", sql: "select pg_describe_object(1262, oid, 0) from generate_series(1, 100000) oid", expect: "refused" },
  {
    name: "names that still show through oid casts say nothing about the org",
    sql: "select r::regrole::text from generate_series(1, 100000) r where r::regrole::text !~ '^[0-9]+$'",
    expect: "contained",
    check: (r) => expect(JSON.stringify(r.rows)).not.toMatch(new RegExp(victimNames().join("|"), "i")),
  },
  // Time, size
  { name: "pg_sleep past the timeout", sql: "select pg_sleep(30)", expect: "refused", message: /ran longer than/ },
  { name: "pg_sleep per row", sql: "select pg_sleep(0.5) from generate_series(1, 100)", expect: "refused", message: /ran longer than/ },
  { name: "a count over 1e10 rows", sql: "select count(*) from generate_series(1, 1e10::bigint)", expect: "refused", message: /ran longer than/ },
  {
    name: "huge result: generate_series(1, 1e8)",
    sql: "select g from generate_series(1, 1e8::bigint) g",
    expect: "contained",
    check: (r) => {
      expect(r.truncated).toBe(true);
      expect(r.rows.length).toBeLessThanOrEqual(MAX_ROWS);
    },
  },
  { name: "huge value: repeat('x', 1e8)", sql: "select repeat('x', 100000000)", expect: "contained", check: (r) => expect(r).toMatchObject({ rows: [], truncated: true }) },
  { name: "huge value: repeat('x', 5e8) (larger than a JS string may be)", sql: "select repeat('x', 500000000)", expect: "contained", check: (r) => expect(r).toMatchObject({ rows: [], truncated: true }) },
  { name: "recursive CTE without end", sql: "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r", expect: "refused" },
  // Locks and other sessions
  { name: "LOCK TABLE (exclusive)", sql: "lock table mine in access exclusive mode", expect: "refused" },
  { name: "LOCK TABLE (access share)", sql: "lock table mine in access share mode", expect: "contained" },
  { name: "SELECT FOR UPDATE", sql: "select * from mine for update", expect: "refused" },
  { name: "pg_advisory_lock (session)", sql: "select pg_advisory_lock(42)", expect: "contained" },
  { name: "pg_advisory_xact_lock", sql: "select pg_advisory_xact_lock(43)", expect: "contained" },
  {
    name: "pg_terminate_backend of others",
    sql: "select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and usename is not null",
    expect: "refused",
  },
  { name: "pg_cancel_backend of others", sql: "select pg_cancel_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and usename is not null", expect: "refused" },
  // Procedural and session-level commands
  { name: "DO block", sql: "do $$ begin perform 1; end $$", expect: "refused" },
  { name: "DO block that writes", sql: "do $$ begin insert into mine values (8, 'x'); end $$", expect: "refused" },
  { name: "PREPARE", sql: "prepare p as select 1", expect: "contained" },
  { name: "EXECUTE a prepared statement from an earlier query", sql: "execute p", expect: "refused" },
  { name: "LISTEN", sql: "listen atrium_events", expect: "contained" },
  // NOTIFY is delivered on commit only, and every query is rolled back (and it is another database than the app's).
  { name: "NOTIFY", sql: "notify atrium_events, 'forged'", expect: "contained" },
  { name: "pg_notify", sql: `select pg_notify('atrium_events', '{"name":"kernel.instance.started","payload":{"instanceId":"forged"}}')`, expect: "contained" },
  { name: "VACUUM", sql: "vacuum mine", expect: "refused" },
  // Only the table's owner may analyze it: PostgreSQL skips it with a warning.
  { name: "ANALYZE", sql: "analyze mine", expect: "contained" },
  { name: "CHECKPOINT", sql: "checkpoint", expect: "refused" },
  { name: "CALL", sql: "call some_procedure()", expect: "refused" },
  { name: "REINDEX", sql: "reindex table mine", expect: "refused" },
];

describe("the hostile-SQL corpus", () => {
  test("has at least 40 cases", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
  });

  test.each(corpus)("$name", async (c) => {
    const sql = typeof c.sql === "function" ? c.sql({ victimDb: warehouseB.database }) : c.sql;
    const outcome = await attacker.caller.data.runQuery({ orgId: attacker.org.id, sql, refresh: true }).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    if (!outcome.ok) {
      expect(outcome.error, String(outcome.error)).toBeInstanceOf(TRPCError);
      const err = outcome.error as TRPCError;
      expect(err.code).not.toBe("INTERNAL_SERVER_ERROR");
      expect(err.message).not.toContain(SECRET);
      if (c.message) expect(err.message).toMatch(c.message);
    }
    if (c.expect === "refused") expect(outcome.ok, outcome.ok ? JSON.stringify(outcome.result.rows).slice(0, 200) : "").toBe(false);
    if (outcome.ok) {
      expect(JSON.stringify(outcome.result)).not.toContain(SECRET);
      c.check?.(outcome.result);
    }

    // Healthy after: a normal query works, as the org's own role, still read-only.
    const after = await attacker.caller.data.runQuery({
      orgId: attacker.org.id,
      sql: "select current_user::text, session_user::text, current_setting('transaction_read_only'), (select count(*) from mine)::int",
      refresh: true,
    });
    expect(after.rows).toEqual([[warehouseA.role, warehouseA.role, "on", 3]]);
  });

  test("afterwards: nothing written, no lock held, no query left running, the app unharmed", async () => {
    const rows = await attacker.caller.data.runQuery({ orgId: attacker.org.id, sql: "select n, label from mine order by n", refresh: true });
    expect(rows.rows).toEqual([
      [1, "a"],
      [2, "b"],
      [3, "c"],
    ]);
    await expect(attacker.caller.data.runQuery({ orgId: attacker.org.id, sql: "insert into mine values (100, 'z')" })).rejects.toThrow(/read-only/);
    const admin = new pg.Client({ connectionString: warehouseAdminUrl(k.kernel) });
    await admin.connect();
    try {
      const locks = await admin.query("select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid where a.usename = $1 and l.locktype = 'advisory'", [warehouseA.role]);
      expect(locks.rows[0].n).toBe(0);
      // Connections are rolled back and released just after each answer: wait for that.
      const active = () => admin.query("select count(*)::int as n from pg_stat_activity where usename = $1 and state <> 'idle'", [warehouseA.role]);
      await expect.poll(async () => (await active()).rows[0].n).toBe(0);
      const stmts = await admin.query("select count(*)::int as n from pg_prepared_xacts");
      expect(stmts.rows[0].n).toBe(0);
    } finally {
      await admin.end();
    }
    const secret = await victim.caller.data.runQuery({ orgId: victim.org.id, sql: "select value from secrets" });
    expect(secret.rows).toEqual([[SECRET]]);
    const org = await k.kernel.ownerDb.selectFrom("orgs").select("name").where("id", "=", victim.org.id).executeTakeFirstOrThrow();
    expect(org.name).toBe(SECRET);
  });
});

describe("the database keeps warehouses apart", () => {
  async function tryConnect(config: pg.ClientConfig): Promise<string> {
    const client = new pg.Client(config);
    client.on("error", () => {});
    try {
      await client.connect();
      const r = await client.query("select current_user");
      return `connected as ${r.rows[0].current_user}`;
    } catch (err) {
      return (err as Error).message;
    } finally {
      await client.end().catch(() => {});
    }
  }

  function cluster() {
    const u = new URL(warehouseAdminUrl(k.kernel));
    return { host: u.hostname, port: Number(u.port) };
  }

  test("an org's role cannot even connect to another org's warehouse database", async () => {
    const message = await tryConnect({ ...cluster(), user: warehouseA.role, password: warehouseA.password, database: warehouseB.database });
    expect(message).toMatch(/permission denied for database/);
  });

  test("nor to the app's database or the maintenance database as anyone but itself", async () => {
    const own = await tryConnect({ ...cluster(), user: warehouseA.role, password: warehouseA.password, database: warehouseA.database });
    expect(own).toBe(`connected as ${warehouseA.role}`);
    const wrongPassword = await tryConnect({ ...cluster(), user: warehouseA.role, password: "guess", database: warehouseA.database });
    expect(wrongPassword).toMatch(/password authentication failed/);
  });

  test("the app role cannot connect to a warehouse", async () => {
    const appPassword = deriveKey(k.kernel.secret, "db-role:atrium_app").toString("hex");
    const message = await tryConnect({ ...cluster(), user: APP_ROLE, password: appPassword, database: warehouseB.database });
    expect(message).toMatch(/permission denied for database/);
  });

  test("CONNECT is revoked from PUBLIC; the org role is not privileged and owns nothing", async () => {
    const admin = new pg.Client({ connectionString: warehouseAdminUrl(k.kernel) });
    await admin.connect();
    try {
      const db = await admin.query(
        "select has_database_privilege('public', oid, 'CONNECT') as public_connect, has_database_privilege('public', oid, 'TEMP') as public_temp, pg_get_userbyid(datdba) as owner from pg_database where datname = $1",
        [warehouseB.database],
      );
      expect(db.rows[0].public_connect).toBe(false);
      expect(db.rows[0].public_temp).toBe(false);
      expect(db.rows[0].owner).not.toBe(warehouseB.role);
      const role = await admin.query(
        "select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication, rolinherit, rolconnlimit, (select count(*)::int from pg_auth_members where member = r.oid) as memberships from pg_roles r where rolname = $1",
        [warehouseB.role],
      );
      expect(role.rows[0]).toMatchObject({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false, rolreplication: false, rolinherit: false, memberships: 0 });
      expect(role.rows[0].rolconnlimit).toBeGreaterThan(0);
      const auth = await admin.query("select rolpassword like 'SCRAM-SHA-256$%' as scram from pg_authid where rolname = $1", [warehouseB.role]);
      expect(auth.rows[0].scram).toBe(true);
    } finally {
      await admin.end();
    }
    const inside = new pg.Client({ connectionString: withDatabase(warehouseAdminUrl(k.kernel), warehouseB.database) });
    await inside.connect();
    try {
      const owned = await inside.query("select count(*)::int as n from pg_class where relowner = (select oid from pg_roles where rolname = $1)", [warehouseB.role]);
      expect(owned.rows[0].n).toBe(0);
      const privileges = await inside.query(
        "select has_schema_privilege($1, 'public', 'CREATE') as create_public, has_table_privilege($1, 'public.secrets', 'INSERT') as insert, has_table_privilege($1, 'public.secrets', 'SELECT') as select",
        [warehouseB.role],
      );
      expect(privileges.rows[0]).toEqual({ create_public: false, insert: false, select: true });
    } finally {
      await inside.end();
    }
  });

  test("the warehouse password is stored encrypted", async () => {
    const { rows } = await k.kernel.database.pool.query("select password_encrypted from data_warehouses where org_id = $1", [victim.org.id]);
    expect(rows[0].password_encrypted).toMatch(/^v1\./);
    expect(rows[0].password_encrypted).not.toContain(warehouseB.password);
  });

  test("provisioning is idempotent under concurrency", async () => {
    const fresh = await member(k.kernel);
    const results = await Promise.all(Array.from({ length: 4 }, () => fresh.caller.data.runQuery({ orgId: fresh.org.id, sql: "select current_user::text", refresh: true })));
    expect(new Set(results.map((r) => r.rows[0]![0])).size).toBe(1);
    const { rows } = await k.kernel.database.pool.query("select count(*)::int as n from data_warehouses where org_id = $1", [fresh.org.id]);
    expect(rows[0].n).toBe(1);
  });
});
