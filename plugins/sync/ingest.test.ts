/**
 * The ingestion API end to end: real HTTP into the real API handler, real warehouse databases,
 * the query engine reading what arrived.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { asUser, createOrg, createUser } from "../../tests/setup/fixtures";
import { runQuery } from "../data/engine";
import { bootSyncServer, createToken, sendRows } from "./test-helpers";

let s: Awaited<ReturnType<typeof bootSyncServer>>;
let owner: { id: string };
let orgA: { id: string };
let orgB: { id: string };
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  s = await bootSyncServer({ rowsPerMinute: 5_000, maxInflatedBytes: 200_000, afterWaitMs: 1_000 });
  owner = await createUser(s.kernel);
  orgA = await createOrg(s.kernel, [{ userId: owner.id, role: "owner" }]);
  orgB = await createOrg(s.kernel, [{ userId: owner.id, role: "owner" }]);
  tokenA = await createToken(s.kernel, owner.id, orgA.id, ["read", "write"]);
  tokenB = await createToken(s.kernel, owner.id, orgB.id, ["read", "write"]);
});

afterAll(async () => s?.close());

async function count(orgId: string, table: string): Promise<number> {
  const r = await runQuery(s.kernel, s.kernel.ownerDb, orgId, { sourceId: "warehouse", params: [], sql: `select count(*)::int as n from ${table}` });
  return (r.rows[0] as unknown[])[0] as number;
}

describe("POST /api/v1/datasets/:name/rows", () => {
  test("JSON lines land as a table the query engine reads; a resend is all duplicates", async () => {
    const rows = [
      { id: 1, tool: "grep", durationMs: 12.5, ok: true, at: "2026-11-30T10:00:00Z", meta: { a: 1 } },
      { id: 2, tool: "sed", durationMs: 3, ok: false, at: "2026-11-30T11:00:00Z", meta: null },
    ];
    const first = await sendRows(s.url, tokenA, "tool_calls", rows);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accepted: 2, duplicates: 0, rejected: [], cursor: null });
    const again = await sendRows(s.url, tokenA, "tool_calls", rows);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(await count(orgA.id, "tool_calls")).toBe(2);
    const typed = await runQuery(s.kernel, s.kernel.ownerDb, orgA.id, {
      sourceId: "warehouse",
      params: [],
      sql: "select tool, duration_ms, ok, extract(hour from at)::int as h, meta->>'a' as a from tool_calls order by id",
    });
    expect(typed.rows).toEqual([
      ["grep", 12.5, true, 10, "1"],
      ["sed", 3, false, 11, null],
    ]);
    // Listed, with its count, for the Data tab.
    const listed = await asUser(s.kernel, owner.id).sync.datasets.list({ orgId: orgA.id });
    expect(listed).toEqual([expect.objectContaining({ name: "tool_calls", rowCount: 2, batches: 2 })]);
  });

  test("key columns upsert: a changed row is updated, an unchanged one is a duplicate", async () => {
    const csv = "id,status\n1,open\n2,open\n";
    expect((await sendRows(s.url, tokenA, "tickets", csv, { key: "id" })).body).toMatchObject({ accepted: 2, duplicates: 0 });
    const gz = await sendRows(s.url, tokenA, "tickets", "id,status\n1,open\n2,closed\n3,open\n", { gzip: true });
    expect(gz.body).toMatchObject({ accepted: 2, duplicates: 1 });
    const r = await runQuery(s.kernel, s.kernel.ownerDb, orgA.id, { sourceId: "warehouse", params: [], sql: "select id, status from tickets order by id" });
    expect(r.rows).toEqual([
      [1, "open"],
      [2, "closed"],
      [3, "open"],
    ]);
    const changeKeys = await sendRows(s.url, tokenA, "tickets", "id,status\n4,x\n", { key: "status" });
    expect(changeKeys.status).toBe(422);
    expect(changeKeys.body.error?.code).toBe("KEY_MISMATCH");
  });

  test("any text arrives as sent (tabs, newlines, backslashes, \\N, quotes, emoji, JSON); a NUL byte is refused whole", async () => {
    const hostile = [
      { id: 1, note: "a\tb\nc\r\nd", raw: "\\N", path: "C:\\temp\\x", meta: { q: 'say "hi"\t\\', list: [1, "two"] } },
      { id: 2, note: "  spaced  ", raw: "", path: "😀 ünïcode", meta: "just text" },
      { id: 3, note: null, raw: "\\.", path: "\\", meta: [] },
    ];
    const sent = await sendRows(s.url, tokenA, "hostile_text", hostile, { key: "id" });
    expect(sent.body).toMatchObject({ accepted: 3, duplicates: 0 });
    const back = await runQuery(s.kernel, s.kernel.ownerDb, orgA.id, { sourceId: "warehouse", params: [], sql: "select note, raw, path, meta::text as meta from hostile_text order by id" });
    expect(back.rows).toEqual([
      ["a\tb\nc\r\nd", "\\N", "C:\\temp\\x", JSON.stringify({ q: 'say "hi"\t\\', list: [1, "two"] }).replace(/,/g, ", ").replace(/":/g, '": ')],
      ["  spaced  ", "", "😀 ünïcode", '"just text"'],
      [null, "\\.", "\\", "[]"],
    ]);
    const nul = await sendRows(s.url, tokenA, "hostile_text", [{ id: 4, note: "before\u0000after", raw: "x", path: "y", meta: null }]);
    expect(nul.status).toBe(422);
    expect(await count(orgA.id, "hostile_text")).toBe(3);
  });

  test("columns named like Object's own members (constructor, to_string, __proto__) are plain columns", async () => {
    const lines = '{"id": 1, "constructor": "c1", "__proto__x": 1, "toString": "t1"}\n{"id": 2, "other": "o2"}\n';
    const sent = await sendRows(s.url, tokenA, "object_names", lines, { key: "id", format: "jsonl" });
    expect(sent.body).toMatchObject({ accepted: 2, duplicates: 0, rejected: [] });
    const back = await runQuery(s.kernel, s.kernel.ownerDb, orgA.id, { sourceId: "warehouse", params: [], sql: 'select id, "constructor", proto_x, to_string, other from object_names order by id' });
    expect(back.rows).toEqual([
      [1, "c1", 1, "t1", null],
      [2, null, null, null, "o2"],
    ]);
  });

  test("new rows, then rows it already has, then new rows again: counted right each time", async () => {
    const rows = (from: number, to: number, status: string) => Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i, status }));
    expect((await sendRows(s.url, tokenA, "phases", rows(1, 50, "new"), { key: "id" })).body).toMatchObject({ accepted: 50, duplicates: 0 });
    // Half known (10 of them changed), half new: the plain load meets a known row and merges instead.
    const mixed = [...rows(41, 50, "changed"), ...rows(51, 60, "new")];
    expect((await sendRows(s.url, tokenA, "phases", mixed)).body).toMatchObject({ accepted: 20, duplicates: 0 });
    expect((await sendRows(s.url, tokenA, "phases", rows(41, 50, "changed"))).body).toMatchObject({ accepted: 0, duplicates: 10 });
    expect((await sendRows(s.url, tokenA, "phases", rows(61, 70, "new"))).body).toMatchObject({ accepted: 10, duplicates: 0 });
    expect((await sendRows(s.url, tokenA, "phases", rows(71, 80, "new"))).body).toMatchObject({ accepted: 10, duplicates: 0 });
    const r = await runQuery(s.kernel, s.kernel.ownerDb, orgA.id, { sourceId: "warehouse", params: [], sql: "select status, count(*)::int from phases group by status order by status" });
    expect(r.rows).toEqual([
      ["changed", 10],
      ["new", 70],
    ]);
    // Content identity (no key): the same rows again are duplicates, inserted once.
    const events = [{ kind: "a", n: 1 }, { kind: "b", n: 2 }];
    expect((await sendRows(s.url, tokenA, "events_once", events)).body).toMatchObject({ accepted: 2, duplicates: 0 });
    expect((await sendRows(s.url, tokenA, "events_once", [...events, { kind: "c", n: 3 }])).body).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(await count(orgA.id, "events_once")).toBe(3);
  });

  test("Atrium-After: a batch sent ahead of the one before it waits for it, so batches apply in the order sent", async () => {
    const first = [{ id: 1, status: "first" }];
    const second = [{ id: 1, status: "second" }, { id: 2, status: "second" }];
    // The second batch arrives first: it waits until the one it names is written.
    const early = sendRows(s.url, tokenA, "ordered", second, { idempotencyKey: "ordered-2", headers: { "atrium-after": "ordered-1" } });
    await new Promise((r) => setTimeout(r, 150));
    expect(await count(orgA.id, "ordered").catch(() => 0)).toBe(0);
    const late = await sendRows(s.url, tokenA, "ordered", first, { key: "id", idempotencyKey: "ordered-1" });
    expect(late.body).toMatchObject({ accepted: 1 });
    expect((await early).body).toMatchObject({ accepted: 2, duplicates: 0 });
    const r = await runQuery(s.kernel, s.kernel.ownerDb, orgA.id, { sourceId: "warehouse", params: [], sql: "select id, status from ordered order by id" });
    expect(r.rows).toEqual([
      [1, "second"],
      [2, "second"],
    ]);
    // Naming a batch that never comes: refused after the wait, nothing written.
    const orphan = await sendRows(s.url, tokenA, "ordered", [{ id: 3, status: "orphan" }], { idempotencyKey: "ordered-4", headers: { "atrium-after": "ordered-3" } });
    expect(orphan.status).toBe(409);
    expect(orphan.body.error?.code).toBe("PREVIOUS_BATCH_MISSING");
    expect(await count(orgA.id, "ordered")).toBe(2);
    // Atrium-After needs an Idempotency-Key of its own.
    const keyless = await sendRows(s.url, tokenA, "ordered", [{ id: 5, status: "x" }], { headers: { "atrium-after": "ordered-1" } });
    expect(keyless.status).toBe(422);
  });

  test("new columns are added; a type conflict is a 422 naming column and row, and nothing is written", async () => {
    await sendRows(s.url, tokenA, "sessions", [{ id: 1, tokens: 10 }], { key: "id" });
    const grown = await sendRows(s.url, tokenA, "sessions", [{ id: 2, tokens: 5, model: "m1" }]);
    expect(grown.body).toMatchObject({ accepted: 1 });
    const bad = await sendRows(s.url, tokenA, "sessions", [
      { id: 3, tokens: 7, branch: "main" },
      { id: 4, tokens: "many" },
    ]);
    expect(bad.status).toBe(422);
    expect(bad.body.error?.code).toBe("SCHEMA_CONFLICT");
    expect(bad.body.error?.message).toContain('row 2, column "tokens"');
    expect(bad.body.rejected).toEqual([{ row: 2, field: "tokens", message: expect.stringContaining("is not an integer") }]);
    expect(bad.body.accepted).toBe(0);
    expect(await count(orgA.id, "sessions")).toBe(2);
    // The column the failed batch would have added is not there either.
    const cols = await runQuery(s.kernel, s.kernel.ownerDb, orgA.id, { sourceId: "warehouse", params: [], sql: "select * from sessions limit 0" });
    expect(cols.columns.map((c) => c.name)).not.toContain("branch");
  });

  test("Idempotency-Key: same body → the stored answer; different body → 409; concurrent retries write once", async () => {
    const rows = [{ n: 1 }, { n: 2 }, { n: 3 }];
    const first = await sendRows(s.url, tokenA, "events", rows, { idempotencyKey: "batch-1", cursor: "c3" });
    expect(first.body).toEqual({ accepted: 3, duplicates: 0, rejected: [], cursor: "c3" });
    const replay = await sendRows(s.url, tokenA, "events", rows, { idempotencyKey: "batch-1", cursor: "c3" });
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);
    const other = await sendRows(s.url, tokenA, "events", [{ n: 4 }], { idempotencyKey: "batch-1", cursor: "c4" });
    expect(other.status).toBe(409);
    expect(other.body.error?.code).toBe("IDEMPOTENCY_KEY_REUSED");

    const many = Array.from({ length: 500 }, (_, i) => ({ n: 1000 + i, text: `row ${i}` }));
    const racing = await Promise.all([1, 2, 3].map(() => sendRows(s.url, tokenA, "events", many, { idempotencyKey: "batch-2" })));
    expect(racing.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(racing.map((r) => r.body.accepted)).toEqual([500, 500, 500]);
    expect(racing.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(2);
    expect(await count(orgA.id, "events")).toBe(503);
  });

  test("a token of org A writes org A's warehouse only; org B's stays untouched", async () => {
    await sendRows(s.url, tokenA, "isolated", [{ secret: "a" }]);
    await sendRows(s.url, tokenB, "isolated", [{ secret: "b" }, { secret: "b2" }]);
    expect(await count(orgA.id, "isolated")).toBe(1);
    expect(await count(orgB.id, "isolated")).toBe(2);
    const bList = await asUser(s.kernel, owner.id).sync.datasets.list({ orgId: orgB.id });
    expect(bList.map((d) => d.name)).toEqual(["isolated"]);
    // A token of A lists A's datasets only, whatever org the request names.
    await sendRows(s.url, tokenB, "only_b", [{ v: 1 }]);
    const res = await fetch(`${s.url}/api/v1/datasets?orgId=${orgB.id}`, { headers: { authorization: `Bearer ${tokenA}` } });
    const names = ((await res.json()) as Array<{ name: string }>).map((d) => d.name);
    expect(names).toContain("isolated");
    expect(names).not.toContain("only_b");
    const reg = await fetch(`${s.url}/api/v1/sources`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokenA}`, "content-type": "application/json" },
      body: JSON.stringify({ orgId: orgB.id, projectKey: "p", machineId: "m", name: "laptop" }),
    });
    expect(reg.status).toBe(200);
    const bSources = await asUser(s.kernel, owner.id).sync.sources.list({ orgId: orgB.id });
    expect(bSources).toEqual([]);
  });

  test("bad tokens, scopes, roles, names, media types and bodies are refused with nothing written", async () => {
    const readOnly = await createToken(s.kernel, owner.id, orgA.id, ["read"]);
    const viewer = await createUser(s.kernel);
    await s.kernel.ownerDb.insertInto("memberships").values({ org_id: orgA.id, user_id: viewer.id, role: "viewer" }).execute();
    const viewerToken = await createToken(s.kernel, viewer.id, orgA.id, ["read", "write"]);
    expect((await sendRows(s.url, "atr_" + "a".repeat(32), "x", [{ a: 1 }])).status).toBe(401);
    expect((await sendRows(s.url, readOnly, "x", [{ a: 1 }])).status).toBe(403);
    expect((await sendRows(s.url, viewerToken, "x", [{ a: 1 }])).status).toBe(403);
    const badName = await sendRows(s.url, tokenA, 'x"; drop table tickets; --', [{ a: 1 }]);
    expect(badName.status).toBe(422);
    expect(badName.body.error?.code).toBe("INVALID_DATASET");
    expect((await sendRows(s.url, tokenA, "x", [{ a: 1 }], { headers: { "content-type": "application/xml" } })).status).toBe(415);
    const notJson = await sendRows(s.url, tokenA, "x", '{"a":1}\nnot json\n', { format: "jsonl" });
    expect(notJson.status).toBe(422);
    expect(notJson.body.rejected).toEqual([{ row: 2, field: null, message: "The line is not JSON" }]);
    // A gzip bomb: small on the wire, over the inflated cap.
    const bomb = await fetch(`${s.url}/api/v1/datasets/x/rows`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokenA}`, "content-type": "text/csv", "content-encoding": "gzip" },
      body: gzipSync("a\n" + "1\n".repeat(500_000)),
    });
    expect(bomb.status).toBe(413);
    const tables = await runQuery(s.kernel, s.kernel.ownerDb, orgA.id, { sourceId: "warehouse", params: [], sql: "select count(*)::int from information_schema.tables where table_name = 'x'" });
    expect(tables.rows).toEqual([[0]]);
    // A table that is not a dataset is never written into.
    expect((await sendRows(s.url, tokenA, "x", [{ a: 1 }])).status).toBe(200);
  });

  test("rows per minute: past the org's budget a 429 with Retry-After, nothing written", async () => {
    const org = await createOrg(s.kernel, [{ userId: owner.id, role: "owner" }]);
    const token = await createToken(s.kernel, owner.id, org.id, ["write"]);
    const rows = Array.from({ length: 3_000 }, (_, i) => ({ i }));
    expect((await sendRows(s.url, token, "burst", rows)).status).toBe(200);
    const over = await sendRows(s.url, token, "burst", rows.map((r) => ({ i: r.i + 10_000 })));
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await count(org.id, "burst")).toBe(3_000);
    const tooBig = await sendRows(s.url, token, "burst", Array.from({ length: 6_000 }, (_, i) => ({ i })));
    expect(tooBig.status).toBe(413);
  });

  test("sources register idempotently by (local project id, machine id) and record the last sync and cursor", async () => {
    const register = () =>
      fetch(`${s.url}/api/v1/sources`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokenA}`, "content-type": "application/json" },
        body: JSON.stringify({ projectKey: "proj-1", machineId: "laptop-7", name: "Ada's laptop" }),
      }).then((r) => r.json() as Promise<{ id: string; created: boolean }>);
    const one = await register();
    const two = await register();
    expect(two.id).toBe(one.id);
    expect([one.created, two.created]).toEqual([true, false]);
    const sent = await sendRows(s.url, tokenA, "decisions", [{ what: "ship" }], { source: one.id, cursor: "42" });
    expect(sent.body.cursor).toBe("42");
    const sources = await asUser(s.kernel, owner.id).sync.sources.list({ orgId: orgA.id });
    expect(sources.find((x) => x.id === one.id)).toMatchObject({ lastCursor: "42", rowsSent: 1, lagSeconds: expect.any(Number) });
    const datasets = await asUser(s.kernel, owner.id).sync.datasets.list({ orgId: orgA.id });
    expect(datasets.find((d) => d.name === "decisions")?.lastSource).toMatchObject({ id: one.id, machineId: "laptop-7" });
    // Another org's source id is not this org's.
    const foreign = await sendRows(s.url, tokenB, "decisions", [{ what: "x" }], { source: one.id });
    expect(foreign.status).toBe(404);
  });
});
