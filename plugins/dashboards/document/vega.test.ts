import { compile, type TopLevelSpec } from "vega-lite";
import { describe, expect, it } from "vitest";
import { chartToVegaLite, columnKind, MAX_CHART_ROWS, VEGA_LITE_SCHEMA, type Chart, type ChartData } from "./index";

const DATA: ChartData = {
  columns: [
    { name: "week", type: "timestamp with time zone" },
    { name: "region", type: "text" },
    { name: "revenue", type: "numeric" },
    { name: "orders", type: "bigint" },
  ],
  rows: [
    { week: "2026-01-05T00:00:00.000Z", region: "EMEA", revenue: "1200.50", orders: "12" },
    { week: "2026-01-05T00:00:00.000Z", region: "APAC", revenue: "800", orders: "7" },
    { week: "2026-01-12T00:00:00.000Z", region: "EMEA", revenue: "1500", orders: "15" },
  ],
};

function spec(chart: Chart, data: ChartData = DATA, options = {}): Record<string, any> {
  const s = chartToVegaLite(chart, data, options);
  if (!s) throw new Error("no spec");
  // Every spec must compile with the real vega-lite compiler.
  expect(() => compile(s as unknown as TopLevelSpec)).not.toThrow();
  return s;
}

/** The inline rows of a spec with its field names turned back into column names (via titles). */
function rowsByTitle(s: Record<string, any>): Record<string, unknown>[] {
  const titles = new Map<string, string>();
  for (const channel of Object.values<any>(s.encoding)) {
    for (const def of Array.isArray(channel) ? channel : [channel]) if (def?.field && def.title) titles.set(def.field, def.title);
  }
  return s.data.values.map((row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [titles.get(k) ?? k, v])));
}

