import { describe, expect, it } from "vitest";
import type { Chart, ChartData } from "./index";
import { escapeXml, formatValue, MAX_SVG_TABLE_ROWS, renderChartSvg } from "./svg";

const DATA: ChartData = {
  columns: [
    { name: "week", type: "date" },
    { name: "region", type: "text" },
    { name: "revenue", type: "numeric" },
    { name: "orders", type: "integer" },
  ],
  rows: [
    { week: "2026-01-05", region: "EMEA", revenue: "1200.5", orders: 12 },
    { week: "2026-01-05", region: "APAC", revenue: "800", orders: 7 },
    { week: "2026-01-12", region: "EMEA", revenue: "1500", orders: 15 },
    { week: "2026-01-12", region: "<script>alert(1)</script>", revenue: "90", orders: 1 },
  ],
};


/** Minimal well-formedness check: one root <svg>, balanced tags, no raw markup from data. */
function expectWellFormedSvg(svg: string) {
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  expect(svg).not.toMatch(/<script/i);
}

describe("renderChartSvg", () => {
  const xy: [Chart["type"], Chart, RegExp][] = [
    ["bar", { id: "b", type: "bar", query: "q", x: "region", y: "revenue", title: "By region" }, /aria-roledescription="bar"/],
    ["line", { id: "l", type: "line", query: "q", x: "week", y: "revenue", color: "region" }, /aria-roledescription="line mark"/],
    ["area", { id: "a", type: "area", query: "q", x: "week", y: ["revenue", "orders"] }, /aria-roledescription="area mark"/],
    ["scatter", { id: "s", type: "scatter", query: "q", x: "orders", y: "revenue" }, /aria-roledescription="point"/],
    ["pie", { id: "p", type: "pie", query: "q", x: "region", y: "revenue" }, /aria-roledescription="arc mark"/],
    ["histogram", { id: "h", type: "histogram", query: "q", x: "revenue", bins: 5 }, /aria-roledescription="bar"/],
    ["heatmap", { id: "m", type: "heatmap", query: "q", x: "week", y: "region", color: "revenue" }, /aria-roledescription="rect mark"/],
    ["spark_bar", { id: "k", type: "spark_bar", query: "q", x: "region", y: "revenue" }, /aria-roledescription="bar"/],
    ["bar", { id: "c", type: "bar", query: "q", x: "week", y: "revenue", layers: [{ type: "line", y: "orders", label: "Orders" }] }, /aria-roledescription="line mark"/],
    ["line", { id: "f", type: "line", query: "q", x: "week", y: "revenue", multiples: { columns: "region" } }, /aria-roledescription="line mark"/],
  ];

  it.each(xy)("renders a %s chart through vega with its marks", async (_type, chart, mark) => {
    const svg = await renderChartSvg(chart, DATA, { width: 400, height: 200 });
    expectWellFormedSvg(svg);
    expect(svg).toMatch(mark);
    expect(svg).toContain('width="');
  });

  it("escapes data in vega charts", async () => {
    const svg = await renderChartSvg({ id: "b", type: "bar", query: "q", x: "region", y: "revenue" }, DATA);
    expect(svg).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expectWellFormedSvg(svg);
  });

  it("renders every Vega chart type with hostile column names, escaped", async () => {
    const names = ['a"b', "a'b", "a\\b", 'x"]; alert(1); //', "a.b", "a[0]", "` ${1}", "x'\"\\.[]", "<img src=x onerror=alert(1)>"];
    for (const name of names) {
      const data: ChartData = {
        columns: [{ name: "k", type: "text" }, { name, type: "numeric" }, { name: "k2", type: "numeric" }],
        rows: [{ k: "a", [name]: 3, k2: 1 }, { k: "b", [name]: 5, k2: 2 }],
      };
      const charts: Chart[] = [
        { id: "c", type: "bar", query: "q", x: "k", y: name, color: name, stack: false, sort: { by: name } },
        { id: "c", type: "line", query: "q", x: "k", y: [name, "k2"] },
        { id: "c", type: "area", query: "q", x: name, y: "k2" },
        { id: "c", type: "scatter", query: "q", x: name, y: "k2", size: name },
        { id: "c", type: "pie", query: "q", x: name, y: name, sort: { by: "y" } },
        { id: "c", type: "pie", query: "q", x: "k", y: name, sort: { by: "x", dir: "desc" } },
        { id: "c", type: "histogram", query: "q", x: name, color: "k" },
        { id: "c", type: "heatmap", query: "q", x: "k", y: name, color: name },
        { id: "c", type: "spark_bar", query: "q", x: name, y: name, sort: { by: "y", dir: "desc" } },
        { id: "c", type: "bar", query: "q", x: "k", y: name, layers: [{ type: "line", y: "k2", label: name }] },
        { id: "c", type: "area", query: "q", x: "k2", y: name, multiples: { rows: name, scale: "independent" } },
      ];
      for (const chart of charts) {
        const svg = await renderChartSvg(chart, data, { width: 300, height: 150 });
        expectWellFormedSvg(svg);
        expect(svg, `${chart.type} ${name}`).not.toContain("<img");
      }
    }
  });

  it("renders a kpi with formatted value and comparison", async () => {
    const svg = await renderChartSvg(
      { id: "k", type: "kpi", query: "q", value: "revenue", compare: "previous", title: "Revenue <30d>", format: { value: "$,.0f" } },
      { columns: [], rows: [{ revenue: "12345.6", previous: 10000 }] },
    );
    expectWellFormedSvg(svg);
    expect(svg).toContain(">$12,346</text>");
    expect(svg).toContain("Revenue &lt;30d&gt;");
    expect(svg).toMatch(/▲ \$2,346 \(\+23\.5%\) vs \$10,000/);
    const down = await renderChartSvg({ id: "k", type: "kpi", query: "q", value: "v", compare: "w" }, { columns: [], rows: [{ v: 5, w: 10 }] });
    expect(down).toMatch(/▼ 5 \(−50\.0%\) vs 10/);
    const fromText = await renderChartSvg({ id: "k", type: "kpi", query: "q", value: "v" }, { columns: [], rows: [{ v: "1234567.891" }] });
    expect(fromText).toContain(">1,234,567.89</text>");
    const words = await renderChartSvg({ id: "k", type: "kpi", query: "q", value: "v" }, { columns: [], rows: [{ v: "EMEA" }] });
    expect(words).toContain(">EMEA</text>");
    const empty = await renderChartSvg({ id: "k", type: "kpi", query: "q", value: "v" }, { columns: [], rows: [] });
    expect(empty).toContain(">–</text>");
  });

  it("renders a table with headers, formatted and escaped cells, and a row cap", async () => {
    const svg = await renderChartSvg({ id: "t", type: "table", query: "q", columns: ["region", "revenue"], format: { revenue: "$,.2f" }, title: "Detail" }, DATA);
    expectWellFormedSvg(svg);
    expect(svg).toContain(">region</text>");
    expect(svg).toContain(">$1,200.50</text>");
    expect(svg).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(svg).not.toContain(">orders</text>");
    const sorted = await renderChartSvg({ id: "t", type: "table", query: "q", columns: ["region", "revenue"], sort: { by: "revenue", dir: "desc" } }, DATA);
    const cells = [...sorted.matchAll(/class="table-row">.*?>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(cells).toEqual(["EMEA", "EMEA", "APAC", "&lt;script&gt;alert(1)&lt;/script&gt;"]);
    expect(sorted.indexOf(">1500<")).toBeLessThan(sorted.indexOf(">1200.5<"));
    const many: ChartData = { columns: [{ name: "n", type: "integer" }], rows: Array.from({ length: 120 }, (_, i) => ({ n: i })) };
    const capped = await renderChartSvg({ id: "t", type: "table", query: "q" }, many);
    expect(capped.match(/class="table-row"/g)).toHaveLength(MAX_SVG_TABLE_ROWS);
    expect(capped).toContain(`… ${120 - MAX_SVG_TABLE_ROWS} more rows`);
  });

  it("renders a text block from markdown, escaped", async () => {
    const svg = await renderChartSvg({ id: "x", type: "text", markdown: "## Notes\nAmounts in **EUR** & <b>bold</b>\n- one [link](http://x)" }, { columns: [], rows: [] });
    expectWellFormedSvg(svg);
    expect(svg).toContain(">Notes</text>");
    expect(svg).toContain("Amounts in EUR &amp; &lt;b&gt;bold&lt;/b&gt;");
    expect(svg).toContain("• one link");
  });

  it("renders empty results without failing", async () => {
    const empty: ChartData = { columns: DATA.columns, rows: [] };
    for (const chart of [
      { id: "b", type: "bar", query: "q", x: "region", y: "revenue" },
      { id: "l", type: "line", query: "q", x: "week", y: ["revenue", "orders"] },
      { id: "p", type: "pie", query: "q", x: "region", y: "revenue" },
      { id: "t", type: "table", query: "q" },
    ] as Chart[]) {
      expectWellFormedSvg(await renderChartSvg(chart, empty));
    }
  });

  it("renders the dark theme", async () => {
    const light = await renderChartSvg({ id: "k", type: "kpi", query: "q", value: "v" }, { columns: [], rows: [{ v: 1 }] });
    const dark = await renderChartSvg({ id: "k", type: "kpi", query: "q", value: "v" }, { columns: [], rows: [{ v: 1 }] }, { theme: "dark" });
    expect(light).toContain('fill="#ffffff"');
    expect(dark).toContain('fill="#16181c"');
  });

  it("stays fast on many rows (capped)", async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ week: `2026-01-${String((i % 28) + 1).padStart(2, "0")}`, region: `r${i % 5}`, revenue: i }));
    const started = performance.now();
    const svg = await renderChartSvg({ id: "l", type: "line", query: "q", x: "week", y: "revenue", color: "region" }, { columns: DATA.columns, rows });
    expectWellFormedSvg(svg);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe("escapeXml / formatValue", () => {
  it("escapes markup and drops characters XML cannot hold", () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0000\u0007`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
  it("formats numbers with d3-format and leaves text alone", () => {
    expect(formatValue(1234.567, ",.1f")).toBe("1,234.6");
    expect(formatValue("1234.5")).toBe("1234.5");
    expect(formatValue(0.25, ".0%")).toBe("25%");
    expect(formatValue(null)).toBe("");
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
  });
});
