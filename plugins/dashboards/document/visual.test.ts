import { describe, expect, it } from "vitest";
import { FULL_EXAMPLE_YAML } from "./examples";
import { bindVariables, compileVisual, parseDashboard, resolveVariableValues, TRUNCATE_UNITS, visualOutputColumns, type TableInfo, type VisualQuery } from "./index";

const TABLES: TableInfo[] = [
  {
    schema: "public",
    name: "orders",
    columns: [
      { name: "ordered_at", type: "timestamp with time zone" },
      { name: "day", type: "date" },
      { name: "region", type: "text" },
      { name: "amount", type: "numeric" },
      { name: "id", type: "bigint" },
      { name: "Customer Name", type: "text" },
    ],
  },
  { schema: "sales", name: "orders", columns: [{ name: "x", type: "integer" }] },
  {
    name: "order_items",
    columns: [
      { name: "product_name", type: "text" },
      { name: "ordered_at", type: "timestamp" },
      { name: "amount", type: "numeric(12,2)" },
      { name: "order_id", type: "uuid" },
      { name: "region", type: "text" },
      { name: "status", type: "text" },
    ],
  },
];

function compiled(q: unknown) {
  const r = compileVisual(q as VisualQuery, TABLES);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}
function refused(q: unknown) {
  const r = compileVisual(q as VisualQuery, TABLES);
  if (r.ok) throw new Error(`expected errors, got ${r.sql}`);
  return r.errors;
}

