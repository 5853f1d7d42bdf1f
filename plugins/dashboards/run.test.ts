/**
 * Running dashboards over the sample dataset on real PostgreSQL: variables change the results
 * (and hostile values stay data), option queries, visual queries, the cache and refresh, a
 * failing query reported in place, the per-org concurrency limit, preview/compile for the chart
 * builder and server-side SVG.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadSample } from "../data/sample";
import { bootDataKernel } from "../data/test-helpers";
import { asUser } from "../../tests/setup/fixtures";
import { colleague, rejectionOf, workspace } from "./test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let ws: Awaited<ReturnType<typeof workspace>>;
beforeAll(async () => {
  // Two queries at a time per org: a dashboard with more queries must queue, not fail.
  k = await bootDataKernel({ concurrency: 2 });
  ws = await workspace(k.kernel);
  await loadSample(k.kernel, k.kernel.ownerDb, ws.org.id);
}, 120_000);
afterAll(async () => k?.close());

const SALES = `title: Sales
variables:
  - name: channel
    type: select
    default: web
    options: [web, mobile, marketplace]
  - name: period
    type: daterange
    default: { start: "2025-01-01", end: "2025-03-31" }
  - name: status
    type: text
    default: completed
  - name: country
    type: select
    options: { query: countries }
queries:
  countries:
    sql: select distinct country from sample.customers order by 1
  orders:
    sql: |
      select count(*)::int as orders, coalesce(sum(total), 0)::float8 as revenue
      from sample.orders
      where channel = {{channel}} and status = {{status}}
        and ordered_at >= {{period.start}}::date and ordered_at < {{period.end}}::date + 1
  by_country:
    sql: |
      select count(*)::int as orders from sample.orders o join sample.customers c on c.id = o.customer_id
      where c.country = {{country}}
  echo:
    sql: select {{status}}::text as status
  by_channel:
    visual:
      table: sample.orders
      dimensions: [{ column: channel }]
      measures: [{ fn: count, as: orders }]
      filters: [{ column: status, op: eq, value: "{{status}}" }]
      sort: [{ by: channel }]
charts:
  - { id: orders, type: kpi, query: orders, value: orders }
  - { id: countries, type: table, query: by_country }
  - { id: channels, type: bar, title: Orders by channel, query: by_channel, x: channel, y: orders }
  - { id: echo, type: table, query: echo }
`;

let created = false;
async function sales() {
  if (!created) {
    await ws.caller.dashboards.create({ ...ws.at, yaml: SALES, slug: "sales" });
    created = true;
  }
  return { ...ws.at, slug: "sales" };
}

/** The same figure straight from the warehouse through the data plugin. */
async function direct(sql: string, params: Array<string | number>) {
  const r = await ws.caller.data.runQuery({ orgId: ws.org.id, sql, params, refresh: true });
  return r.rows;
}