describe("chartToVegaLite", () => {
  it("builds a line chart: temporal x from the column type, series color, formats on axis and tooltip", () => {
    const s = spec({ id: "c", type: "line", query: "q", x: "week", y: "revenue", color: "region", format: { x: "%b %d", y: "$,.0f" }, title: "Weekly" });
    expect(s.$schema).toBe(VEGA_LITE_SCHEMA);
    expect(s.title).toBe("Weekly");
    expect(s.width).toBe("container");
    expect(s.mark).toMatchObject({ type: "line", tooltip: true });
    expect(s.encoding.x).toMatchObject({ title: "week", type: "temporal", axis: { format: "%b %d", formatType: "time" } });
    expect(s.encoding.y).toMatchObject({ title: "revenue", type: "quantitative", axis: { format: "$,.0f" } });
    expect(s.encoding.color).toMatchObject({ title: "region", type: "nominal" });
    expect(s.encoding.tooltip).toContainEqual(expect.objectContaining({ title: "revenue", format: "$,.0f" }));
    // numeric strings from PostgreSQL become numbers; only the used columns are inlined
    expect(rowsByTitle(s)[0]).toEqual({ week: "2026-01-05T00:00:00.000Z", revenue: 1200.5, region: "EMEA" });
  });

  it("folds several y columns into series named after the columns", () => {
    const s = spec({ id: "c", type: "area", query: "q", x: "week", y: ["revenue", "orders"] });
    const [fold, lookup] = s.transform;
    expect(fold.fold).toHaveLength(2);
    expect(fold.as).toEqual(["series_key", "value"]);
    expect(lookup.from.data.values.map((v: any) => v.name)).toEqual(["revenue", "orders"]);
    expect(lookup.from.data.values.map((v: any) => v.key)).toEqual(fold.fold);
    expect(s.encoding.y).toMatchObject({ field: "value", type: "quantitative" });
    expect(s.encoding.color).toMatchObject({ field: "series", type: "nominal" });
    expect(s.mark.type).toBe("area");
    expect(s.data.values[0][fold.fold[1]]).toBe(12);
  });

  it("names folded series after their columns in the rendered legend", async () => {
    const vega = await import("vega");
    const s = spec({ id: "c", type: "line", query: "q", x: "week", y: ["revenue", "orders"] }, DATA, { width: 300 });
    const svg = await new vega.View(vega.parse(compile(s as unknown as TopLevelSpec).spec), { renderer: "none" }).toSVG();
    expect(svg).toContain(">revenue</text>");
    expect(svg).toContain(">orders</text>");
  });

  it("builds bar charts: nominal x, sort by value, horizontal, grouped when not stacked", () => {
    const s = spec({ id: "c", type: "bar", query: "q", x: "region", y: "revenue", sort: { by: "y", dir: "desc" } });
    expect(s.mark.type).toBe("bar");
    expect(s.encoding.x).toMatchObject({ title: "region", type: "nominal", sort: "-y" });
    const h = spec({ id: "c", type: "bar", query: "q", x: "region", y: "revenue", horizontal: true, sort: { by: "x", dir: "asc" } });
    expect(h.encoding.y).toMatchObject({ title: "region", sort: "ascending" });
    expect(h.encoding.x).toMatchObject({ title: "revenue", type: "quantitative" });
    const g = spec({ id: "c", type: "bar", query: "q", x: "week", y: "revenue", color: "region", stack: false });
    expect(g.encoding.xOffset).toEqual({ field: g.encoding.color.field, title: "region" });
    expect(g.encoding.y.stack).toBeNull();
    const byOther = spec({ id: "c", type: "bar", query: "q", x: "region", y: "revenue", sort: { by: "orders", dir: "desc" } });
    expect(byOther.encoding.x.sort).toMatchObject({ op: "sum", order: "descending" });
    expect(rowsByTitle(byOther)[0]).toHaveProperty("f2", 12);
  });

  it("builds scatter charts with quantitative axes and optional size", () => {
    const s = spec({ id: "c", type: "scatter", query: "q", x: "orders", y: "revenue", color: "region", size: "orders" });
    expect(s.mark).toMatchObject({ type: "point", filled: true });
    expect(s.encoding.x).toMatchObject({ title: "orders", type: "quantitative" });
    expect(s.encoding.size).toMatchObject({ field: s.encoding.x.field, type: "quantitative" });
  });

  it("builds pie charts as arcs with theta and color, donut and sort", () => {
    const s = spec({ id: "c", type: "pie", query: "q", x: "region", y: "revenue", donut: true, sort: { by: "y", dir: "desc" }, format: { y: ".1f" } });
    expect(s.mark).toMatchObject({ type: "arc", innerRadius: 50 });
    expect(s.encoding.theta).toMatchObject({ title: "revenue", type: "quantitative" });
    expect(s.encoding.color).toMatchObject({ title: "region", type: "nominal" });
    expect(s.encoding.order).toMatchObject({ field: s.encoding.theta.field, sort: "descending" });
    expect(s.encoding.tooltip[1]).toMatchObject({ format: ".1f" });
  });

  it("returns null for charts that are not Vega-Lite (kpi, table, text)", () => {
    expect(chartToVegaLite({ id: "k", type: "kpi", query: "q", value: "revenue" }, DATA)).toBeNull();
    expect(chartToVegaLite({ id: "t", type: "table", query: "q" }, DATA)).toBeNull();
    expect(chartToVegaLite({ id: "x", type: "text", markdown: "hi" }, DATA)).toBeNull();
  });

  it("detects temporal and numeric columns from values when types are unknown", () => {
    const data: ChartData = {
      columns: [],
      rows: [
        { d: "2026-01-01", n: "3", s: "a" },
        { d: "2026-01-02", n: 4, s: "b" },
      ],
    };
    expect(columnKind("d", data)).toBe("temporal");
    expect(columnKind("n", data)).toBe("number");
    expect(columnKind("s", data)).toBe("text");
    const s = spec({ id: "c", type: "line", query: "q", x: "d", y: "n" }, data);
    expect(s.encoding.x.type).toBe("temporal");
    expect(rowsByTitle(s).map((r) => r.n)).toEqual([3, 4]);
    // Date objects are serialised as ISO strings.
    const withDate = spec({ id: "c", type: "line", query: "q", x: "d", y: "n" }, { columns: [{ name: "d", type: "date" }], rows: [{ d: new Date("2026-01-01T00:00:00Z"), n: 1 }] });
    expect(rowsByTitle(withDate)[0]!.d).toBe("2026-01-01T00:00:00.000Z");
  });

  it("applies theme, size options and the row cap", () => {
    const light = spec({ id: "c", type: "bar", query: "q", x: "region", y: "revenue" });
    const dark = spec({ id: "c", type: "bar", query: "q", x: "region", y: "revenue" }, DATA, { theme: "dark", width: 500, height: 200 });
    expect(dark.width).toBe(500);
    expect(dark.height).toBe(200);
    expect(dark.config.background).not.toBe(light.config.background);
    expect(dark.config.axis.labelColor).not.toBe(light.config.axis.labelColor);
    const many: ChartData = { columns: DATA.columns, rows: Array.from({ length: MAX_CHART_ROWS + 10 }, (_, i) => ({ region: `r${i}`, revenue: i })) };
    expect(spec({ id: "c", type: "bar", query: "q", x: "region", y: "revenue" }, many).data.values).toHaveLength(MAX_CHART_ROWS);
  });

  it("never puts column names into field names (only into titles)", () => {
    const hostile = 'sum(a.b) "x"\\[0]';
    const data: ChartData = { columns: [{ name: hostile, type: "numeric" }, { name: "x", type: "text" }], rows: [{ [hostile]: 2, x: "k" }] };
    for (const chart of [
      { id: "c", type: "bar", query: "q", x: "x", y: hostile, color: hostile },
      { id: "c", type: "pie", query: "q", x: "x", y: hostile },
      { id: "c", type: "line", query: "q", x: "x", y: [hostile, "x"] },
    ] as Chart[]) {
      const s = spec(chart, data);
      expect(JSON.stringify(s)).toContain(JSON.stringify(hostile).slice(1, -1));
      for (const row of s.data.values) for (const key of Object.keys(row)) expect(key).toMatch(/^f\d+$/);
      for (const def of Object.values<any>(s.encoding).flat()) if (def?.field) expect(def.field).toMatch(/^(f\d+|series|value)$/);
    }
  });
});

