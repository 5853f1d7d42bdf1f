import { describe, expect, it } from "vitest";
import { bindVariables, prepareQuery, resolveDatePreset, resolveVariableValues, scanSql, usedQueryIds, validateVariableValues, variableOptionList, type Variable } from "./index";

const VARS: Variable[] = [
  { name: "region", type: "select", default: "EMEA", options: ["EMEA", "AMER", "APAC"] },
  { name: "regions", type: "multiselect", default: ["EMEA"] },
  { name: "period", type: "daterange", default: { start: "2026-01-01", end: "2026-03-31" } },
  { name: "recent", type: "daterange", default: "last_7_days" },
  { name: "q", type: "text" },
  { name: "n", type: "number", min: 0, max: 100 },
  { name: "flag", type: "checkbox", default: true },
];
const NOW = new Date("2026-05-15T22:30:00Z");

function bound(sql: string, values: Record<string, unknown>, existing: unknown[] = []) {
  const result = bindVariables(sql, VARS, values, existing);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result;
}

describe("bindVariables", () => {
  const values = resolveVariableValues(VARS, {}, NOW);

  it("turns placeholders into numbered parameters with typed values", () => {
    const r = bound("select * from t where region = {{region}} and n > {{ n }} and flag = {{flag}}", { ...values, n: 5 });
    expect(r.sql).toBe("select * from t where region = $1 and n > $2 and flag = $3");
    expect(r.parameters).toEqual(["EMEA", 5, true]);
  });

  it("binds a multiselect as one array parameter (used as = any(...))", () => {
    const r = bound("select 1 where region = any({{regions}})", { regions: ["EMEA", "APAC"] });
    expect(r.sql).toBe("select 1 where region = any($1)");
    expect(r.parameters).toEqual([["EMEA", "APAC"]]);
  });

  it("binds date range ends and reuses the number of a repeated reference", () => {
    const r = bound("select 1 where d between {{period.start}} and {{period.end}} or d = {{period.start}}", values);
    expect(r.sql).toBe("select 1 where d between $1 and $2 or d = $1");
    expect(r.parameters).toEqual(["2026-01-01", "2026-03-31"]);
  });

  it("leaves placeholders in string literals, identifiers, comments and dollar quotes alone", () => {
    const sql = [
      "select '{{region}}' as a, E'it\\'s {{region}}' as b, \"{{region}}\" as c, $$ {{region}} $$ as d,",
      "  $fn$ {{region}} $x$ {{region}} $fn$ as e, 'it''s {{region}}' as f -- {{region}}",
      "  /* {{region}} /* nested {{region}} */ still {{region}} */",
      "from t where r = {{region}}",
    ].join("\n");
    const r = bound(sql, values);
    expect(r.parameters).toEqual(["EMEA"]);
    expect(r.sql).toBe(sql.replace("r = {{region}}", "r = $1"));
  });

  it("keeps an injection attempt as a parameter value, never as SQL text", () => {
    const evil = "x'; drop table orders; --";
    const r = bound("select * from t where name = {{q}}", { q: evil });
    expect(r.sql).toBe("select * from t where name = $1");
    expect(r.parameters).toEqual([evil]);
    const r2 = bound("select 1 where region = any({{regions}})", { regions: ["a'); delete from x; --", "{{q}}"] });
    expect(r2.sql).toBe("select 1 where region = any($1)");
    expect(r2.parameters).toEqual([["a'); delete from x; --", "{{q}}"]]);
  });

  it("keeps a placeholder next to an identifier a separate token", () => {
    expect(bound("select a{{n}}b", { n: 1 }).sql).toBe("select a $1 b");
  });

  it("numbers variables after the parameters already in the SQL", () => {
    const r = bound("select 1 where a = $1 and b = {{q}} limit $2", { q: "x" }, [7, 10]);
    expect(r.sql).toBe("select 1 where a = $1 and b = $3 limit $2");
    expect(r.parameters).toEqual([7, 10, "x"]);
  });

  it("refuses undeclared variables, wrong fields and positional parameters without values", () => {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ["select {{regoin}}", values, "unknown_reference", /Did you mean `region`\?/],
      ["select {{period}}", values, "invalid_value", /\{\{period\.start\}\}/],
      ["select {{region.start}}", values, "invalid_value", /only date ranges/],
      ["select {{ 1bad }}", values, "invalid_value", /\{\{name\}\}/],
      ["select $1", values, "invalid_value", /Atrium/],
      ["select {{q}}", {}, "missing", /resolveVariableValues/],
    ];
    for (const [sql, vals, code, hint] of cases) {
      const r = bindVariables(sql, VARS, vals);
      expect(r.ok, sql).toBe(false);
      if (!r.ok) {
        expect(r.errors[0]!.code, sql).toBe(code);
        expect(r.errors[0]!.hint, sql).toMatch(hint);
      }
    }
  });

  it("points errors at their line and column in the SQL", () => {
    const r = bindVariables("select 1\nwhere a = {{regoin}}\n  and b = $7", VARS, values);
    expect(!r.ok && r.errors.map((e) => [e.code, e.line, e.column])).toEqual([
      ["invalid_value", 3, 11],
      ["unknown_reference", 2, 11],
    ]);
  });

  it("validates values by type", () => {
    const bad: [string, unknown, RegExp][] = [
      ["select {{n}}", "lots", /number/],
      ["select {{n}}", 500, /≤ 100/],
      ["select {{n}}", Number.NaN, /number/],
      ["select {{flag}}", "maybe", /true or false/],
      ["select {{period.start}}", { start: "2026-02-30", end: "2026-03-01" }, /ISO dates/],
      ["select {{period.start}}", { start: "2026-03-02", end: "2026-03-01" }, /after start/],
      ["select {{period.start}}", { start: "yesterday", end: "2026-03-01" }, /ISO/],
      ["select 1 = any({{regions}})", [{ a: 1 }], /list of strings/],
      ["select {{q}}", { toString: "x" }, /text/],
    ];
    for (const [sql, value, message] of bad) {
      const name = /\{\{(\w+)/.exec(sql)![1]!;
      const r = bindVariables(sql, VARS, { ...values, [name]: value });
      expect(r.ok, `${sql} ${JSON.stringify(value)}`).toBe(false);
      if (!r.ok) expect(`${r.errors[0]!.message} ${r.errors[0]!.hint}`).toMatch(message);
    }
    // Gentle coercion of URL-style strings.
    expect(bound("select {{n}}, {{flag}}", { n: "42", flag: "false" }).parameters).toEqual([42, false]);
    expect(bound("select {{period.start}}, {{period.end}}", { period: "2026-02-01..2026-02-28" }).parameters).toEqual(["2026-02-01", "2026-02-28"]);
  });
});

describe("resolveVariableValues", () => {
  it("applies defaults and resolves presets relative to now (UTC days, end = today)", () => {
    expect(resolveVariableValues(VARS, {}, NOW)).toEqual({
      region: "EMEA",
      regions: ["EMEA"],
      period: { start: "2026-01-01", end: "2026-03-31" },
      recent: { start: "2026-05-09", end: "2026-05-15" },
      q: "",
      n: null,
      flag: true,
    });
  });

  it("resolves every preset", () => {
    expect(resolveDatePreset("last_7_days", NOW)).toEqual({ start: "2026-05-09", end: "2026-05-15" });
    expect(resolveDatePreset("last_30_days", NOW)).toEqual({ start: "2026-04-16", end: "2026-05-15" });
    expect(resolveDatePreset("last_90_days", NOW)).toEqual({ start: "2026-02-15", end: "2026-05-15" });
    expect(resolveDatePreset("this_year", NOW)).toEqual({ start: "2026-01-01", end: "2026-05-15" });
  });

  it("takes valid given values, coerces strings, and falls back to defaults for invalid ones", () => {
    const resolved = resolveVariableValues(
      VARS,
      { region: "APAC", regions: "AMER", period: "this_year", n: "12", flag: "false", q: "lamp", unknown: 1 },
      NOW,
    );
    expect(resolved).toEqual({
      region: "APAC",
      regions: ["AMER"],
      period: { start: "2026-01-01", end: "2026-05-15" },
      recent: { start: "2026-05-09", end: "2026-05-15" },
      q: "lamp",
      n: 12,
      flag: false,
    });
    const fallback = resolveVariableValues(VARS, { region: "MARS", n: "many", period: { start: "x", end: "y" } }, NOW);
    expect(fallback.region).toBe("EMEA");
    expect(fallback.n).toBeNull();
    expect(fallback.period).toEqual({ start: "2026-01-01", end: "2026-03-31" });
    expect(validateVariableValues(VARS, { region: "MARS", n: "many" }).map((e) => e.path)).toEqual(["variables.region", "variables.n"]);
  });

  it("defaults a select without default to its first static option, a date range to the last 30 days", () => {
    const vars: Variable[] = [
      { name: "s", type: "select", options: [{ value: 3, label: "Three" }, { value: 4 }] },
      { name: "d", type: "daterange" },
    ];
    expect(resolveVariableValues(vars, {}, NOW)).toEqual({ s: 3, d: { start: "2026-04-16", end: "2026-05-15" } });
  });
});

describe("scanSql", () => {
  it("finds placeholders and positional parameters only in code", () => {
    const scan = scanSql("select {{a}}, $1, x$2, '$3 {{b}}', $q$ {{c}} $q$, {{d.start}} -- {{e}}\n, {{f");
    expect(scan.placeholders.map((p) => p.ref)).toEqual(["a", "d.start", "f"]);
    expect(scan.placeholders[2]!.malformed).toBe(true);
    expect(scan.positional.map((p) => p.index)).toEqual([1]);
  });
});

describe("prepareQuery / variableOptionList / usedQueryIds", () => {
  const tables = [{ name: "orders", columns: [{ name: "region", type: "text" }, { name: "amount", type: "numeric" }] }];
  const values = resolveVariableValues(VARS, {}, NOW);

  it("binds SQL queries and compiles then binds visual queries", () => {
    expect(prepareQuery({ sql: "select 1 where r = {{region}}" }, VARS, values)).toEqual({ ok: true, sql: "select 1 where r = $1", parameters: ["EMEA"] });
    const visual = prepareQuery(
      { visual: { table: "orders", dimensions: [{ column: "region" }], measures: [{ fn: "sum", column: "amount" }], filters: [{ column: "region", op: "in", value: "{{regions}}" }] } },
      VARS,
      values,
      tables,
    );
    expect(visual).toEqual({
      ok: true,
      sql: 'select "region" as "region", sum("amount") as "sum_amount" from "orders" where "region" = any($2) group by "region" limit $1',
      parameters: [1000, ["EMEA"]],
    });
    const bad = prepareQuery({ visual: { table: "nope", measures: [{ fn: "count" }] } }, VARS, values, tables);
    expect(!bad.ok && bad.errors[0]!.path).toBe("visual.table");
    expect(prepareQuery({}, VARS, values).ok).toBe(false);
  });

  it("lists static options and options from query rows", () => {
    expect(variableOptionList({ name: "s", type: "select", options: ["a", { value: 2, label: "Two" }] })).toEqual([
      { value: "a", label: "a" },
      { value: 2, label: "Two" },
    ]);
    const fromQuery: Variable = { name: "m", type: "multiselect", options: { query: "regions" } };
    expect(variableOptionList(fromQuery, [{ v: "EMEA", l: "Europe" }, { v: null, l: "x" }, { v: "EMEA", l: "dup" }, { v: "APAC", l: null }], [{ name: "v" }, { name: "l" }])).toEqual([
      { value: "EMEA", label: "Europe" },
      { value: "APAC", label: "APAC" },
    ]);
    expect(variableOptionList({ name: "t", type: "text" })).toEqual([]);
  });

  it("lists the queries a document uses", () => {
    expect(
      usedQueryIds({
        variables: [{ name: "m", type: "multiselect", options: { query: "regions" } }],
        charts: [{ type: "bar", query: "a" }, { type: "text" }, { type: "kpi", query: "regions" }],
      }),
    ).toEqual(["regions", "a"]);
  });
});

describe("bindVariables on generated SQL", () => {
  // Pieces whose {{…}} must stay as written, and code pieces whose {{a}} must be bound.
  const inert = [
    "'{{a}}'",
    "'it''s {{a}}'",
    "E'\\' {{a}} \\\\'",
    '"{{a}}"',
    '"we""ird {{a}}"',
    "$$ {{a}} ' \" $$",
    "$t$ {{a}} $$ {{a}} $t$",
    "-- {{a}} ' \n",
    "/* {{a}} /* {{a}} */ ' {{a}} */",
    "x$1",
  ];
  const code = ["select", "1", "+", "a", "=", "::int", "(", ")", ",", "\n", "and", "t.col"];
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T,>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;

  it("binds exactly the placeholders in code, in 300 random statements", () => {
    const vars: Variable[] = [{ name: "a", type: "text" }];
    for (let n = 0; n < 300; n++) {
      const pieces: string[] = [];
      let expected = 0;
      for (let k = 0; k < 12; k++) {
        const r = random();
        if (r < 0.3) pieces.push(pick(inert));
        else if (r < 0.5) {
          pieces.push("{{a}}");
          expected++;
        } else pieces.push(pick(code));
      }
      const sql = pieces.join(" ");
      const result = bindVariables(sql, vars, { a: "v" });
      expect(result.ok, sql).toBe(true);
      if (!result.ok) continue;
      expect(result.sql.split("$1").length - 1 - (sql.split("$1").length - 1), sql).toBe(expected);
      expect(result.parameters).toEqual(expected ? ["v"] : []);
      for (const piece of pieces) if (inert.includes(piece)) expect(result.sql, sql).toContain(piece);
    }
  });
});

describe("absent inputs", () => {
  it("treats missing variable lists and values as empty", () => {
    expect(resolveVariableValues(undefined, undefined)).toEqual({});
    expect(validateVariableValues(undefined, { a: 1 })).toEqual([]);
    expect(bindVariables("select 1", undefined, {})).toEqual({ ok: true, sql: "select 1", parameters: [] });
    const r = bindVariables("select {{a}}", undefined, {});
    expect(!r.ok && r.errors[0]!.code).toBe("unknown_reference");
    expect(prepareQuery({ sql: "select 1" }, undefined, {})).toEqual({ ok: true, sql: "select 1", parameters: [] });
  });
});

describe("date variables", () => {
  const day: Variable = { name: "day", type: "date", default: "2026-03-31" };
  it("takes an ISO date, defaults to its default, and binds it as one parameter", () => {
    expect(resolveVariableValues([day], {})).toEqual({ day: "2026-03-31" });
    expect(resolveVariableValues([day], { day: "2026-02-28" })).toEqual({ day: "2026-02-28" });
    expect(resolveVariableValues([{ name: "day", type: "date" }], {})).toEqual({ day: null });
    expect(validateVariableValues([day], { day: "2026-02-30" })[0]).toMatchObject({ code: "invalid_value", path: "variables.day" });
    expect(validateVariableValues([day], { day: "2026-01-01'; drop table t; --" })[0]).toMatchObject({ code: "invalid_value" });
    expect(bindVariables("select {{day}}::date", [day], { day: "2026-02-28" })).toEqual({ ok: true, sql: "select $1::date", parameters: ["2026-02-28"] });
  });
});