describe("run", () => {
  test("runs every chart's query with the defaults; option queries fill the options and the select's default", async () => {
    const run = await ws.caller.dashboards.run(await sales());
    expect(Object.keys(run.results).sort()).toEqual(["by_channel", "by_country", "echo", "orders"]);
    expect(run.variables).toMatchObject({ channel: "web", status: "completed", period: { start: "2025-01-01", end: "2025-03-31" } });
    expect(run.variableOptions.channel).toEqual([
      { value: "web", label: "web" },
      { value: "mobile", label: "mobile" },
      { value: "marketplace", label: "marketplace" },
    ]);
    expect(run.variableOptions.country!.length).toBe(10);
    expect(run.variables.country).toBe(run.variableOptions.country![0]!.value);
    const orders = run.results.orders!;
    expect(orders.ok).toBe(true);
    if (!orders.ok) return;
    const expected = await direct(
      "select count(*)::int, coalesce(sum(total), 0)::float8 from sample.orders where channel = $1 and status = $2 and ordered_at >= $3::date and ordered_at < $4::date + 1",
      ["web", "completed", "2025-01-01", "2025-03-31"],
    );
    expect(orders.rows).toEqual([{ orders: expected[0]![0], revenue: expected[0]![1] }]);
    expect(orders.columns.map((c) => c.name)).toEqual(["orders", "revenue"]);
    expect(orders.rows[0]!.orders).toBeGreaterThan(0);
  });

  test("changing variables changes the results accordingly", async () => {
    const input = await sales();
    const web = await ws.caller.dashboards.run({ ...input, queries: ["orders"] });
    const mobile = await ws.caller.dashboards.run({ ...input, queries: ["orders"], variables: { channel: "mobile", period: { start: "2024-01-01", end: "2025-12-31" } } });
    expect(Object.keys(mobile.results)).toEqual(["orders"]);
    const [w, m] = [web.results.orders!, mobile.results.orders!];
    if (!w.ok || !m.ok) throw new Error("expected results");
    const expected = await direct(
      "select count(*)::int from sample.orders where channel = 'mobile' and status = 'completed' and ordered_at >= '2024-01-01' and ordered_at < '2026-01-01'",
      [],
    );
    expect(m.rows[0]!.orders).toBe(expected[0]![0]);
    expect(m.rows[0]!.orders).not.toBe(w.rows[0]!.orders);
    // A preset works too.
    const preset = await ws.caller.dashboards.run({ ...input, queries: ["orders"], variables: { period: "this_year" } });
    expect(preset.variables.period).toMatchObject({ start: `${new Date().getUTCFullYear()}-01-01` });
  });

  test("hostile variable values stay data: an injection attempt matches nothing and comes back verbatim", async () => {
    const input = await sales();
    const hostile = "completed' or '1'='1";
    const run = await ws.caller.dashboards.run({ ...input, variables: { status: hostile }, queries: ["orders", "echo", "by_channel"] });
    const [orders, echo, byChannel] = [run.results.orders!, run.results.echo!, run.results.by_channel!];
    if (!orders.ok || !echo.ok || !byChannel.ok) throw new Error(`expected results: ${JSON.stringify(run.results)}`);
    expect(orders.rows[0]!.orders).toBe(0);
    expect(echo.rows).toEqual([{ status: hostile }]);
    expect(byChannel.rows).toEqual([]);
    const dropAttempt = "x'); drop table sample.orders; --";
    const again = await ws.caller.dashboards.run({ ...input, variables: { status: dropAttempt }, queries: ["echo"] });
    expect(again.results.echo).toMatchObject({ ok: true, rows: [{ status: dropAttempt }] });
    expect((await direct("select count(*)::int from sample.orders", []))[0]![0]).toBe(40_000);
  });

  test("the visual query compiles against the warehouse's tables and binds its filter variable", async () => {
    const run = await ws.caller.dashboards.run({ ...(await sales()), queries: ["by_channel"], variables: { status: "refunded" } });
    const r = run.results.by_channel!;
    if (!r.ok) throw new Error(JSON.stringify(r));
    const expected = await direct("select channel, count(*)::int from sample.orders where status = $1 group by 1 order by 1", ["refunded"]);
    expect(r.rows.map((x) => [x.channel, Number(x.orders)])).toEqual(expected.map((x) => [x[0], x[1]]));
  });

  test("a bad variable value is a 422 on variables.<name>; an unknown variable or query too", async () => {
    const input = await sales();
    const bad = await rejectionOf(ws.caller.dashboards.run({ ...input, variables: { channel: "fax" } }));
    expect(bad.code).toBe("UNPROCESSABLE_CONTENT");
    expect(bad.fields["variables.channel"]).toBeDefined();
    const range = await rejectionOf(ws.caller.dashboards.run({ ...input, variables: { period: { start: "2025-02-30", end: "2025-01-01" } } }));
    expect(range.fields["variables.period"]).toBeDefined();
    const unknown = await rejectionOf(ws.caller.dashboards.run({ ...input, variables: { colour: "red" } }));
    expect(unknown.fields["variables.colour"]).toBeDefined();
    const query = await rejectionOf(ws.caller.dashboards.run({ ...input, queries: ["nope"] }));
    expect(query.fields.queries?.[0]).toMatch(/no query "nope"/);
  });

  test("results are cached until refresh", async () => {
    const input = { ...(await sales()), queries: ["orders"], variables: { channel: "marketplace" } };
    await ws.caller.dashboards.run({ ...input, refresh: true });
    const warm = await ws.caller.dashboards.run(input);
    expect(warm.results.orders).toMatchObject({ ok: true, cached: true });
    const fresh = await ws.caller.dashboards.run({ ...input, refresh: true });
    expect(fresh.results.orders).toMatchObject({ ok: true, cached: false });
  });

  test("a failing query is reported in its own result with its line; the others still run", async () => {
    await ws.caller.dashboards.create({
      ...ws.at,
      slug: "half-broken",
      yaml: `title: Half broken
queries:
  good:
    sql: select count(*)::int as n from sample.products
  bad:
    sql: |
      select 1,
        2 frm sample.orders
  missing:
    sql: select * from sample.no_such_table
charts:
  - { id: good, type: kpi, query: good, value: n }
  - { id: bad, type: table, query: bad }
  - { id: missing, type: table, query: missing }
`,
    });
    const run = await ws.caller.dashboards.run({ ...ws.at, slug: "half-broken" });
    expect(run.results.good).toMatchObject({ ok: true, rows: [{ n: 400 }] });
    expect(run.results.bad).toMatchObject({ ok: false, error: { code: "query_failed", line: 2 } });
    expect(run.results.missing).toMatchObject({ ok: false, error: { code: "query_failed" } });
    if (run.results.missing!.ok) return;
    expect(run.results.missing!.error.message).toMatch(/no_such_table/);
  });

  test("eight queries with a limit of two per org: all run, none refused as busy", async () => {
    const queries = Array.from({ length: 8 }, (_, i) => `  q${i}:\n    sql: select ${i} as n, pg_sleep(0.05)::text as slept`).join("\n");
    const charts = Array.from({ length: 8 }, (_, i) => `  - { id: c${i}, type: table, query: q${i} }`).join("\n");
    await ws.caller.dashboards.create({ ...ws.at, slug: "eight", yaml: `title: Eight\nqueries:\n${queries}\ncharts:\n${charts}\n` });
    const run = await ws.caller.dashboards.run({ ...ws.at, slug: "eight", refresh: true });
    expect(Object.values(run.results).map((r) => r.ok)).toEqual(Array(8).fill(true));
    expect(Object.entries(run.results).map(([id, r]) => (r.ok ? `${id}=${String(r.rows[0]!.n)}` : id))).toEqual(Array.from({ length: 8 }, (_, i) => `q${i}=${i}`));
  });

  test("a viewer runs the dashboard (its stored SQL) but previews nothing", async () => {
    const viewer = await colleague(k.kernel, ws.org.id, "viewer");
    const run = await viewer.caller.dashboards.run({ ...(await sales()), queries: ["orders"] });
    expect(run.results.orders!.ok).toBe(true);
    expect((await rejectionOf(viewer.caller.dashboards.preview({ ...ws.at, sql: "select 1" }))).code).toBe("FORBIDDEN");
  });
});