describe("chartToVegaLite: histograms, heatmaps, spark bars, combos and small multiples", () => {
  it("bins a histogram's column and counts the rows per bin", () => {
    const s = spec({ id: "h", type: "histogram", query: "q", x: "revenue", bins: 8, color: "region" });
    expect(s.mark.type).toBe("bar");
    expect(s.encoding.x).toMatchObject({ bin: { maxbins: 8 }, type: "quantitative", title: "revenue" });
    expect(s.encoding.y).toMatchObject({ aggregate: "count" });
    expect(s.encoding.color).toMatchObject({ type: "nominal", title: "region" });
    expect(s.data.values.map((r: Record<string, unknown>) => r[s.encoding.x.field])).toEqual([1200.5, 800, 1500]);
  });

  it("draws a heatmap's value as the cell color on two ordinal axes", () => {
    const s = spec({ id: "m", type: "heatmap", query: "q", x: "week", y: "region", color: "revenue", format: { color: "$,.0f" } });
    expect(s.mark.type).toBe("rect");
    expect(s.encoding.x.type).toBe("ordinal");
    expect(s.encoding.y.type).toBe("ordinal");
    expect(s.encoding.color).toMatchObject({ type: "quantitative", title: "revenue", legend: { format: "$,.0f" } });
  });

  it("draws spark bars horizontally with labels and no value axis, sorted by value", () => {
    const s = spec({ id: "k", type: "spark_bar", query: "q", x: "region", y: "revenue", sort: { by: "y", dir: "desc" } });
    expect(s.encoding.y).toMatchObject({ type: "nominal", sort: "-x" });
    expect(s.encoding.x).toMatchObject({ type: "quantitative", axis: null });
  });

  it("layers a combo chart's series over one x scale, each named in the legend", () => {
    const s = spec({ id: "c", type: "bar", query: "q", x: "orders", y: "revenue", layers: [{ type: "line", y: "orders", label: "Orders" }] });
    expect(s.layer).toHaveLength(2);
    expect(s.layer.map((l: any) => l.mark.type)).toEqual(["bar", "line"]);
    // A numeric x on a bar is ordinal: the line layer shares that scale, not a quantitative one.
    expect(s.layer.map((l: any) => l.encoding.x.type)).toEqual(["ordinal", "ordinal"]);
    expect(s.layer.map((l: any) => l.encoding.color.datum)).toEqual(["revenue", "Orders"]);
  });

  it("facets small multiples into panels sized to fit the width, with independent scales on request", () => {
    const s = spec({ id: "f", type: "line", query: "q", x: "week", y: "revenue", multiples: { columns: "region", scale: "independent" } }, DATA, { width: 600, height: 300 });
    expect(s.facet.column).toMatchObject({ type: "nominal", title: "region" });
    expect(s.spec.width).toBeLessThanOrEqual(300);
    expect(s.spec.mark.type).toBe("line");
    expect(s.resolve).toEqual({ scale: { y: "independent" } });
    expect(s.width).toBeUndefined();
  });
});
