/**
 * A scoped transaction's BEGIN sent with its first statement (src/kernel/db/deferred-begin.ts):
 * the statement's parameters written as literals must mean exactly what they meant as
 * parameters (checked against PostgreSQL, both ways, for the shapes our queries use), the
 * scanner must leave what is not a placeholder alone, and the transaction must behave as one:
 * one round trip for BEGIN and the first statement, rollback on an error, the scope in force.
 */
import pg from "pg";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { COMMIT_WAIT_MS, DEFERRED_BEGIN, DeferredBeginClient, inlineParameters, MAX_INLINE_CHARS, onlyReads, preparedNameOf } from "~/kernel/db/deferred-begin";
import { scopedTransaction } from "~/kernel/db/scoped-begin";
import type { Kernel } from "~/kernel/kernel";
import { applyScope } from "~/kernel/scope";
import { bootTestKernel } from "../setup/database";
import { createOrg, createUser } from "../setup/fixtures";

let kernel: Kernel;
let close: () => Promise<void>;
let url: string;

beforeAll(async () => {
  const booted = await bootTestKernel();
  kernel = booted.kernel;
  close = booted.close;
  url = booted.url;
});
afterAll(async () => close?.());

describe("inlineParameters", () => {
  test("replaces placeholders, longest number first, with quoted literals", () => {
    const values = Array.from({ length: 11 }, (_, i) => `v${i + 1}`);
    expect(inlineParameters("select $1, $10, $11::text", values)).toBe("select  'v1' ,  'v10' ,  'v11' ::text");
    expect(inlineParameters("select $1", [null])).toBe("select  null ");
    expect(inlineParameters("select $1", ["it's"])).toBe("select  'it''s' ");
    expect(inlineParameters("select $1", ["back\\slash"])).toBe("select   E'back\\\\slash' ");
  });

  test("leaves strings, quoted identifiers, comments and dollar-quoted bodies alone", () => {
    const text = `select '$1', E'\\'$1', "a$1", $$ $1 $$, $tag$ $1 $tag$, x$1 -- $1\n/* $1 /* $1 */ $1 */ , $1`;
    expect(inlineParameters(text, ["v"])).toBe(`select '$1', E'\\'$1', "a$1", $$ $1 $$, $tag$ $1 $tag$, x$1 -- $1\n/* $1 /* $1 */ $1 */ ,  'v' `);
  });

  test("declines what it cannot write faithfully: NUL bytes, binary values, too much text, odd SQL, a missing value", () => {
    expect(inlineParameters("select $1", ["a\0b"])).toBeNull();
    expect(inlineParameters("select $1", [Buffer.from("x")])).toBeNull();
    expect(inlineParameters("select $1", ["x".repeat(MAX_INLINE_CHARS + 1)])).toBeNull();
    expect(inlineParameters("select '$1", ["v"])).toBeNull();
    expect(inlineParameters("select $1 /* open", ["v"])).toBeNull();
    expect(inlineParameters("select $2", ["v"])).toBeNull();
    expect(inlineParameters("select $0", ["v"])).toBeNull();
  });

  test("means in PostgreSQL what the parameters meant", async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const when = new Date("2026-03-04T05:06:07.089Z");
      const cases: Array<[string, unknown[]]> = [
        ["select $1 = 'plain' as v", ["plain"]],
        ["select $1::text as v", ["quote ' and \\ backslash, ünïcode ✓, $1 and -- and /*"]],
        ["select $1::int + 1 as v", [41]],
        ["select -$1::int as v", [5]],
        ["select $1::numeric * 2 as v", [1.25]],
        ["select $1::boolean as v", [true]],
        ["select $1::timestamptz as v", [when]],
        ["select $1::text is null as v, $2::text as w", [null, undefined]],
        ["select $1::jsonb -> 'a' as v", [{ a: [1, "two", { three: null }] }]],
        ["select * from jsonb_to_recordset($1) as r(a int, b text)", [JSON.stringify([{ a: 1, b: "x" }, { a: 2, b: "y'z" }])]],
        ["select x from generate_series(1, 20) as x order by x limit $1 offset $2", [3, 4]],
        ["select 2 = any($1::int[]) as v", [[1, 2, 3]]],
        ["select array_length($1::text[], 1) as v, ($1::text[])[2] as w", [["a", "b,c", 'd"e', null]]],
        ["select make_interval(secs => $1) as v", [60]],
        ["select coalesce($1, 'fallback') as v", [null]],
        ["select id from (values ('a'), ('b')) as t(id) where id in ($1, $2) order by id", ["b", "a"]],
        ["select 'x' || $1 as v", [7]],
        ["select $1::bigint as v", [9007199254740993n]],
      ];
      for (const [text, values] of cases) {
        const inlined = inlineParameters(text, values);
        expect(inlined, text).not.toBeNull();
        const byParameters = await client.query(text, values);
        const byLiterals = await client.query(inlined!);
        expect(byLiterals.rows, text).toEqual(byParameters.rows);
        expect(byLiterals.fields.map((f) => f.dataTypeID), text).toEqual(byParameters.fields.map((f) => f.dataTypeID));
      }
    } finally {
      await client.end();
    }
  });
});

