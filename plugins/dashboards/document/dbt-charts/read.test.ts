import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { prepareQuery, resolveVariableValues } from "..";
import { readDbtCharts } from ".";

const corpus = (name: string) => readFileSync(path.join(import.meta.dirname, "corpus", name), "utf8");

function read(name: string, options = {}) {
  const result = readDbtCharts(corpus(name), options);
  if (!result.ok) throw new Error(`${name} did not read:\n${result.errors.map((e) => `${e.line}:${e.column} ${e.code} ${e.path} ${e.message}`).join("\n")}`);
  return result;
}

describe("reading dbt Charts boards", () => {
  it("converts every part of a board: variables, queries, charts and the nested layout", () => {
    const { doc, notices, sourceNames, unmappedSources } = read("revenue.yml", { sources: { warehouse: "warehouse" } });
    expect(doc.title).toBe("Revenue review");
    expect(doc.description).toBe("Weekly numbers for the revenue meeting.");
    expect(doc.tags).toEqual(["finance", "weekly"]);
    expect(doc.source).toBe("warehouse");
    expect(sourceNames).toEqual(["warehouse"]);
    expect(unmappedSources).toEqual([]);
    expect(doc.variables?.map((v) => [v.name, v.type])).toEqual([
      ["region", "select"],
      ["channels", "multiselect"],
      ["period", "daterange"],
      ["min_total", "number"],
      ["trailing_days", "number"],
      ["as_of", "date"],
      ["search", "text"],
      ["include_refunds", "checkbox"],
    ]);
    expect(doc.variables?.find((v) => v.name === "period")).toMatchObject({ default: { start: "2026-01-01", end: "2026-03-31" } });
    expect(doc.variables?.find((v) => v.name === "min_total")).toMatchObject({ min: 0, max: 1000, step: 10, default: 100 });

    const charts = Object.fromEntries((doc.charts ?? []).map((c) => [c.id, c]));
    expect(charts.revenue_kpi).toEqual({
      id: "revenue_kpi",
      type: "kpi",
      title: "Revenue in {{ region }}",
      query: "headline",
      value: "revenue",
      compare: "growth",
      format: { value: "$,.0f", compare: "+.1%" },
    });
    expect(charts.weekly).toMatchObject({ type: "line", x: "week", y: "revenue", color: "channel", format: { y: "$.3~s" } });
    expect(charts.by_channel).toMatchObject({ type: "bar", y: ["revenue"], horizontal: true, stack: true, sort: { by: "revenue", dir: "desc" } });
    expect(charts.share).toMatchObject({ type: "pie", x: "channel", y: "revenue", donut: true });
    expect(charts.targets_table).toMatchObject({ type: "table", format: { target: ",.2f" } });
    expect(charts.spread).toMatchObject({ type: "scatter", size: "quantity", query: "spread_query" });
    expect(charts.cumulative).toMatchObject({ type: "area", stack: false });
    expect(charts.note).toEqual({ id: "note", type: "text", markdown: "**Heads up**\n\nFigures before March are provisional." });

    // The inline chart query became a query of its own; limits wrap the query.
    expect(doc.queries?.spread_query?.sql).toBe("SELECT amount, quantity, channel FROM orders LIMIT 200");
    expect(doc.queries?.by_week?.sql).toMatch(/^SELECT \* FROM \(\n[\s\S]*\n\) AS limited LIMIT 500$/);
    expect(doc.queries?.by_week?.description).toBe("Revenue per week and channel");
    expect(doc.queries?.targets?.sql).toBe(`SELECT * FROM (VALUES\n  ('web', 1000),\n  ('store', 800),\n  ('partner', 250.5)\n) AS inline_values("channel", "target")`);

    // Layout: every chart placed on the 12-column grid, text blocks as text charts, in order.
    const grid = doc.layout?.grid ?? [];
    const placed = grid.map((i) => i.chart);
    expect(placed).toEqual(["revenue_kpi", "orders_kpi", "text-1", "weekly", "by_channel", "cumulative", "share", "note", "text-2", "targets_table", "spread"]);
    expect(grid.find((i) => i.chart === "revenue_kpi")).toMatchObject({ x: 0, w: 6 });
    expect(grid.find((i) => i.chart === "orders_kpi")).toMatchObject({ x: 6, w: 6 });
    expect(grid.find((i) => i.chart === "by_channel")).toMatchObject({ x: 0, w: 8 });
    expect(grid.find((i) => i.chart === "share")).toMatchObject({ x: 8, w: 4 });
    for (const item of grid) expect(item.x + item.w).toBeLessThanOrEqual(12);
    expect(charts["text-2"]).toMatchObject({ markdown: "### Details\n\n" });

    // What is kept but not drawn is reported with its line.
    const label = notices.find((n) => n.path === "charts.revenue_kpi.support.label");
    expect(label).toMatchObject({ code: "not_drawn", line: 82 });
  });

  it("reads tabs, grids, query-backed options, table-column options and record-shaped values", () => {
    const { doc } = read("operations.yml");
    expect(doc.layout?.tabs?.map((t) => t.title)).toEqual(["Overview", "Layout grid", "Notes"]);
    expect(doc.layout?.tabs?.[1]?.grid).toEqual([
      { chart: "backlog_table", x: 0, y: 0, w: 6, h: 3 },
      { chart: "tickets_bar", x: 6, y: 0, w: 6, h: 6 },
    ]);
    const team = doc.variables?.find((v) => v.name === "team");
    expect(team).toMatchObject({ type: "select", options: { query: "team_options" } });
    expect(doc.queries?.team_options?.sql).toBe(`SELECT "team_id" AS value, "team_name" AS label FROM (\nSELECT team_id, team_name FROM teams ORDER BY team_name\n) AS options`);
    expect(doc.variables?.find((v) => v.name === "site")).toMatchObject({ type: "select", options: { query: "site_options" } });
    expect(doc.queries?.site_options?.sql).toBe("SELECT DISTINCT site_name FROM ops.sites WHERE site_name IS NOT NULL ORDER BY 1");
    expect(doc.variables?.find((v) => v.name === "shift")).toMatchObject({ type: "select", default: "day" });
    expect(doc.variables?.find((v) => v.name === "period")).toMatchObject({ type: "daterange", default: "last_30_days" });
    expect(doc.queries?.backlog?.sql).toContain(`('it''s pending', 3)`);
    expect(doc.charts?.find((c) => c.id === "tickets_bar")).toMatchObject({ query: "tickets_bar_query" });
    expect(doc.queries?.tickets_bar_query?.description).toBe("Per status");
  });

  it("refuses a board with anything Atrium cannot honour, naming each key with its code, line and hint", () => {
    const result = readDbtCharts(corpus("refused.yml"));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const found = result.errors.map((e) => [e.code, e.path, e.line]);
    expect(found).toEqual(
      expect.arrayContaining([
        ["unsupported_key", "extends", 2],
        ["range_input", "variables.span.input", 6],
        ["conditional_control", "variables.flag.enabled", 9],
        ["http_query", "queries.api.type", 12],
        ["setup_sql", "queries.prep.setup_sql", 16],
        ["jinja_unsupported", "queries.looped", 17],
        ["jinja_unsupported", "queries.piped", 18],
        ["map_chart", "charts.states.type", 21],
        ["map_chart", "charts.states.geo_source", 22],
        ["unsupported_key", "charts.combo.layers.0.query", 33],
        ["conditional_visibility", "rows.1.visible", 36],
      ]),
    );
    for (const e of result.errors) expect(e.hint.length).toBeGreaterThan(5);
    expect(result.notices.map((n) => n.path)).toContain("theme");
  });

  it("reports unknown keys with a suggestion, at the key's line", () => {
    const result = readDbtCharts("title: T\nqueries:\n  q: SELECT 1 AS n\ncharts:\n  k:\n    type: kpi\n    query: q\n    valeu: n\nrows: [k]\n");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatchObject({ code: "unknown_key", path: "charts.k.valeu", line: 8, column: 5 });
    expect(result.errors[0]!.hint).toContain("Did you mean `value`?");
  });

  it("points at the template inside block SQL", () => {
    const text = "title: T\nvariables:\n  r: { input: select, options: { static: [a] } }\nqueries:\n  q: |\n    SELECT 1\n    WHERE {{ r | upper }}\n";
    const result = readDbtCharts(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatchObject({ code: "jinja_unsupported", path: "queries.q", line: 7, column: 11 });
  });

  it("names sources that have no Atrium data source yet", () => {
    const { doc, unmappedSources } = read("revenue.yml");
    expect(unmappedSources).toEqual(["warehouse"]);
    expect(doc.source).toBe("warehouse");
    const mapped = read("revenue.yml", { sources: { warehouse: "9b1f3c1e-0000-4000-8000-000000000001" } });
    expect(mapped.doc.source).toBe("9b1f3c1e-0000-4000-8000-000000000001");
  });

  it("refuses a query that reads from another source than the board", () => {
    const result = readDbtCharts("title: T\nsource: a\nqueries:\n  q: { sql: SELECT 1 AS n, source: b }\n");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ code: "query_source", path: "queries.q.source", line: 4 });
  });

  it("binds the compiled queries as parameters: values never become SQL text", () => {
    const { doc } = read("revenue.yml");
    const hostile = "north'; DROP TABLE orders; --";
    const values = resolveVariableValues(doc.variables, { region: "north", search: hostile, trailing_days: 7, channels: ["web", "partner"] });
    const headline = prepareQuery(doc.queries!.headline!, doc.variables, values);
    expect(headline).toMatchObject({ ok: true });
    if (!headline.ok) return;
    expect(headline.sql).toContain("(region = $1 OR $1 IS NULL)");
    expect(headline.sql).toContain("(channel = ANY($2) OR cardinality($2) = 0)");
    expect(headline.sql).toContain("(ordered_at >= CAST($3 AS date) AND ordered_at < CAST($4 AS date) + 1)");
    expect(headline.parameters).toEqual(["north", ["web", "partner"], "2026-01-01", "2026-03-31"]);

    const big = prepareQuery(doc.queries!.big_orders!, doc.variables, values);
    if (!big.ok) throw new Error("big_orders did not bind");
    expect(big.sql).toBe("SELECT customer, amount FROM orders WHERE (amount >= $1 OR $1 IS NULL) AND customer ILIKE '%' || $2 || '%'");
    expect(big.parameters).toEqual([100, hostile]);
    expect(big.sql).not.toContain("DROP");

    const weekly = prepareQuery(doc.queries!.by_week!, doc.variables, values);
    if (!weekly.ok) throw new Error("by_week did not bind");
    expect(weekly.sql).toContain("ordered_at > CAST($2 AS date) - CAST('' || CAST($3 AS text) || ' days' AS interval)");
    expect(weekly.parameters).toEqual(["north", "2026-03-31", 7]);
  });
});

