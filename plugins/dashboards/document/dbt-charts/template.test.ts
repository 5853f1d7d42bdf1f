import { describe, expect, it } from "vitest";
import { bindVariables, type Variable } from "..";
import { compileSqlTemplate, escapeMarkdown, parseTextTemplate, renderTextTemplate, type TemplateVariable } from "./template";

const vars = new Map<string, TemplateVariable>([
  ["region", { type: "select" }],
  ["plans", { type: "multiselect" }],
  ["period", { type: "daterange" }],
  ["days", { type: "number" }],
  ["name", { type: "text" }],
  ["minimum", { type: "number", operator: ">=" }],
  ["day", { type: "date" }],
]);

function sql(text: string): string {
  const r = compileSqlTemplate(text, vars);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.code}: ${e.message}`).join("; "));
  return r.sql;
}

function refusal(text: string) {
  const r = compileSqlTemplate(text, vars);
  if (r.ok) throw new Error(`compiled: ${r.sql}`);
  return r.errors[0]!;
}

describe("SQL templates compile to placeholders bound as parameters", () => {
  it("compiles variables, filter() with and without an operator, and filter_date_range()", () => {
    expect(sql("SELECT {{ days }} AS n")).toBe("SELECT {{days}} AS n");
    expect(sql("WHERE {{ filter('o.region', region) }}")).toBe("WHERE (o.region = {{region}} OR {{region}} IS NULL)");
    expect(sql("WHERE {{ filter('o.revenue', days, '>=') }}")).toBe("WHERE (o.revenue >= {{days}} OR {{days}} IS NULL)");
    expect(sql('WHERE {{ filter("amount", minimum) }}')).toBe("WHERE (amount >= {{minimum}} OR {{minimum}} IS NULL)");
    expect(sql("WHERE {{ filter('plan', plans) }}")).toBe("WHERE (plan = ANY({{plans}}) OR cardinality({{plans}}) = 0)");
    expect(sql("WHERE {{ filter('plan', plans, 'not in') }}")).toBe("WHERE (plan <> ALL({{plans}}) OR cardinality({{plans}}) = 0)");
    expect(sql("WHERE {{ filter_date_range('d', period) }}")).toBe("WHERE (d >= CAST({{period.start}} AS date) AND d < CAST({{period.end}} AS date) + 1)");
    expect(sql("WHERE d BETWEEN {{ period.start }} AND {{ period[1] }}")).toBe("WHERE d BETWEEN {{period.start}} AND {{period.end}}");
    expect(sql("WHERE {{ filter('d', day) }}")).toBe("WHERE (d = {{day}} OR {{day}} IS NULL)");
    expect(sql("SELECT 1 {# a note #}")).toBe("SELECT 1 ");
  });

  it("turns a template inside a string literal into a concatenation with a parameter", () => {
    expect(sql("WHERE t > now() - interval '{{ days }} days'")).toBe("WHERE t > now() - CAST('' || CAST({{days}} AS text) || ' days' AS interval)");
    expect(sql("WHERE name LIKE '%{{ name }}%'")).toBe("WHERE name LIKE ('%' || CAST({{name}} AS text) || '%')");
    expect(sql("WHERE d = DATE '{{ period.start }}'")).toBe("WHERE d = CAST('' || CAST({{period.start}} AS text) || '' AS date)");
    expect(sql("SELECT 'it''s {{ name }}'")).toBe("SELECT ('it''s ' || CAST({{name}} AS text) || '')");
  });

  it("leaves comments, quoted text without templates and dollar quotes as written", () => {
    const text = "SELECT 'a{b}' AS x, \"Col\" -- {{ not a template }}\n/* {{ nor this }} */ FROM t WHERE $$x$$ = 'x'";
    expect(sql(text)).toBe(text);
  });

  it("refuses everything else Jinja can do, with a hint", () => {
    for (const text of [
      "SELECT {{ days | int }}",
      "SELECT {{ days + 1 }}",
      "SELECT {{ env_var('PGPASSWORD') }}",
      "SELECT {{ queries.other }}",
      "SELECT {{ region.upper() }}",
      "{% for x in plans %}SELECT {{ x }}{% endfor %}",
      "{% if region %}SELECT 1{% endif %}",
      "SELECT {{ lipsum() }}",
      "SELECT {{ ''.__class__ }}",
      "SELECT {{ filter(region, region) }}",
      "SELECT {{ filter('a', region, '; DROP TABLE x') }}",
    ]) {
      const e = refusal(text);
      expect(["jinja_unsupported", "invalid_value"], text).toContain(e.code);
      expect(e.hint.length, text).toBeGreaterThan(10);
    }
  });

  it("refuses hostile column names and templates that would name identifiers", () => {
    expect(refusal("WHERE {{ filter('a; DROP TABLE t; --', region) }}").message).toContain("is not a column name");
    expect(refusal("WHERE {{ filter('a) OR (1=1', region) }}").message).toContain("is not a column name");
    expect(refusal('SELECT "{{ name }}" FROM t').message).toContain("identifier");
    expect(refusal("SELECT $q${{ name }}$q$").message).toContain("dollar-quoted");
    expect(refusal("SELECT E'{{ name }}'").code).toBe("jinja_unsupported");
    expect(refusal("SELECT '{{ plans }}'").message).toContain("list");
    expect(refusal("SELECT {{ nope }}").code).toBe("unknown_reference");
    expect(refusal("SELECT {{ period }}").hint).toContain("filter_date_range");
    expect(refusal("SELECT {{ days").code).toBe("jinja_syntax");
  });

  it("binds hostile values as parameters only: the SQL text is the same whatever the value", () => {
    const variables: Variable[] = [
      { name: "name", type: "text" },
      { name: "days", type: "number" },
    ];
    const compiled = sql("SELECT * FROM t WHERE name = {{ name }} AND label LIKE '%{{ name }}%' AND t > now() - interval '{{ days }} days'");
    const hostile = ["'; DROP TABLE t; --", "$1", "{{ days }}", "\\'", "' || pg_sleep(10) || '", "\u0000", "%' OR '1'='1"];
    const texts = new Set<string>();
    for (const value of hostile) {
      const bound = bindVariables(compiled, variables, { name: value, days: 3 });
      if (!bound.ok) {
        // Values Atrium's input schema would refuse before binding (NUL) fail here too; none reaches the SQL.
        expect(value).toBe("\u0000");
        continue;
      }
      texts.add(bound.sql);
      expect(bound.parameters).toEqual([value, 3]);
    }
    expect(texts.size).toBe(1);
    expect([...texts][0]).toBe("SELECT * FROM t WHERE name = $1 AND label LIKE ('%' || CAST($1 AS text) || '%') AND t > now() - CAST('' || CAST($2 AS text) || ' days' AS interval)");
  });
});

describe("text templates render as text", () => {
  const names = new Set(["region", "on", "period", "plans"]);

  it("renders variables and if / else blocks", () => {
    const values = { region: "north", on: true, period: { start: "2026-01-01", end: "2026-01-31" }, plans: ["a", "b"] };
    expect(renderTextTemplate("Revenue in {{ region }}", values)).toBe("Revenue in north");
    expect(renderTextTemplate("{% if on %}On{% else %}Off{% endif %}", values)).toBe("On");
    expect(renderTextTemplate("{% if not on %}Off{% else %}On{% endif %}", { ...values, on: false })).toBe("Off");
    expect(renderTextTemplate("{{ period.start }} to {{ period.end }} / {{ period }}", values)).toBe("2026-01-01 to 2026-01-31 / 2026-01-01 – 2026-01-31");
    expect(renderTextTemplate("{{ plans }}{% if plans %}!{% endif %}", values)).toBe("a, b!");
    expect(renderTextTemplate("{% if plans %}{% if on %}both{% endif %}{% endif %}", values)).toBe("both");
  });

  it("escapes values, never the authored text", () => {
    const hostile = "<img src=x onerror=alert(1)> **bold** [link](javascript:alert(1))";
    const out = renderTextTemplate("**Region**: {{ region }}", { region: hostile }, escapeMarkdown);
    expect(out.startsWith("**Region**: ")).toBe(true);
    expect(out).not.toMatch(/(^|[^\\])<img/);
    expect(out).toContain("\\<img");
    expect(out).toContain("\\*\\*bold\\*\\*");
    expect(out).toContain("\\[link\\]\\(javascript:alert\\(1\\)\\)");
  });

  it("refuses other statements and unbalanced blocks", () => {
    const codes = (t: string) => {
      const r = parseTextTemplate(t, names);
      return r.ok ? [] : r.errors.map((e) => e.code);
    };
    expect(codes("{% for r in plans %}{{ r }}{% endfor %}")).toContain("jinja_unsupported");
    expect(codes("{% set x = 1 %}")).toContain("jinja_unsupported");
    expect(codes("{{ region | upper }}")).toContain("jinja_unsupported");
    expect(codes("{% if on %}open")).toEqual(["jinja_syntax"]);
    expect(codes("{% endif %}")).toEqual(["jinja_syntax"]);
    expect(codes("{{ missing }}")).toEqual(["unknown_reference"]);
    expect(codes("{% if region == 'x' %}y{% endif %}")).toContain("jinja_unsupported");
  });
});