describe("a scoped transaction", () => {
  test("sends BEGIN, the scope and the first statement in one message, then runs under the scope", async () => {
    const user = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: user.id, role: "owner" }]);
    const sent = vi.spyOn(pg.Client.prototype, "query");
    try {
      const seen = await scopedTransaction(kernel.db, { userId: user.id, orgId: org.id }, applyScope, async (trx) => {
        const first = await sql<{ o: string; n: number }>`select current_setting('app.org_id', true) as o, ${41}::int + 1 as n`.execute(trx);
        const second = await sql<{ u: string }>`select current_setting('app.user_id', true) as u`.execute(trx);
        return { ...first.rows[0], ...second.rows[0] };
      });
      expect(seen).toEqual({ o: org.id, n: 42, u: user.id });
      const texts = sent.mock.calls.map(([config]) => String(config));
      // BEGIN and the first statement, then the second statement: two messages, not four. The
      // transaction only read, so its COMMIT follows when no other message took it along.
      expect(texts).toHaveLength(2);
      expect(texts[0]).toMatch(/^begin;\nselect set_config\('app\.user_id', '[0-9a-f-]+', true\).*;\nselect current_setting\('app\.org_id', true\) as o,\s+'41' ::int \+ 1 as n$/s);
      await new Promise((resolve) => setTimeout(resolve, COMMIT_WAIT_MS + 20));
      expect(sent.mock.calls.map(([config]) => String(config)).slice(2)).toEqual(["commit"]);
    } finally {
      sent.mockRestore();
    }
  });

  test("many at once on the pool: each runs under its own scope", async () => {
    const user = await createUser(kernel);
    const orgs = await Promise.all(Array.from({ length: 6 }, () => createOrg(kernel, [{ userId: user.id, role: "owner" }])));
    const seen = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const orgId = orgs[i % orgs.length]!.id;
        return scopedTransaction(kernel.db, { userId: user.id, orgId }, applyScope, async (trx) => {
          await new Promise((resolve) => setTimeout(resolve, i % 3));
          const { rows } = await sql<{ o: string }>`select current_setting('app.org_id', true) as o`.execute(trx);
          return rows[0]?.o === orgId;
        });
      }),
    );
    expect(seen.every(Boolean)).toBe(true);
  });

  test("a transaction without a scope also sends its BEGIN with its first statement", async () => {
    const sent = vi.spyOn(pg.Client.prototype, "query");
    try {
      const n = await kernel.db.transaction().execute(async (trx) => (await sql<{ n: number }>`select ${20}::int + 1 as n`.execute(trx)).rows[0]?.n);
      expect(n).toBe(21);
      // (Other connections' read-only COMMITs go out meanwhile; one may ride along in front.)
      const texts = sent.mock.calls.map(([config]) => String(config)).filter((text) => text !== "commit");
      expect(texts).toHaveLength(1);
      expect(texts[0]).toMatch(/^(commit;\n)?begin;\nselect {2}'20' ::int \+ 1 as n$/);
    } finally {
      sent.mockRestore();
    }
  });

  test("an error in the first statement rolls the transaction back, and the connection serves the next one", async () => {
    const user = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: user.id, role: "owner" }]);
    const failed = await scopedTransaction(kernel.db, { userId: user.id, orgId: org.id }, applyScope, async (trx) => {
      await sql`select 1 / ${0}::int`.execute(trx);
    }).catch((err: unknown) => err);
    expect((failed as { code?: string }).code).toBe("22012");
    // Every pooled connection is usable and outside any transaction afterwards.
    const states = await Promise.all(
      Array.from({ length: 5 }, () => kernel.db.connection().execute(async (conn) => (await sql<{ s: string }>`select current_setting('app.org_id', true) as s`.execute(conn)).rows[0]?.s ?? "")),
    );
    expect(states.every((s) => s === "")).toBe(true);
  });

  test("a first statement that cannot be inlined (a binary value) still runs, after its BEGIN", async () => {
    const user = await createUser(kernel);
    const seen = await scopedTransaction(kernel.db, { userId: user.id, orgId: null }, applyScope, async (trx) => {
      const { rows } = await sql<{ n: number; u: string }>`select length(${Buffer.from("abc")}::bytea) as n, current_setting('app.user_id', true) as u`.execute(trx);
      return rows[0];
    });
    expect(seen).toEqual({ n: 3, u: user.id });
  });

  test("a transaction that wrote has committed when it returns; one that only read commits with the connection's next message", async () => {
    const user = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: user.id, role: "owner" }]);
    const key = `deferred:${user.id}`;
    await scopedTransaction(kernel.db, { userId: user.id, orgId: org.id }, applyScope, async (trx) => {
      await sql`select 1`.execute(trx);
      await sql`insert into rate_limits (key, window_start, count) values (${key}, now(), 1)`.execute(trx);
    });
    // Seen at once from another connection: the COMMIT went before the call returned.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      expect((await other.query("select count from rate_limits where key = $1", [key])).rows).toEqual([{ count: 1 }]);

      const client = new DeferredBeginClient({ connectionString: url });
      await client.connect();
      try {
        const pid = ((await client.query("select pg_backend_pid() as pid")) as pg.QueryResult<{ pid: number }>).rows[0]!.pid;
        const stateOf = async () => (await other.query("select state from pg_stat_activity where pid = $1", [pid])).rows[0]?.state as string;
        await client.query(`${DEFERRED_BEGIN}begin`);
        await client.query(`${DEFERRED_BEGIN}select set_config('app.org_id', '', true)`);
        await client.query("select 1 as one");
        const sent = vi.spyOn(pg.Client.prototype, "query");
        try {
          await client.query("commit");
          // Held for the next message, and taken along by it (COMMIT, then the statement, in one message).
          const next = (await client.query("select now() = statement_timestamp() as fresh")) as pg.QueryResult<{ fresh: boolean }>;
          expect(next.rows).toEqual([{ fresh: true }]);
          expect(sent.mock.calls.map(([config]) => String(config))).toEqual(["commit;\nselect now() = statement_timestamp() as fresh"]);
        } finally {
          sent.mockRestore();
        }
        expect(await stateOf()).toBe("idle");

        // With no next message, it goes alone after a moment.
        await client.query(`${DEFERRED_BEGIN}begin`);
        await client.query(`${DEFERRED_BEGIN}select set_config('app.org_id', '', true)`);
        await client.query("select 2 as two");
        await client.query("commit");
        await expect.poll(stateOf, { timeout: 2_000 }).toBe("idle");
      } finally {
        await client.end();
      }
    } finally {
      await other.end();
    }
  });

  test("only plain reads count as reads", () => {
    expect(onlyReads('select "id", "name" from "projects" where "org_id" = $1 order by "updated_at" desc')).toBe(true);
    expect(onlyReads("select * from dashboards where deleted_at is null")).toBe(true);
    expect(onlyReads('select count(*) as "n", coalesce(max("updated_at"), now()) from "projects" where "org_id" in ($1, $2)')).toBe(true);
    expect(onlyReads('select "id" from "dashboards" where exists (select 1 from "members" where lower("email") = $1)')).toBe(true);
    for (const text of [
      "insert into t values (1)",
      "with x as (delete from t returning *) select * from x",
      "select * from t for update",
      "select * from t for key share",
      "select nextval('s')",
      "select pg_notify('c', 'x')",
      "select pg_advisory_xact_lock(1)",
      "select atrium_touch_api_token($1)",
      // A plugin's own SQL function may write: only known built-ins count as reads.
      "select example_archive_notes($1)",
      'select "example_archive_notes"($1)',
      "select lo_unlink(1)",
      "select * into t2 from t",
      "select * from t for no key update nowait",
      "savepoint a",
    ]) {
      expect(onlyReads(text), text).toBe(false);
    }
  });

  test("a transaction with no statement commits its BEGIN alone", async () => {
    const client = new DeferredBeginClient({ connectionString: url });
    await client.connect();
    try {
      await client.query(`${DEFERRED_BEGIN}begin`);
      await client.query(`${DEFERRED_BEGIN}select set_config('app.org_id', '', true)`);
      const committed = await client.query("commit");
      expect(committed).toMatchObject({ command: "COMMIT" });
      const { rows } = (await client.query("select now() = statement_timestamp() as t")) as pg.QueryResult<{ t: boolean }>;
      // Outside a transaction, now() is this statement's own start.
      expect(rows[0]?.t).toBe(true);
    } finally {
      await client.end();
    }
  });
});