describe("chart breadth in dbt Charts boards", () => {
  it("reads histograms, heatmaps, spark bars, combos, small multiples, donuts and callouts into Atrium charts", () => {
    const { doc, notices } = read("breadth.yml");
    const charts = Object.fromEntries((doc.charts ?? []).map((c) => [c.id, c]));
    expect(charts.delivery_hours).toEqual({ id: "delivery_hours", type: "histogram", title: "Hours to deliver", query: "deliveries", x: "hours", color: "region", format: { y: ",.0f" } });
    expect(charts.busy_hours).toEqual({ id: "busy_hours", type: "heatmap", title: "Shipments by hour", query: "by_hour", x: "hour", y: "weekday", color: "shipments" });
    // dbt Charts' spark_bar has the magnitude on x; Atrium's has the label on x.
    expect(charts.carriers).toEqual({ id: "carriers", type: "spark_bar", title: "Top carriers", query: "top_carriers", x: "carrier", y: "shipments", sort: { by: "y", dir: "desc" } });
    expect(charts.on_time_vs_target).toMatchObject({ type: "bar", x: "week", y: "on_time", layers: [{ type: "line", y: "target", label: "Target" }] });
    expect(charts.late_by_region).toMatchObject({ type: "line", multiples: { columns: "region", scale: "independent" } });
    expect(charts.carrier_share).toMatchObject({ type: "pie", x: "carrier", y: "shipments", donut: true });
    expect(charts.heads_up).toMatchObject({ type: "text", markdown: "Carrier data lags by one day." });
    expect(notices.map((n) => [n.code, n.path])).toEqual(expect.arrayContaining([["not_drawn", "charts.on_time_vs_target.layers.0.axis_y"]]));
  });

  it("refuses combos and multiples Atrium cannot draw, with the key's line", () => {
    const board = (chart: string) => `title: T\nqueries:\n  q: SELECT 1 AS a, 2 AS b, 'x' AS c\ncharts:\n  k:\n${chart}rows: [k]\n`;
    const cases: [string, string, string, number][] = [
      ["    type: bar\n    query: q\n    x: a\n    y: b\n    color: c\n    layers: [{ type: line, y: a }]\n", "unsupported_key", "charts.k.color", 10],
      ["    type: bar\n    query: q\n    x: a\n    y: b\n    layers:\n      - { type: line, y: a, color: c }\n", "unsupported_key", "charts.k.layers.0.color", 11],
      ["    type: pie\n    query: q\n    theta: a\n    color: c\n    layers: [{ type: line, y: a }]\n", "invalid_value", "charts.k.layers", 10],
      ["    type: kpi\n    query: q\n    value: a\n    multiples: { columns: c }\n", "invalid_value", "charts.k.multiples", 9],
      ["    type: line\n    query: q\n    x: a\n    y: b\n    multiples: { scale: shared }\n", "missing", "charts.k.multiples", 10],
      ["    type: histogram\n    query: q\n    x: a\n    y: b\n", "unsupported_key", "charts.k.y", 9],
      ["    type: heatmap\n    query: q\n    x: a\n    y: b\n", "missing", "charts.k.color", 6],
    ];
    for (const [chart, code, at, line] of cases) {
      const result = readDbtCharts(board(chart));
      expect(result.ok, at).toBe(false);
      if (result.ok) continue;
      expect(result.errors.map((e) => [e.code, e.path, e.line]), at).toContainEqual([code, at, line]);
    }
  });
});