test("a run the caller abandons stops its queries at once and reports them cancelled", async () => {
  await ws.caller.dashboards.create({
    ...ws.at,
    slug: "slow",
    yaml: "title: Slow\nqueries:\n  slow:\n    sql: select pg_sleep(5)::text as z\ncharts:\n  - { id: s, type: table, query: slow }\n",
  });
  const controller = new AbortController();
  const started = Date.now();
  const pending = asUser(k.kernel, ws.user.id, { signal: controller.signal }).dashboards.run({ ...ws.at, slug: "slow", refresh: true });
  setTimeout(() => controller.abort(), 300);
  const run = await pending;
  expect(Date.now() - started).toBeLessThan(2500);
  expect(run.results.slow).toMatchObject({ ok: false, error: { code: "cancelled" } });
});

test("visual queries compile against the tables as they are now: a column added by an import is seen", async () => {
  await ws.caller.data.importCsv({ orgId: ws.org.id, table: "probe", csv: "a\n1\n2\n" });
  await ws.caller.dashboards.create({
    ...ws.at,
    slug: "probe",
    yaml: "title: Probe\nqueries:\n  by_b:\n    visual: { table: probe, dimensions: [{ column: b }], measures: [{ fn: count, as: n }] }\ncharts:\n  - { id: t, type: table, query: by_b }\n",
  });
  const before = await ws.caller.dashboards.run({ ...ws.at, slug: "probe" });
  expect(before.results.by_b).toMatchObject({ ok: false, error: { code: "invalid_visual_query" } });
  await ws.caller.data.importCsv({ orgId: ws.org.id, table: "probe", csv: "a,b\n1,x\n2,x\n" });
  await new Promise((r) => setTimeout(r, 300)); // the change reaches every instance as an event
  const after = await ws.caller.dashboards.run({ ...ws.at, slug: "probe" });
  expect(after.results.by_b).toMatchObject({ ok: true, rows: [{ b: "x", n: 2 }] });
});

