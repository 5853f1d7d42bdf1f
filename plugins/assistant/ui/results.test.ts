/** What a tool result looks like in the panel. */
import { describe, expect, test } from "vitest";
import { MAX_ROWS, svgOf, tableOf } from "./results";

describe("tableOf", () => {
  test("query results: columns (names or { name }) and rows (arrays or records)", () => {
    expect(tableOf({ columns: [{ name: "region" }, { name: "revenue" }], rows: [["EMEA", 10], ["APAC", 7]] })).toEqual({
      columns: ["region", "revenue"],
      rows: [["EMEA", 10], ["APAC", 7]],
      total: 2,
    });
    expect(tableOf({ columns: ["a"], rows: [{ a: 1 }, { a: 2 }] })?.rows).toEqual([[1], [2]]);
  });

  test("lists of records, by their plain fields, at most 20 rows", () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ slug: `d${i}`, title: `Dash ${i}`, tags: ["x"], updatedBy: { name: "A" } }));
    const table = tableOf({ items })!;
    expect(table.columns).toEqual(["slug", "title"]);
    expect(table.rows).toHaveLength(MAX_ROWS);
    expect(table.total).toBe(30);
    expect(tableOf([{ id: "warehouse", name: "Warehouse" }])?.rows).toEqual([["warehouse", "Warehouse"]]);
  });

  test("anything else is not a table", () => {
    expect(tableOf({ deleted: true })).toBeNull();
    expect(tableOf([1, 2, 3])).toBeNull();
    expect(tableOf("text")).toBeNull();
    expect(tableOf({ items: [] })).toBeNull();
  });
});

describe("svgOf", () => {
  test("a chart's SVG with its title; other strings are not images", () => {
    expect(svgOf({ chartId: "c", title: "Revenue", svg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' })).toEqual({ svg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>', title: "Revenue" });
    expect(svgOf({ svg: "<script>alert(1)</script>" })).toBeNull();
    expect(svgOf(null)).toBeNull();
  });
});
