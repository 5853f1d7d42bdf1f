import { compile, type TopLevelSpec } from "vega-lite";
import { describe, expect, it } from "vitest";
import { chartToVegaLite, columnKind, fieldRef, MAX_CHART_ROWS, VEGA_LITE_SCHEMA, type Chart, type ChartData } from "./index";

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

describe("chartToVegaLite", () => {
  it("builds a line chart: temporal x from the column type, series color, formats on axis and tooltip", () => {
    const s = spec({ id: "c", type: "line", query: "q", x: "week", y: "revenue", color: "region", format: { x: "%b %d", y: "$,.0f" }, title: "Weekly" });
    expect(s.$schema).toBe(VEGA_LITE_SCHEMA);
    expect(s.title).toBe("Weekly");
    expect(s.width).toBe("container");
    expect(s.mark).toMatchObject({ type: "line", tooltip: true });
    expect(s.encoding.x).toMatchObject({ field: "week", type: "temporal", axis: { format: "%b %d", formatType: "time" } });
    expect(s.encoding.y).toMatchObject({ field: "revenue", type: "quantitative", axis: { format: "$,.0f" } });
    expect(s.encoding.color).toMatchObject({ field: "region", type: "nominal" });
    expect(s.encoding.tooltip).toContainEqual(expect.objectContaining({ field: "revenue", format: "$,.0f" }));
    // numeric strings from PostgreSQL become numbers
    expect(s.data.values[0]).toMatchObject({ revenue: 1200.5, region: "EMEA" });
  });

  it("folds several y columns into series", () => {
    const s = spec({ id: "c", type: "area", query: "q", x: "week", y: ["revenue", "orders"] });
    expect(s.transform).toEqual([{ fold: ["revenue", "orders"], as: ["series", "value"] }]);
    expect(s.encoding.y).toMatchObject({ field: "value", type: "quantitative" });
    expect(s.encoding.color).toMatchObject({ field: "series", type: "nominal" });
    expect(s.mark.type).toBe("area");
    expect(s.data.values[0].orders).toBe(12);
  });

  it("builds bar charts: nominal x, sort by value, horizontal, grouped when not stacked", () => {
    const s = spec({ id: "c", type: "bar", query: "q", x: "region", y: "revenue", sort: { by: "y", dir: "desc" } });
    expect(s.mark.type).toBe("bar");
    expect(s.encoding.x).toMatchObject({ field: "region", type: "nominal", sort: "-y" });
    const h = spec({ id: "c", type: "bar", query: "q", x: "region", y: "revenue", horizontal: true, sort: { by: "x", dir: "asc" } });
    expect(h.encoding.y).toMatchObject({ field: "region", sort: "ascending" });
    expect(h.encoding.x).toMatchObject({ field: "revenue", type: "quantitative" });
    const g = spec({ id: "c", type: "bar", query: "q", x: "week", y: "revenue", color: "region", stack: false });
    expect(g.encoding.xOffset).toEqual({ field: "region" });
    expect(g.encoding.y.stack).toBeNull();
    const byOther = spec({ id: "c", type: "bar", query: "q", x: "region", y: "revenue", sort: { by: "orders", dir: "desc" } });
    expect(byOther.encoding.x.sort).toEqual({ op: "sum", field: "orders", order: "descending" });
  });

  it("builds scatter charts with quantitative axes and optional size", () => {
    const s = spec({ id: "c", type: "scatter", query: "q", x: "orders", y: "revenue", color: "region", size: "orders" });
    expect(s.mark).toMatchObject({ type: "point", filled: true });
    expect(s.encoding.x).toMatchObject({ field: "orders", type: "quantitative" });
    expect(s.encoding.size).toMatchObject({ field: "orders", type: "quantitative" });
  });

  it("builds pie charts as arcs with theta and color, donut and sort", () => {
    const s = spec({ id: "c", type: "pie", query: "q", x: "region", y: "revenue", donut: true, sort: { by: "y", dir: "desc" }, format: { y: ".1f" } });
    expect(s.mark).toMatchObject({ type: "arc", innerRadius: 50 });
    expect(s.encoding.theta).toMatchObject({ field: "revenue", type: "quantitative" });
    expect(s.encoding.color).toMatchObject({ field: "region", type: "nominal" });
    expect(s.encoding.order).toMatchObject({ field: "revenue", sort: "descending" });
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
    expect(s.data.values.map((r: any) => r.n)).toEqual([3, 4]);
    // Date objects are serialised as ISO strings.
    const withDate = spec({ id: "c", type: "line", query: "q", x: "d", y: "n" }, { columns: [{ name: "d", type: "date" }], rows: [{ d: new Date("2026-01-01T00:00:00Z"), n: 1 }] });
    expect(withDate.data.values[0].d).toBe("2026-01-01T00:00:00.000Z");
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

  it("escapes field names that Vega-Lite would read as nested paths", () => {
    expect(fieldRef("a.b[0]")).toBe("a\\.b\\[0\\]");
    const data: ChartData = { columns: [{ name: "sum(a.b)", type: "numeric" }, { name: "x", type: "text" }], rows: [{ "sum(a.b)": 2, x: "k" }] };
    const s = spec({ id: "c", type: "bar", query: "q", x: "x", y: "sum(a.b)" }, data);
    expect(s.encoding.y.field).toBe("sum(a\\.b)");
    expect(s.encoding.y.title).toBe("sum(a.b)");
  });
});