describe("prepared statements", () => {
  const preparedOn = async (client: pg.Client) =>
    ((await client.query("select name from pg_prepared_statements order by name")) as pg.QueryResult<{ name: string }>).rows.map((r) => r.name);

  test("a statement with parameters is prepared once per connection under a name from its text, and answers as before", async () => {
    const client = new DeferredBeginClient({ connectionString: url });
    await client.connect();
    try {
      const text = "select $1::int + 1 as v";
      const first = (await client.query(text, [1])) as pg.QueryResult<{ v: number }>;
      const second = (await client.query(text, [41])) as pg.QueryResult<{ v: number }>;
      expect([first.rows[0]?.v, second.rows[0]?.v]).toEqual([2, 42]);
      expect(await preparedOn(client)).toEqual([preparedNameOf(text)]);
      // A statement without parameters (the simple protocol: several statements in one) is not named.
      await client.query("select 1; select 2");
      expect(await preparedOn(client)).toEqual([preparedNameOf(text)]);
      // An error in a prepared statement is the caller's, and the statement stays usable.
      await expect(client.query("select 1 / $1::int as v", [0])).rejects.toMatchObject({ code: "22012" });
      const again = (await client.query("select 1 / $1::int as v", [1])) as pg.QueryResult<{ v: number }>;
      expect(again.rows[0]?.v).toBe(1);
    } finally {
      await client.end();
    }
  });

  test("turned off, nothing is prepared; on, a connection keeps at most its limit and runs the rest unnamed", async () => {
    const off = new DeferredBeginClient({ connectionString: url, preparedStatements: false });
    const capped = new DeferredBeginClient({ connectionString: url, maxPrepared: 2 });
    await Promise.all([off.connect(), capped.connect()]);
    try {
      for (const client of [off, capped]) {
        for (let i = 0; i < 4; i++) {
          const { rows } = (await client.query(`select $1::int * ${i} as v`, [3])) as pg.QueryResult<{ v: number }>;
          expect(rows[0]?.v).toBe(3 * i);
        }
      }
      expect(await preparedOn(off)).toEqual([]);
      expect((await preparedOn(capped)).sort()).toEqual([preparedNameOf("select $1::int * 0 as v"), preparedNameOf("select $1::int * 1 as v")].sort());
      // The ones it holds are still used.
      const { rows } = (await capped.query("select $1::int * 1 as v", [7])) as pg.QueryResult<{ v: number }>;
      expect(rows[0]?.v).toBe(7);
    } finally {
      await Promise.all([off.end(), capped.end()]);
    }
  });

  test("an upsert whose conflict target is a partial index is not named: it keeps working past the generic plan", async () => {
    const admin = new pg.Client({ connectionString: url });
    const client = new DeferredBeginClient({ connectionString: url });
    await Promise.all([admin.connect(), client.connect()]);
    const table = `prepared_partial_${Date.now().toString(36)}`;
    try {
      await admin.query(`create table ${table} (k text not null, kind text not null)`);
      await admin.query(`create unique index on ${table} (k) where kind = 'once'`);
      const partial = `insert into ${table} (k, kind) values ($1, $2) on conflict (k) where kind = $3 do nothing`;
      // Planned generically from the sixth run, a named statement would fail here: the
      // parameter in the predicate proves no index.
      for (let i = 0; i < 8; i++) await client.query(partial, [`k${i % 2}`, "once", "once"]);
      expect(((await admin.query(`select count(*)::int as n from ${table}`)) as pg.QueryResult<{ n: number }>).rows[0]?.n).toBe(2);
      expect(preparedNameOf(partial)).toBeNull();
      expect(await preparedOn(client)).toEqual([]);
      // An upsert on a whole-table key is named as any statement is.
      await admin.query(`create unique index on ${table} (kind, k)`);
      const whole = `insert into ${table} (k, kind) values ($1, $2) on conflict (kind, k) do nothing`;
      for (let i = 0; i < 8; i++) await client.query(whole, [`w${i % 3}`, "many"]);
      expect(await preparedOn(client)).toContain(preparedNameOf(whole));
    } finally {
      await admin.query(`drop table if exists ${table}`);
      await Promise.all([admin.end(), client.end()]);
    }
  });

  test("a migration that changes a prepared statement's columns: retried alone, reported inside a transaction, then run unnamed", async () => {
    const admin = new pg.Client({ connectionString: url });
    const client = new DeferredBeginClient({ connectionString: url });
    await Promise.all([admin.connect(), client.connect()]);
    const table = `prepared_shape_${Date.now().toString(36)}`;
    const alone = `select * from ${table} where id = $1`;
    const inTransaction = `select * from ${table} where id = $1 and a is not null`;
    try {
      await admin.query(`create table ${table} (id int primary key, a text)`);
      await admin.query(`insert into ${table} values (1, 'one')`);
      for (const text of [alone, inTransaction]) expect(((await client.query(text, [1])) as pg.QueryResult).rows).toEqual([{ id: 1, a: "one" }]);
      expect((await preparedOn(client)).sort()).toEqual([preparedNameOf(alone), preparedNameOf(inTransaction)].sort());
      await admin.query(`alter table ${table} add column b text default 'bee'`);

      // Alone: the failure left nothing behind, so the statement is sent again and answers.
      expect(((await client.query(alone, [1])) as pg.QueryResult).rows).toEqual([{ id: 1, a: "one", b: "bee" }]);

      // Inside a transaction the failure aborted it: the caller hears of it and rolls back.
      await client.query("begin");
      try {
        await expect(client.query(inTransaction, [1])).rejects.toMatchObject({ code: "0A000" });
      } finally {
        await client.query("rollback");
      }
      expect(((await client.query(inTransaction, [1])) as pg.QueryResult).rows).toEqual([{ id: 1, a: "one", b: "bee" }]);

      // Both now run unnamed on this connection, and follow the next change too.
      await admin.query(`alter table ${table} add column c int default 3`);
      for (const text of [alone, inTransaction]) expect(((await client.query(text, [1])) as pg.QueryResult).rows).toEqual([{ id: 1, a: "one", b: "bee", c: 3 }]);
    } finally {
      await admin.query(`drop table if exists ${table}`);
      await Promise.all([admin.end(), client.end()]);
    }
  });
});