describe("preview and compile (the chart builder)", () => {
  test("preview runs SQL with its own variables and shows the bound SQL and parameters", async () => {
    const out = await ws.caller.dashboards.preview({
      ...ws.at,
      sql: "select count(*)::int as n from sample.orders where channel = {{channel}}",
      variables: [{ name: "channel", type: "select", default: "web" }],
      values: { channel: "mobile" },
    });
    expect(out.sql).toBe("select count(*)::int as n from sample.orders where channel = $1");
    expect(out.parameters).toEqual(["mobile"]);
    const expected = await direct("select count(*)::int from sample.orders where channel = 'mobile'", []);
    expect(out.result).toMatchObject({ ok: true, rows: [{ n: expected[0]![0] }] });
  });

  test("preview of a visual query, and a failing preview reported in place", async () => {
    const visual = await ws.caller.dashboards.preview({ ...ws.at, visual: { table: "sample.products", dimensions: [{ column: "category" }], measures: [{ fn: "count", as: "n" }], sort: [{ by: "category" }] } });
    expect(visual.result.ok && visual.result.rows.length).toBe(7);
    const failing = await ws.caller.dashboards.preview({ ...ws.at, sql: "select nope from sample.products" });
    expect(failing.result).toMatchObject({ ok: false, error: { code: "query_failed" } });
    const undeclared = await rejectionOf(ws.caller.dashboards.preview({ ...ws.at, sql: "select {{who}}" }));
    expect(undeclared.code).toBe("UNPROCESSABLE_CONTENT");
    expect(undeclared.fields.sql?.[0]).toMatch(/who/);
    const empty = await rejectionOf(ws.caller.dashboards.preview({ ...ws.at, sql: "  " }));
    expect(empty.fields.sql).toEqual(["Write a query (or give a visual one)"]);
  });

  test("compile gives the SQL of a visual query, or a 422 naming the unknown column", async () => {
    const out = await ws.caller.dashboards.compile({ ...ws.at, visual: { table: "sample.orders", dimensions: [{ column: "channel" }], measures: [{ fn: "sum", column: "total", as: "revenue" }] } });
    expect(out.sql).toMatch(/from "sample"\."orders"/i);
    expect(out.sql).toMatch(/sum\("total"\)/i);
    const bad = await rejectionOf(ws.caller.dashboards.compile({ ...ws.at, visual: { table: "sample.orders", dimensions: [{ column: "colour" }] } }));
    expect(bad.code).toBe("UNPROCESSABLE_CONTENT");
    expect(Object.keys(bad.fields).some((f) => f.startsWith("visual"))).toBe(true);
  });
});

describe("renderChart", () => {
  test("returns the chart as SVG; an unknown chart is 404", async () => {
    const input = await sales();
    const out = await ws.caller.dashboards.renderChart({ ...input, chartId: "channels", variables: { status: "completed" } });
    expect(out).toMatchObject({ chartId: "channels", title: "Orders by channel" });
    expect(out.svg).toMatch(/^<svg/);
    expect(out.svg).toContain("marketplace");
    const kpi = await ws.caller.dashboards.renderChart({ ...input, chartId: "orders" });
    expect(kpi.svg).toMatch(/<svg/);
    expect((await rejectionOf(ws.caller.dashboards.renderChart({ ...input, chartId: "nope" }))).code).toBe("NOT_FOUND");
  });
});
