/**
 * The browser half's document edits and encodings: the layout editor and the chart builder
 * rewrite the YAML text (comments and unknown parts kept), variable values round-trip through
 * the address, compiled SQL gets its literals written in, and CSV cells a spreadsheet would run
 * as formulas are quoted.
 */
import { describe, expect, it } from "vitest";
import { parseDashboard } from "../document";
import { toCsv } from "./charts";
import { decodeValue, encodeValue, inlineParameters, layoutRows, readDashboard, sectionsOf, valuesFromQuery, withChart, withLayoutRows } from "./doc";

const YAML = `title: Sales
# Numbers are in EUR.
queries:
  q:
    sql: select 1 as x, 2 as y
charts:
  - id: a
    type: bar
    query: q
    x: x
    y: y
  - id: b
    type: text
    markdown: hi
layout:
  rows:
    - [{ chart: a, width: 8 }, { chart: b, width: 4 }]
`;

describe("layout edits", () => {
  it("reads rows, fills in widths and appends charts the layout leaves out", () => {
    const doc = readDashboard(`${YAML.replace("    - [{ chart: a, width: 8 }, { chart: b, width: 4 }]", "    - [{ chart: a }]")}`);
    expect(sectionsOf(doc)).toEqual([{ title: null, grid: false, rows: [[{ chart: "a", width: 12 }], [{ chart: "b", width: 12 }]] }]);
  });

  it("rewrites only the layout, one flow line per row, keeping comments, and stays valid", () => {
    const next = withLayoutRows(YAML, [[{ chart: "b", width: 3 }], [{ chart: "a", width: 12 }]]);
    expect(next).toContain("# Numbers are in EUR.");
    expect(next).toContain("- [ { chart: b, width: 3 } ]");
    expect(next).toContain("- [ { chart: a, width: 12 } ]");
    expect(layoutRows(readDashboard(next))).toEqual([[{ chart: "b", width: 3 }], [{ chart: "a", width: 12 }]]);
    expect(parseDashboard(next)).toMatchObject({ ok: true });
  });

  it("flattens a tabs layout into rows for the layout editor", () => {
    const doc = readDashboard(YAML.replace(/layout:[\s\S]*$/, "layout:\n  tabs:\n    - title: One\n      rows: [[{ chart: a, width: 6 }]]\n    - title: Two\n      rows: [[{ chart: b }]]\n"));
    expect(sectionsOf(doc).map((s) => s.title)).toEqual(["One", "Two"]);
    expect(layoutRows(doc)).toEqual([[{ chart: "a", width: 6 }], [{ chart: "b", width: 12 }]]);
  });
});

describe("chart edits", () => {
  it("adds a chart with its query and a row of its own", () => {
    const next = withChart(YAML, { id: "c", type: "line", query: "c_q", x: "x", y: "y" }, "c_q", { sql: "select 3 as x, 4 as y" });
    const parsed = parseDashboard(next);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.doc.charts?.map((c) => c.id)).toEqual(["a", "b", "c"]);
    expect(parsed.doc.queries?.c_q).toEqual({ sql: "select 3 as x, 4 as y" });
    expect(parsed.doc.layout?.rows?.at(-1)).toEqual([{ chart: "c", width: 12 }]);
    expect(next).toContain("# Numbers are in EUR.");
  });

  it("replaces an existing chart in place without touching the layout", () => {
    const next = withChart(YAML, { id: "a", type: "pie", query: "q", x: "x", y: "y" }, "q", { sql: "select 5 as x, 6 as y" }, "a");
    const parsed = parseDashboard(next);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.doc.charts?.[0]).toMatchObject({ id: "a", type: "pie" });
    expect(parsed.doc.charts).toHaveLength(2);
    expect(parsed.doc.layout?.rows).toEqual([[{ chart: "a", width: 8 }, { chart: "b", width: 4 }]]);
  });

  it("starts a layout and a queries map when the document has none", () => {
    const parsed = parseDashboard(withChart("title: Empty\n", { id: "k", type: "kpi", query: "k", value: "n" }, "k", { sql: "select 1 as n" }));
    expect(parsed).toMatchObject({ ok: true, doc: { layout: { rows: [[{ chart: "k", width: 12 }]] }, queries: { k: { sql: "select 1 as n" } } } });
  });
});

describe("variable values in the address", () => {
  it("round-trips each type", () => {
    const cases = [
      [{ name: "r", type: "select" }, "EMEA"],
      [{ name: "m", type: "multiselect" }, ["a", "b"]],
      [{ name: "p", type: "daterange" }, { start: "2026-01-01", end: "2026-03-31" }],
      [{ name: "n", type: "number" }, 42],
      [{ name: "c", type: "checkbox" }, true],
      [{ name: "t", type: "text" }, "a, b"],
    ] as const;
    for (const [variable, value] of cases) expect(decodeValue(variable as never, encodeValue(value))).toEqual(value);
  });

  it("reads only declared variables, and a preset name as it is", () => {
    const variables = [{ name: "p", type: "daterange" as const }];
    expect(valuesFromQuery(variables, { "var.p": "last_30_days", "var.other": "x", p: "2026-01-01..2026-01-02" })).toEqual({ p: "last_30_days" });
  });
});

describe("SQL and CSV", () => {
  it("writes compiled parameters in as literals", () => {
    expect(inlineParameters(`select * from t where a = $1 and b = $2 and c = any($3) limit $4`, ["O'Brien", 2, ["x", "y"], 10])).toBe(
      "select * from t where a = 'O''Brien' and b = 2 and c = any(array['x', 'y']) limit 10",
    );
  });

  it("quotes cells with separators and quotes, and defuses formulas but not negative numbers", () => {
    const csv = toCsv([{ name: "a", type: "text" }, { name: "b", type: "int4" }], [{ a: 'say "hi", ok', b: 1 }, { a: "=HYPERLINK(1)", b: null }, { a: "-12.5", b: -3 }]);
    expect(csv).toBe(`a,b\r\n"say ""hi"", ok",1\r\n"'=HYPERLINK(1)",\r\n-12.5,-3\r\n`);
  });
});
