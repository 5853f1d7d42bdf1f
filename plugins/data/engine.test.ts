/**
 * The query engine on real PostgreSQL: results, caps, timeouts, cancellation, the per-org
 * concurrency limit, the cache, and who may run SQL.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bootDataKernel, member } from "./test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel({ queryTimeoutMs: 1500, maxRows: 100, maxBytes: 200_000, concurrency: 4 });
});
afterAll(async () => k?.close());

async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

/** How many backends of the org's warehouse role are running `needle` now. */
async function runningCount(orgId: string, needle: string): Promise<number> {
  const { rows } = await k.kernel.database.pool.query(
    `select count(*)::int as n from pg_stat_activity a join data_warehouses w on w.role_name = a.usename
     where w.org_id = $1 and a.state = 'active' and a.query like $2`,
    [orgId, `%${needle}%`],
  );
  return rows[0].n;
}

/** Whether any backend of the org's warehouse role is still running `needle`. */
async function stillRunning(orgId: string, needle: string): Promise<boolean> {
  return (await runningCount(orgId, needle)) > 0;
}

describe("results", () => {
  test("columns, rows as arrays, types and timing", async () => {
    const { org, caller } = await member(k.kernel);
    const result = await caller.data.runQuery({
      orgId: org.id,
      sql: "select 1::int as one, 'two' as two, $1::numeric as three, date '2024-05-01' as day, timestamptz '2024-05-01 10:00:00+00' as at, null::text as nothing, true as yes",
      params: ["3.5"],
    });
    expect(result).toMatchObject({
      columns: [
        { name: "one", type: "int4" },
        { name: "two", type: "text" },
        { name: "three", type: "numeric" },
        { name: "day", type: "date" },
        { name: "at", type: "timestamptz" },
        { name: "nothing", type: "text" },
        { name: "yes", type: "bool" },
      ],
      rows: [[1, "two", 3.5, "2024-05-01", "2024-05-01T10:00:00Z", null, true]],
      rowCount: 1,
      truncated: false,
      truncatedReason: null,
      cached: false,
    });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  test("parameters are bound, never spliced", async () => {
    const { org, caller } = await member(k.kernel);
    const hostile = "x'; drop table if exists t; select '";
    const result = await caller.data.runQuery({ orgId: org.id, sql: "select $1::text as v, $2::int + 1 as n", params: [hostile, 41] });
    expect(result.rows).toEqual([[hostile, 42]]);
  });

  test("failed statements leave no connection stuck: more failures than pooled connections, then a query", async () => {
    const { org, caller } = await member(k.kernel);
    for (let i = 0; i < 8; i++) await expect(caller.data.runQuery({ orgId: org.id, sql: `select 1/0, ${i}` })).rejects.toThrow(/division by zero/i);
    await expect(caller.data.runQuery({ orgId: org.id, sql: "select 'still fine'" })).resolves.toMatchObject({ rows: [["still fine"]] });
  });

  test("a syntax error says where it is", async () => {
    const { org, caller } = await member(k.kernel);
    const err = await rejection(caller.data.runQuery({ orgId: org.id, sql: "select 1,\n  2 frm x" }));
    expect(err.code).toBe("UNPROCESSABLE_CONTENT");
    expect(err.message).toMatch(/syntax error.*line 2, column 9/i);
  });
});

describe("limits", () => {
  test("the row cap truncates and says so", async () => {
    const { org, caller } = await member(k.kernel);
    const capped = await caller.data.runQuery({ orgId: org.id, sql: "select g from generate_series(1, 1000) g" });
    expect(capped).toMatchObject({ rowCount: 100, truncated: true, truncatedReason: "rows" });
    expect(capped.rows.at(-1)).toEqual([100]);
    const exact = await caller.data.runQuery({ orgId: org.id, sql: "select g from generate_series(1, 100) g" });
    expect(exact).toMatchObject({ rowCount: 100, truncated: false });
    const fewer = await caller.data.runQuery({ orgId: org.id, sql: "select g from generate_series(1, 1000) g", maxRows: 10 });
    expect(fewer).toMatchObject({ rowCount: 10, truncated: true });
  });

  test("the byte cap truncates and says so", async () => {
    const { org, caller } = await member(k.kernel);
    const result = await caller.data.runQuery({ orgId: org.id, sql: "select repeat('x', 10000) from generate_series(1, 90)" });
    expect(result.truncated).toBe(true);
    expect(result.truncatedReason).toBe("bytes");
    expect(result.rowCount).toBeLessThan(20);
    expect(JSON.stringify(result.rows).length).toBeLessThanOrEqual(200_000);
  });

  test("a query past statement_timeout is stopped with a message", async () => {
    const { org, caller } = await member(k.kernel);
    const started = Date.now();
    const err = await rejection(caller.data.runQuery({ orgId: org.id, sql: "select pg_sleep(10)" }));
    expect(err.code).toBe("UNPROCESSABLE_CONTENT");
    expect(err.message).toMatch(/ran longer than 1\.5 s/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("lifting statement_timeout from inside the query does not help", async () => {
    const { org, caller } = await member(k.kernel);
    const started = Date.now();
    const err = await rejection(caller.data.runQuery({ orgId: org.id, sql: "select set_config('statement_timeout', '0', false), pg_sleep(10)" }));
    expect(err.message).toMatch(/ran longer than/);
    expect(Date.now() - started).toBeLessThan(6000);
    // The SET did not outlive the query either: the next slow query is stopped too.
    await expect(caller.data.runQuery({ orgId: org.id, sql: "select pg_sleep(5)", refresh: true })).rejects.toThrow(/ran longer than/);
  });

  test("the query is cancelled in the database when the caller goes away", async () => {
    const { org, as, caller } = await member(k.kernel);
    await caller.data.runQuery({ orgId: org.id, sql: "select 1" }); // provision first
    const controller = new AbortController();
    const started = Date.now();
    const pending = as({ signal: controller.signal }).data.runQuery({ orgId: org.id, sql: "select pg_sleep(1.4), 'cancel-me'" });
    await new Promise((r) => setTimeout(r, 300));
    expect(await stillRunning(org.id, "cancel-me")).toBe(true);
    controller.abort();
    const err = await rejection(pending);
    expect(err.code).toBe("CLIENT_CLOSED_REQUEST");
    expect(Date.now() - started).toBeLessThan(1300);
    await new Promise((r) => setTimeout(r, 100));
    expect(await stillRunning(org.id, "cancel-me")).toBe(false);
  });

  test("an org runs at most N queries at once; the next caller gets 429", async () => {
    const { org, caller } = await member(k.kernel);
    await caller.data.runQuery({ orgId: org.id, sql: "select 1" }); // provision first
    const slow = Array.from({ length: 4 }, (_, i) => caller.data.runQuery({ orgId: org.id, sql: `select pg_sleep(0.6), ${i}` }));
    await new Promise((r) => setTimeout(r, 150));
    const err = await rejection(caller.data.runQuery({ orgId: org.id, sql: "select 'fifth'" }));
    expect(err.code).toBe("TOO_MANY_REQUESTS");
    // Another org is not affected.
    const other = await member(k.kernel);
    await expect(other.caller.data.runQuery({ orgId: other.org.id, sql: "select 'other org'" })).resolves.toMatchObject({ rows: [["other org"]] });
    await Promise.all(slow);
    await expect(caller.data.runQuery({ orgId: org.id, sql: "select 'fifth'" })).resolves.toMatchObject({ rows: [["fifth"]] });
  });
});

describe("the same query asked at once", () => {
  test("callers share one run: more of them than the org's slots all get the answer, and the slots stay free", async () => {
    const { org, caller } = await member(k.kernel);
    await caller.data.runQuery({ orgId: org.id, sql: "select 1" }); // provision first
    const sql = "select pg_sleep(0.5), 'shared-run' as tag";
    const same = Array.from({ length: 6 }, () => caller.data.runQuery({ orgId: org.id, sql }));
    await new Promise((r) => setTimeout(r, 150));
    expect(await runningCount(org.id, "shared-run")).toBe(1);
    await expect(caller.data.runQuery({ orgId: org.id, sql: "select 'meanwhile'" })).resolves.toMatchObject({ rows: [["meanwhile"]] });
    const results = await Promise.all(same);
    expect(results.map((r) => r.rows[0]?.[1])).toEqual(Array(6).fill("shared-run"));
  });

  test("when the caller who started the run goes away, one who joined it still gets the answer", async () => {
    const { org, as, caller } = await member(k.kernel);
    await caller.data.runQuery({ orgId: org.id, sql: "select 1" });
    const sql = "select pg_sleep(0.4), 'abandoned-run' as tag";
    const controller = new AbortController();
    const first = as({ signal: controller.signal }).data.runQuery({ orgId: org.id, sql });
    await new Promise((r) => setTimeout(r, 100));
    const second = caller.data.runQuery({ orgId: org.id, sql });
    controller.abort();
    expect((await rejection(first)).code).toBe("CLIENT_CLOSED_REQUEST");
    expect((await second).rows[0]?.[1]).toBe("abandoned-run");
  });
});

describe("the result cache", () => {
  test("a repeated query is served from the cache until refresh", async () => {
    const { org, caller } = await member(k.kernel);
    const sql = "select clock_timestamp()::text as t, $1::int as p";
    const first = await caller.data.runQuery({ orgId: org.id, sql, params: [1] });
    const second = await caller.data.runQuery({ orgId: org.id, sql, params: [1] });
    expect(first.cached).toBe(false);
    expect(second.cached).toBe(true);
    expect(second.cachedAt).not.toBeNull();
    expect(second.rows).toEqual(first.rows);
    // Other parameters, another cache entry.
    expect((await caller.data.runQuery({ orgId: org.id, sql, params: [2] })).cached).toBe(false);
    const refreshed = await caller.data.runQuery({ orgId: org.id, sql, params: [1], refresh: true });
    expect(refreshed.cached).toBe(false);
    expect(refreshed.rows[0]![0]).not.toBe(first.rows[0]![0]);
  });

  test("an import invalidates the org's cached results", async () => {
    const { org, caller } = await member(k.kernel);
    await caller.data.importCsv({ orgId: org.id, table: "t", csv: "n\n1\n" });
    expect((await caller.data.runQuery({ orgId: org.id, sql: "select count(*) from t" })).rows).toEqual([[1]]);
    await caller.data.importCsv({ orgId: org.id, table: "t", csv: "n\n1\n2\n" });
    const after = await caller.data.runQuery({ orgId: org.id, sql: "select count(*) from t" });
    expect(after).toMatchObject({ cached: false, rows: [[2]] });
  });

  test("orgs never share cache entries", async () => {
    const a = await member(k.kernel);
    const b = await member(k.kernel);
    await a.caller.data.importCsv({ orgId: a.org.id, table: "who", csv: "name\nalpha\n" });
    await b.caller.data.importCsv({ orgId: b.org.id, table: "who", csv: "name\nbravo\n" });
    expect((await a.caller.data.runQuery({ orgId: a.org.id, sql: "select name from who" })).rows).toEqual([["alpha"]]);
    const bResult = await b.caller.data.runQuery({ orgId: b.org.id, sql: "select name from who" });
    expect(bResult).toMatchObject({ cached: false, rows: [["bravo"]] });
  });
});

describe("who may run SQL", () => {
  test("a viewer sees the sources and tables but may not run SQL", async () => {
    const owner = await member(k.kernel);
    const viewer = await member(k.kernel, "viewer", owner.org.id);
    await owner.caller.data.importCsv({ orgId: owner.org.id, table: "visible", csv: "a\n1\n" });
    await expect(viewer.caller.data.sources.list({ orgId: owner.org.id })).resolves.toHaveLength(1);
    await expect(viewer.caller.data.describeTables({ orgId: owner.org.id })).resolves.toMatchObject({ tables: [{ name: "visible" }] });
    const err = await rejection(viewer.caller.data.runQuery({ orgId: owner.org.id, sql: "select 1" }));
    expect(err.code).toBe("FORBIDDEN");
  });

  test("an editor may run SQL and load data", async () => {
    const owner = await member(k.kernel);
    const editor = await member(k.kernel, "editor", owner.org.id);
    await editor.caller.data.importCsv({ orgId: owner.org.id, table: "from_editor", csv: "a\n1\n" });
    await expect(editor.caller.data.runQuery({ orgId: owner.org.id, sql: "select a from from_editor" })).resolves.toMatchObject({ rows: [[1]] });
  });
});

describe("schema introspection", () => {
  test("tables, columns, types and row estimates", async () => {
    const { org, caller } = await member(k.kernel);
    await caller.data.importCsv({ orgId: org.id, table: "people", csv: "id,name,born\n1,Ada,1815-12-10\n2,Alan,1912-06-23\n" });
    const { tables } = await caller.data.describeTables({ orgId: org.id, sourceId: "warehouse" });
    expect(tables).toEqual([
      {
        schema: "public",
        name: "people",
        kind: "table",
        rowEstimate: 2,
        columns: [
          { name: "id", type: "integer", nullable: true },
          { name: "name", type: "text", nullable: true },
          { name: "born", type: "date", nullable: true },
        ],
      },
    ]);
  });
});
