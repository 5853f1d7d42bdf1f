import { describe, expect, it } from "vitest";
import { parseDashboard } from "../document";
import { chartOf, type Settings } from "./chart-builder-store";

const settings = (over: Partial<Settings>): Settings => ({ id: "c", title: "", type: "bar", x: "a", y: "b", color: "", sortBy: "", sortDir: "asc", yFormat: "", value: "", compare: "", ...over });

describe("the chart builder's settings as a chart", () => {
  it("writes histograms, heatmaps and spark bars that the document accepts", () => {
    const charts = [
      chartOf(settings({ type: "histogram", x: "a", y: "ignored", color: "c" }), "q"),
      chartOf(settings({ type: "heatmap", x: "a", y: "b", color: "c", yFormat: ",.0f" }), "q"),
      chartOf(settings({ type: "spark_bar", x: "c", y: "b", sortBy: "y", sortDir: "desc" }), "q"),
    ];
    expect(charts).toEqual([
      { id: "c", type: "histogram", query: "q", x: "a", color: "c" },
      { id: "c", type: "heatmap", query: "q", x: "a", y: "b", color: "c", format: { color: ",.0f" } },
      { id: "c", type: "spark_bar", query: "q", x: "c", y: "b", sort: { by: "y", dir: "desc" } },
    ]);
    for (const chart of charts) {
      const parsed = parseDashboard(JSON.stringify({ title: "T", queries: { q: { sql: "select 1 as a, 2 as b, 3 as c" } }, charts: [chart] }));
      expect(parsed.ok).toBe(true);
    }
  });
});