describe("compileVisual", () => {
  it("compiles dimensions, measures, sort and limit to exact SQL with bound parameters", () => {
    const r = compiled({
      table: "public.orders",
      dimensions: [{ column: "ordered_at", truncate: "month", as: "month" }, { column: "region" }],
      measures: [{ fn: "sum", column: "amount", as: "revenue" }, { fn: "count" }, { fn: "count_distinct", column: "Customer Name", as: "customers" }],
      sort: [{ by: "revenue", dir: "desc" }, { by: "month" }],
      limit: 10,
    });
    expect(r.sql).toBe(
      'select date_trunc(\'month\', "ordered_at") as "month", "region" as "region", sum("amount") as "revenue", count(*) as "count", ' +
        'count(distinct "Customer Name") as "customers" from "public"."orders" ' +
        'group by date_trunc(\'month\', "ordered_at"), "region" order by "revenue" desc, "month" asc limit $1',
    );
    expect(r.parameters).toEqual([10]);
  });

  it("uses the default limit of 1000 and aliases measures by function and column", () => {
    const r = compiled({ table: "order_items", measures: [{ fn: "avg", column: "amount" }, { fn: "max", column: "ordered_at" }, { fn: "min", column: "amount" }] });
    expect(r.sql).toBe('select avg("amount") as "avg_amount", max("ordered_at") as "max_ordered_at", min("amount") as "min_amount" from "order_items" limit $1');
    expect(r.parameters).toEqual([1000]);
    expect(visualOutputColumns({ table: "t", dimensions: [{ column: "Customer Name" }], measures: [{ fn: "count" }, { fn: "sum", column: "amount" }] })).toEqual([
      "customer_name",
      "count",
      "sum_amount",
    ]);
  });

  it("returns plain rows (no grouping) for dimensions without measures", () => {
    expect(compiled({ table: "order_items", dimensions: [{ column: "product_name" }], limit: 5 }).sql).toBe(
      'select "product_name" as "product_name" from "order_items" limit $1',
    );
  });

  it.each(TRUNCATE_UNITS)("truncates dates by %s with a literal unit", (unit) => {
    const r = compiled({ table: "public.orders", dimensions: [{ column: "day", truncate: unit }], measures: [{ fn: "count" }] });
    expect(r.sql).toBe(`select date_trunc('${unit}', "day") as "day", count(*) as "count" from "public"."orders" group by date_trunc('${unit}', "day") limit $1`);
  });

  it("binds every filter value and keeps variable references as placeholders for bindVariables", () => {
    const r = compiled({
      table: "public.orders",
      measures: [{ fn: "count" }],
      filters: [
        { column: "region", op: "in", value: ["EMEA", "APAC"] },
        { column: "region", op: "not_in", value: "{{regions}}" },
        { column: "region", op: "in", value: "{{regions}}" },
        { column: "ordered_at", op: "between", value: "{{period}}" },
        { column: "amount", op: "between", value: [1, 5] },
        { column: "region", op: "contains", value: "50%_" },
        { column: "id", op: "is_null" },
        { column: "day", op: "not_null" },
        { column: "id", op: "neq", value: 3 },
        { column: "amount", op: "gte", value: "{{min}}" },
        { column: "ordered_at", op: "lt", value: "{{period.end}}" },
      ],
    });
    expect(r.sql).toBe(
      'select count(*) as "count" from "public"."orders" where "region" in ($1, $2) and "region" <> all({{regions}}) and "region" = any({{regions}}) ' +
        'and "ordered_at" between {{period.start}} and {{period.end}} and "amount" between $3 and $4 ' +
        'and strpos(lower("region"::text), lower($5)) > 0 and "id" is null and "day" is not null and "id" <> $6 ' +
        'and "amount" >= {{min}} and "ordered_at" < {{period.end}} limit $7',
    );
    expect(r.parameters).toEqual(["EMEA", "APAC", 1, 5, "50%_", 3, 1000]);

    // bindVariables then numbers the variables after the literals.
    const b = bindVariables(
      r.sql,
      [
        { name: "regions", type: "multiselect" },
        { name: "period", type: "daterange" },
        { name: "min", type: "number" },
      ],
      { regions: ["AMER"], period: { start: "2026-01-01", end: "2026-02-01" }, min: 10 },
      r.parameters,
    );
    expect(b.ok && b.sql).toContain('"region" <> all($8) and "region" = any($8) and "ordered_at" between $9 and $10');
    expect(b.ok && b.sql).toContain('"amount" >= $11 and "ordered_at" < $10 limit $7');
    expect(b.ok && b.parameters).toEqual(["EMEA", "APAC", 1, 5, "50%_", 3, 1000, ["AMER"], "2026-01-01", "2026-02-01", 10]);
  });

  it("compiles and binds the visual query of the full example", () => {
    const parsed = parseDashboard(FULL_EXAMPLE_YAML);
    if (!parsed.ok) throw new Error("example invalid");
    const doc = parsed.doc;
    const r = compiled(doc.queries!.top_products!.visual!);
    const values = resolveVariableValues(doc.variables!, { search: "lamp" }, new Date("2026-04-01T00:00:00Z"));
    const b = bindVariables(r.sql, doc.variables!, values, r.parameters);
    expect(b.ok).toBe(true);
    if (b.ok) {
      expect(b.sql).not.toContain("{{");
      expect(b.parameters).toEqual(["paid", "shipped", 10, "EMEA", "lamp", "2026-01-01", "2026-03-31"]);
    }
  });

  it("refuses tables and columns outside the allow-list, with near names as hints", () => {
    const cases: [unknown, string, string, RegExp][] = [
      [{ table: "ordrs", measures: [{ fn: "count" }] }, "table", "unknown_reference", /Did you mean `orders`/],
      [{ table: "orders", measures: [{ fn: "count" }] }, "table", "invalid_value", /public\.orders, sales\.orders/],
      [{ table: "secrets", measures: [{ fn: "count" }] }, "table", "unknown_reference", /Tables: orders, sales\.orders, order_items/],
      [{ table: "order_items", dimensions: [{ column: "prodct_name" }] }, "dimensions.0.column", "unknown_reference", /Did you mean `product_name`/],
      [{ table: "order_items", measures: [{ fn: "sum", column: "amout" }] }, "measures.0.column", "unknown_reference", /`amount`/],
      [{ table: "order_items", measures: [{ fn: "count" }], filters: [{ column: "pg_sleep", op: "eq", value: 1 }] }, "filters.0.column", "unknown_reference", /Columns: product_name/],
      [{ table: "order_items", measures: [{ fn: "count" }], sort: [{ by: "revenue" }] }, "sort.0.by", "unknown_reference", /Sort by an output: count/],
      [{ table: "order_items", measures: [{ fn: "sum" }] }, "measures.0.column", "missing", /only count may omit it/],
      [{ table: "order_items", measures: [{ fn: "sum", column: "product_name" }] }, "measures.0.fn", "invalid_value", /numeric column/],
      [{ table: "order_items", dimensions: [{ column: "product_name", truncate: "month" }], measures: [{ fn: "count" }] }, "dimensions.0.truncate", "invalid_value", /date\/timestamp/],
      [{ table: "order_items", dimensions: [{ column: "region" }], measures: [{ fn: "count", as: "region" }] }, "measures.0.as", "duplicate_id", /another name/],
      [{ table: "order_items" }, "dimensions", "missing", /measures/],
      [{ table: "order_items", measures: [{ fn: "count" }], limit: 10001 }, "limit", "invalid_value", /at most 10000/],
      [{ table: "order_items", measures: [{ fn: "count" }], limit: 0 }, "limit", "invalid_value", /at least 1/],
      [{ table: "order_items", measures: [{ fn: "count" }], filters: [{ column: "region", op: "eq" }] }, "filters.0.value", "missing", /is_null/],
      [{ table: "order_items", measures: [{ fn: "count" }], filters: [{ column: "region", op: "eq", value: [1, 2] }] }, "filters.0.value", "invalid_type", /op: in/],
      [{ table: "order_items", measures: [{ fn: "count" }], filters: [{ column: "region", op: "between", value: [1] }] }, "filters.0.value", "invalid_value", /\[low, high\]/],
      [{ table: "order_items", measures: [{ fn: "count" }], filters: [{ column: "region", op: "in", value: [] }] }, "filters.0.value", "invalid_value", /at least one/],
      [{ table: "order_items", measures: [{ fn: "median", column: "amount" }] }, "measures.0.fn", "invalid_value", /count, sum, avg/],
      [{ table: "order_items", measures: [{ fn: "count" }], having: "1=1" }, "having", "unknown_key", /Allowed here: table, dimensions/],
    ];
    for (const [q, path, code, hint] of cases) {
      const errors = refused(q);
      const match = errors.find((e) => e.path === path && e.code === code);
      expect(match, `${JSON.stringify(q)} → ${JSON.stringify(errors)}`).toBeDefined();
      expect(match!.hint).toMatch(hint);
    }
  });

  it("refuses hostile identifiers instead of quoting them into SQL", () => {
    const hostile = ['x"; drop table orders; --', "amount) from orders; --", "orders.*", "1; select pg_sleep(10)"];
    for (const h of hostile) {
      expect(refused({ table: h, measures: [{ fn: "count" }] })[0]!.path).toBe("table");
      expect(refused({ table: "order_items", dimensions: [{ column: h }] })[0]!.path).toBe("dimensions.0.column");
      expect(refused({ table: "order_items", measures: [{ fn: "count", as: h }] })[0]!.path).toBe("measures.0.as");
      expect(refused({ table: "order_items", measures: [{ fn: "count" }], sort: [{ by: h }] })[0]!.path).toBe("sort.0.by");
    }
    // A filter value is data: bound, whatever it contains.
    const r = compiled({ table: "order_items", measures: [{ fn: "count" }], filters: [{ column: "region", op: "eq", value: hostile[0] }] });
    expect(r.sql).toBe('select count(*) as "count" from "order_items" where "region" = $1 limit $2');
    expect(r.parameters).toEqual([hostile[0], 1000]);
    // A "{{…}}" value that is not a plain variable reference is a literal, not SQL.
    const r2 = compiled({ table: "order_items", measures: [{ fn: "count" }], filters: [{ column: "region", op: "eq", value: "{{x}} or 1=1" }] });
    expect(r2.sql).toContain('"region" = $1');
    expect(r2.parameters[0]).toBe("{{x}} or 1=1");
  });

  it("refuses input that is not a visual query at all", () => {
    expect(refused(null)[0]!.code).toBe("invalid_type");
    expect(refused({ dimensions: [] })[0]).toMatchObject({ code: "missing", path: "table" });
  });

  it("prefixes error paths with the query's place in the document", () => {
    const r = compileVisual({ table: "nope", measures: [{ fn: "count" }] }, TABLES, ["queries", "top", "visual"]);
    expect(!r.ok && r.errors[0]!.path).toBe("queries.top.visual.table");
    const r2 = compileVisual({ table: "order_items", measures: [{ fn: "nope" }] } as never, TABLES, ["queries", "top", "visual"]);
    expect(!r2.ok && r2.errors[0]!.path).toBe("queries.top.visual.measures.0.fn");
  });
});

describe("column types", () => {
  it("knows which types date_trunc and sum take", async () => {
    const { isTemporalType, isNumericType } = await import("./index");
    for (const t of ["date", "timestamp", "timestamp without time zone", "timestamp with time zone", "timestamptz"]) expect(isTemporalType(t), t).toBe(true);
    for (const t of ["time", "time with time zone", "interval", "text", "integer"]) expect(isTemporalType(t), t).toBe(false);
    for (const t of ["integer", "bigint", "numeric(12,2)", "double precision", "real", "smallint", "money"]) expect(isNumericType(t), t).toBe(true);
    for (const t of ["text", "uuid", "date"]) expect(isNumericType(t), t).toBe(false);
    const tables = [{ name: "t", columns: [{ name: "d", type: "interval" }, { name: "tm", type: "time" }] }];
    expect(compileVisual({ table: "t", measures: [{ fn: "sum", column: "d" }] }, tables).ok).toBe(true);
    expect(compileVisual({ table: "t", dimensions: [{ column: "tm", truncate: "hour" }], measures: [{ fn: "count" }] }, tables).ok).toBe(false);
  });
});
