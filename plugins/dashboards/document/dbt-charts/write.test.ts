import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDashboard } from "..";
import { newDbtBoardYaml, readDbtCharts, withDbtChart, writeDbtCharts } from ".";

const corpus = (name: string) => readFileSync(path.join(import.meta.dirname, "corpus", name), "utf8");

function doc(text: string) {
  const r = readDbtCharts(text);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line} ${e.code} ${e.path} ${e.message}`).join("\n"));
  return r.doc;
}

describe("writing dbt Charts boards", () => {
  it.each(["revenue.yml", "operations.yml", "breadth.yml"])("import → export → import gives the same board (%s)", (name) => {
    const first = doc(corpus(name));
    const written = writeDbtCharts(first);
    expect(written.problems).toEqual([]);
    expect(doc(written.text)).toEqual(first);
  });

  it("exports an Atrium dashboard as a board that imports back to the same charts, queries and variables", () => {
    const atrium = parseDashboard(
      [
        "title: Sales",
        "source: warehouse",
        "variables:",
        "  - { name: region, type: select, options: [north, south], default: north }",
        "  - { name: period, type: daterange, default: { start: 2026-01-01, end: 2026-01-31 } }",
        "queries:",
        "  totals: { sql: 'select sum(amount) as total from orders where region = {{region}} and day >= {{period.start}}' }",
        "charts:",
        "  - { id: total, type: kpi, title: Total, query: totals, value: total, format: { value: '$,.0f' } }",
        "  - { id: split, type: pie, query: totals, x: region, y: total, donut: true }",
        "layout:",
        "  rows:",
        "    - [{ chart: total, width: 4 }, { chart: split, width: 8 }]",
      ].join("\n"),
    );
    if (!atrium.ok) throw new Error("fixture");
    const written = writeDbtCharts(atrium.doc);
    expect(written.text).toContain("format: currency_whole");
    const back = doc(written.text);
    expect(back.charts).toEqual(atrium.doc.charts);
    expect(back.queries).toEqual(atrium.doc.queries);
    expect(back.variables).toEqual(atrium.doc.variables);
    expect(back.layout?.grid).toEqual([
      { chart: "total", x: 0, y: 0, w: 4, h: 2 },
      { chart: "split", x: 4, y: 0, w: 8, h: 5 },
    ]);
  });

  it("edits one chart in place, keeping comments and keys Atrium does not draw", () => {
    const source = corpus("revenue.yml");
    const before = doc(source);
    const weekly = before.charts!.find((c) => c.id === "weekly")!;
    const { text, problems } = withDbtChart(source, { ...weekly, type: "bar", title: "Weekly revenue (bars)" } as never, null, null);
    expect(problems).toEqual([]);
    expect(text).toContain("# Revenue board: the team's weekly review.");
    expect(text).toContain("# Headline numbers for the KPI row.");
    const after = doc(text);
    expect(after.charts!.find((c) => c.id === "weekly")).toMatchObject({ type: "bar", title: "Weekly revenue (bars)", x: "week" });
    // Everything else reads as before.
    expect(after.charts!.filter((c) => c.id !== "weekly")).toEqual(before.charts!.filter((c) => c.id !== "weekly"));
    expect(after.queries).toEqual(before.queries);
    expect(after.layout).toEqual(before.layout);
  });

  it("adds a new chart with its query and places it at the end of the rows", () => {
    const source = corpus("revenue.yml");
    const { text } = withDbtChart(source, { id: "orders_by_day", type: "line", query: "orders_by_day", x: "day", y: "n" }, "orders_by_day", { sql: "select day, count(*) as n from orders group by 1" });
    const after = doc(text);
    expect(after.queries?.orders_by_day?.sql).toBe("select day, count(*) as n from orders group by 1");
    expect(after.layout?.grid?.at(-1)).toMatchObject({ chart: "orders_by_day", x: 0, w: 12 });
  });

  it("reports what dbt Charts cannot express instead of dropping it silently", () => {
    const atrium = parseDashboard("title: T\nqueries:\n  v: { visual: { table: orders, measures: [{ fn: count }] } }\ncharts:\n  - { id: t, type: table, query: v, columns: [count] }\n");
    if (!atrium.ok) throw new Error("fixture");
    const { problems } = writeDbtCharts(atrium.doc);
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ["not_expressible", "queries.v.visual"],
      ["not_expressible", "charts.t.columns"],
    ]);
  });

  it("starts a new board from Atrium's starter dashboard, written without problems", () => {
    const text = newDbtBoardYaml("  Weekly   ops ");
    const board = doc(text);
    expect(board.title).toBe("Weekly ops");
    expect(board.charts?.map((c) => c.type)).toEqual(["bar", "text"]);
    expect(text).toContain("input: daterange");
  });
});
