import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isMap, isPair, isScalar, isSeq, parse as parseYaml, parseDocument, visit, type YAMLMap } from "yaml";
import { FULL_EXAMPLE_YAML } from "./examples";
import {
  CHART_TYPES,
  chartColumnErrors,
  compileVisual,
  dashboardJsonSchema,
  dashboardSchema,
  newDashboardYaml,
  parseDashboard,
  stringifyDashboard,
  validateDashboardValue,
  type Dashboard,
  type SpecError,
} from "./index";

function errorsOf(yaml: string): SpecError[] {
  const result = parseDashboard(yaml);
  if (result.ok) throw new Error(`expected errors for:\n${yaml}`);
  return result.errors;
}

function docOf(yaml: string): Dashboard {
  const result = parseDashboard(yaml);
  if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2));
  return result.doc;
}

const MINI = `title: Mini
queries:
  q:
    sql: select 1 as a, 2 as b
charts:
  - id: c
    type: bar
    query: q
    x: a
    y: b
`;

describe("parseDashboard: good documents", () => {
  it("accepts the full example using every feature", () => {
    const doc = docOf(FULL_EXAMPLE_YAML);
    expect(doc.title).toBe("Revenue overview");
    expect(doc.tags).toEqual(["finance", "weekly"]);
    expect(doc.variables?.map((v) => v.type).sort()).toEqual(["checkbox", "daterange", "daterange", "multiselect", "number", "select", "text"]);
    expect(new Set(doc.charts?.map((c) => c.type))).toEqual(new Set(CHART_TYPES));
    expect(doc.queries?.top_products?.visual?.filters).toHaveLength(4);
    expect(doc.layout?.tabs?.map((t) => t.title)).toEqual(["Overview", "Details"]);
    // Dates stay strings (YAML 1.2 core schema), never Date objects.
    const period = doc.variables?.find((v) => v.name === "period");
    expect(period?.type === "daterange" && period.default).toEqual({ start: "2026-01-01", end: "2026-03-31" });
  });

  it("accepts a minimal document and the starter document", () => {
    expect(docOf("title: Only a title\n")).toEqual({ title: "Only a title" });
    expect(docOf(MINI).charts?.[0]?.type).toBe("bar");
    const starter = docOf(newDashboardYaml("  Sales   team  "));
    expect(starter.title).toBe("Sales team");
    expect(starter.charts?.length).toBeGreaterThan(0);
    expect(docOf(newDashboardYaml("")).title).toBe("Untitled dashboard");
    expect(docOf(newDashboardYaml("Q1: revenue # draft 'v2' \"x\"")).title).toBe("Q1: revenue # draft 'v2' \"x\"");
    expect(docOf(newDashboardYaml("x".repeat(300))).title).toHaveLength(200);
  });

  it("accepts grid and rows layouts", () => {
    docOf(`${MINI}layout:\n  grid:\n    - { chart: c, x: 0, y: 0, w: 12, h: 4 }\n`);
    docOf(`${MINI}layout:\n  rows:\n    - [{ chart: c }]\n`);
  });

  it("describes the structure as JSON Schema with no extra keys allowed", () => {
    const schema = dashboardJsonSchema() as { properties: Record<string, unknown>; additionalProperties: boolean; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(["title", "description", "tags", "source", "variables", "queries", "charts", "layout"]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["title"]);
    expect(JSON.stringify(schema)).toContain('"const":"scatter"');
  });

  it("exports a schema that validates values the same way", () => {
    const value = parseYaml(FULL_EXAMPLE_YAML);
    expect(dashboardSchema.safeParse(value).success).toBe(true);
    expect(validateDashboardValue({ ...value, extra: 1 })).toMatchObject({ ok: false, errors: [{ code: "unknown_key", path: "extra" }] });
    const broken = { ...value, charts: [{ ...value.charts[0], query: "nope" }] };
    expect(dashboardSchema.safeParse(broken).success).toBe(false);
  });
});

interface BadCase {
  name: string;
  yaml: string;
  code: string;
  path: string;
  hint: RegExp;
  line?: number;
  column?: number;
}

const chart = (extra: string) => `title: t
queries:
  q:
    sql: select 1
charts:
  - id: c
    type: bar
    query: q
    x: a
    y: b
${extra}`;

const BAD: BadCase[] = [
  { name: "unknown top-level key", yaml: "title: t\ntitel: x\n", code: "unknown_key", path: "titel", hint: /Allowed here: title, description/, line: 2, column: 1 },
  { name: "near-miss top-level key", yaml: "title: t\nchart: []\n", code: "unknown_key", path: "chart", hint: /Did you mean `charts`\?/, line: 2 },
  { name: "unknown key in a chart", yaml: chart("    colr: region\n"), code: "unknown_key", path: "charts.0.colr", hint: /Did you mean `color`\?/, line: 11, column: 5 },
  { name: "unknown key in a variable", yaml: "title: t\nvariables:\n  - name: a\n    type: text\n    lable: A\n", code: "unknown_key", path: "variables.0.lable", hint: /Did you mean `label`\?/, line: 5 },
  { name: "unknown key in a query", yaml: "title: t\nqueries:\n  q:\n    sq: select 1\n", code: "unknown_key", path: "queries.q.sq", hint: /Did you mean `sql`\?/, line: 4, column: 5 },
  {
    name: "unknown key in a visual query",
    yaml: "title: t\nqueries:\n  q:\n    visual:\n      table: t\n      dimension: []\n",
    code: "unknown_key",
    path: "queries.q.visual.dimension",
    hint: /Did you mean `dimensions`\?/,
    line: 6,
  },
  {
    name: "unknown key in a visual measure",
    yaml: "title: t\nqueries:\n  q:\n    visual:\n      table: t\n      measures: [{ fn: count, alias: n }]\n",
    code: "unknown_key",
    path: "queries.q.visual.measures.0.alias",
    hint: /Allowed here: fn, column, as/,
    line: 6,
  },
  { name: "unknown key in the layout", yaml: "title: t\nlayout:\n  row: []\n", code: "unknown_key", path: "layout.row", hint: /Did you mean `rows`\?/, line: 3 },
  { name: "unknown key in a layout item", yaml: chart("layout:\n  rows:\n    - [{ chart: c, widht: 6 }]\n"), code: "unknown_key", path: "layout.rows.0.0.widht", hint: /Did you mean `width`\?/, line: 13 },
  { name: "unknown key in a tab", yaml: chart("layout:\n  tabs:\n    - { title: A, rows: [], icon: x }\n"), code: "unknown_key", path: "layout.tabs.0.icon", hint: /Allowed here: title, rows, grid/, line: 13 },
  { name: "unknown key in a date range default", yaml: "title: t\nvariables:\n  - name: p\n    type: daterange\n    default: { start: 2026-01-01, end: 2026-02-01, stop: x }\n", code: "unknown_key", path: "variables.0.default.stop", hint: /Allowed here: start, end/, line: 5 },
  { name: "unknown key in chart format", yaml: chart("    format: { z: \",.0f\" }\n"), code: "unknown_key", path: "charts.0.format.z", hint: /Allowed here: x, y/, line: 11 },
  { name: "bad chart type", yaml: chart("").replace("type: bar", "type: lines"), code: "invalid_value", path: "charts.0.type", hint: /Did you mean `line`\?.*bar, line, area, scatter, pie, kpi, table, text/, line: 7, column: 11 },
  { name: "unrelated chart type lists all types", yaml: chart("").replace("type: bar", "type: gauge"), code: "invalid_value", path: "charts.0.type", hint: /^Use one of: bar, line, area, scatter, pie, kpi, table, text, histogram, heatmap, spark_bar\.$/ },
  { name: "missing chart type", yaml: chart("").replace("    type: bar\n", ""), code: "missing", path: "charts.0.type", hint: /one of: bar, line/ },
  { name: "bad variable type", yaml: "title: t\nvariables:\n  - name: d\n    type: dateranges\n", code: "invalid_value", path: "variables.0.type", hint: /Did you mean `daterange`\?/, line: 4 },
  { name: "bad date preset", yaml: "title: t\nvariables:\n  - name: d\n    type: daterange\n    default: last_week\n", code: "invalid_value", path: "variables.0.default", hint: /last_7_days/, line: 5 },
  { name: "bad truncation unit", yaml: "title: t\nqueries:\n  q:\n    visual:\n      table: t\n      dimensions: [{ column: a, truncate: months }]\n", code: "invalid_value", path: "queries.q.visual.dimensions.0.truncate", hint: /Did you mean `month`\?/, line: 6 },
  { name: "bad measure fn", yaml: "title: t\nqueries:\n  q:\n    visual:\n      table: t\n      measures: [{ fn: average, column: a }]\n", code: "invalid_value", path: "queries.q.visual.measures.0.fn", hint: /count, sum, avg, min, max, count_distinct/ },
  { name: "bad filter op", yaml: "title: t\nqueries:\n  q:\n    visual:\n      table: t\n      filters: [{ column: a, op: equals, value: 1 }]\n", code: "invalid_value", path: "queries.q.visual.filters.0.op", hint: /eq, neq/ },
  { name: "limit above the maximum", yaml: "title: t\nqueries:\n  q:\n    visual:\n      table: t\n      measures: [{ fn: count }]\n      limit: 20000\n", code: "invalid_value", path: "queries.q.visual.limit", hint: /at most 10000/, line: 7 },
  { name: "title is not a string", yaml: "title: 42\n", code: "invalid_type", path: "title", hint: /quote/, line: 1, column: 8 },
  { name: "missing title", yaml: "description: x\n", code: "missing", path: "title", hint: /Add `title:`/ },
  { name: "empty title", yaml: "title: ''\n", code: "invalid_value", path: "title", hint: /at least 1 characters/ },
  { name: "tags not a list", yaml: "title: t\ntags: finance\n", code: "invalid_type", path: "tags", hint: /Write a list/, line: 2, column: 7 },
  { name: "tag not a slug", yaml: "title: t\ntags: [Finance]\n", code: "invalid_value", path: "tags.0", hint: /lowercase slugs/, line: 2 },
  { name: "charts not a list", yaml: "title: t\ncharts: { id: a }\n", code: "invalid_type", path: "charts", hint: /Write a list/ },
  { name: "width as quoted number", yaml: chart("layout:\n  rows:\n    - [{ chart: c, width: \"6\" }]\n"), code: "invalid_type", path: "layout.rows.0.0.width", hint: /Remove the quotes/ },
  { name: "width out of range", yaml: chart("layout:\n  rows:\n    - [{ chart: c, width: 13 }]\n"), code: "invalid_value", path: "layout.rows.0.0.width", hint: /at most 12/ },
  { name: "checkbox default not boolean", yaml: "title: t\nvariables:\n  - name: b\n    type: checkbox\n    default: yes\n", code: "invalid_type", path: "variables.0.default", hint: /true or false/, line: 5 },
  { name: "bad variable name", yaml: "title: t\nvariables:\n  - name: Region-Name\n    type: text\n", code: "invalid_value", path: "variables.0.name", hint: /lowercase letters/, line: 3, column: 11 },
  { name: "bad chart id", yaml: chart("").replace("id: c", "id: 9lives"), code: "invalid_value", path: "charts.0.id", hint: /start with a letter/ },
  { name: "bad query id", yaml: "title: t\nqueries:\n  Bad Id:\n    sql: select 1\n", code: "invalid_value", path: "queries.Bad Id", hint: /lowercase letters/, line: 3 },
  { name: "query id __proto__", yaml: "title: t\nqueries:\n  __proto__:\n    sql: select 1\n", code: "invalid_value", path: "queries.__proto__", hint: /start with a letter/, line: 3, column: 3 },
  { name: "variable named __proto__", yaml: "title: t\nvariables:\n  - { name: __proto__, type: text }\n", code: "invalid_value", path: "variables.0.name", hint: /lowercase letters/ },
  { name: "chart names an inherited property as query", yaml: chart("").replace("query: q", "query: constructor"), code: "unknown_reference", path: "charts.0.query", hint: /Queries in this document: q/ },
  { name: "bad d3 format", yaml: chart("    format: { y: \"dollars\" }\n"), code: "invalid_value", path: "charts.0.format.y", hint: /d3-format/ },
  { name: "missing y", yaml: chart("").replace("    y: b\n", ""), code: "missing", path: "charts.0.y", hint: /Add `y:` with a string or a list/ },
  { name: "y neither text nor list", yaml: chart("").replace("y: b", "y: { a: 1 }"), code: "invalid_type", path: "charts.0.y", hint: /list/ },
  { name: "chart names a missing query", yaml: chart("").replace("query: q", "query: qq"), code: "unknown_reference", path: "charts.0.query", hint: /Did you mean `q`\?/, line: 8, column: 12 },
  { name: "layout names a missing chart", yaml: chart("layout:\n  rows:\n    - [{ chart: cc }]\n"), code: "unknown_reference", path: "layout.rows.0.0.chart", hint: /Did you mean `c`\?/, line: 13 },
  { name: "grid names a missing chart", yaml: chart("layout:\n  grid:\n    - { chart: zzz, x: 0, y: 0, w: 4, h: 2 }\n"), code: "unknown_reference", path: "layout.grid.0.chart", hint: /Charts in this document: c/ },
  { name: "tab names a missing chart", yaml: chart("layout:\n  tabs:\n    - title: A\n      rows:\n        - [{ chart: xyzzy }]\n"), code: "unknown_reference", path: "layout.tabs.0.rows.0.0.chart", hint: /Charts in this document: c/, line: 15 },
  { name: "undeclared variable in SQL", yaml: "title: t\nqueries:\n  q:\n    sql: |\n      select 1\n      where a = {{regoin}}\n", code: "unknown_reference", path: "queries.q.sql", hint: /Declare it/, line: 6, column: 17 },
  {
    name: "near-miss variable in SQL",
    yaml: "title: t\nvariables:\n  - { name: region, type: text }\nqueries:\n  q:\n    sql: select 1 where a = {{regoin}}\n",
    code: "unknown_reference",
    path: "queries.q.sql",
    hint: /Did you mean `region`\?/,
    line: 6,
    column: 29,
  },
  {
    name: "bare date range in SQL",
    yaml: "title: t\nvariables:\n  - { name: p, type: daterange }\nqueries:\n  q:\n    sql: select 1 where d > {{p}}\n",
    code: "invalid_value",
    path: "queries.q.sql",
    hint: /\{\{p\.start\}\} and \{\{p\.end\}\}/,
  },
  { name: "undeclared variable in a visual filter", yaml: "title: t\nqueries:\n  q:\n    visual:\n      table: t\n      filters: [{ column: a, op: eq, value: \"{{nope}}\" }]\n", code: "unknown_reference", path: "queries.q.visual.filters.0.value", hint: /Declare it/, line: 6 },
  { name: "options from a missing query", yaml: "title: t\nvariables:\n  - name: r\n    type: select\n    options: { query: regions }\n", code: "unknown_reference", path: "variables.0.options.query", hint: /Add it under `queries:`/, line: 5 },
  { name: "duplicate chart ids", yaml: chart("  - id: c\n    type: text\n    markdown: hi\n"), code: "duplicate_id", path: "charts.1.id", hint: /its own id/, line: 11 },
  { name: "duplicate variable names", yaml: "title: t\nvariables:\n  - { name: a, type: text }\n  - { name: a, type: number }\n", code: "duplicate_id", path: "variables.1.name", hint: /its own name/, line: 4 },
  { name: "query with neither sql nor visual", yaml: "title: t\nqueries:\n  q:\n    description: nothing\n", code: "missing", path: "queries.q", hint: /sql/, line: 4 },
  { name: "query with both sql and visual", yaml: "title: t\nqueries:\n  q:\n    sql: select 1\n    visual: { table: t, measures: [{ fn: count }] }\n", code: "invalid_value", path: "queries.q", hint: /Keep one/ },
  { name: "layout with two arrangements", yaml: chart("layout:\n  rows: []\n  grid: []\n"), code: "invalid_value", path: "layout", hint: /rows, grid, tabs/, line: 12 },
  { name: "row wider than 12 columns", yaml: chart("layout:\n  rows:\n    - [{ chart: c, width: 8 }, { chart: c, width: 8 }]\n"), code: "invalid_value", path: "layout.rows.0", hint: /12-column grid/ },
  { name: "grid item past the edge", yaml: chart("layout:\n  grid:\n    - { chart: c, x: 8, y: 0, w: 6, h: 2 }\n"), code: "invalid_value", path: "layout.grid.0.w", hint: /w ≤ 4/ },
  { name: "select default not among options", yaml: "title: t\nvariables:\n  - { name: r, type: select, default: EMAE, options: [EMEA, APAC] }\n", code: "invalid_value", path: "variables.0.default", hint: /Did you mean `EMEA`\?/ },
  { name: "color with several y columns", yaml: chart("    color: r\n").replace("y: b", "y: [b, d]"), code: "invalid_value", path: "charts.0.color", hint: /remove `color`/ },
  {
    name: "chart column that its visual query does not output",
    yaml: "title: t\nqueries:\n  v:\n    visual: { table: t, dimensions: [{ column: region }], measures: [{ fn: sum, column: amount, as: revenue }] }\ncharts:\n  - { id: c, type: bar, query: v, x: region, y: revenu }\n",
    code: "unknown_reference",
    path: "charts.0.y",
    hint: /Did you mean `revenue`\?/,
    line: 6,
  },
  {
    name: "table column that its visual query does not output",
    yaml: "title: t\nqueries:\n  v:\n    visual: { table: t, measures: [{ fn: count }] }\ncharts:\n  - { id: c, type: table, query: v, columns: [count, total] }\n",
    code: "unknown_reference",
    path: "charts.0.columns.1",
    hint: /Outputs of "v": count/,
  },
  { name: "number default outside min..max", yaml: "title: t\nvariables:\n  - { name: n, type: number, default: 5, min: 10 }\n", code: "invalid_value", path: "variables.0.default", hint: /between min and max/ },
  { name: "YAML unclosed quote", yaml: "title: t\nqueries:\n  q:\n    sql: 'select 1\n  r: 2\n", code: "yaml_syntax", path: "", hint: /closing quote/ },
  { name: "YAML tab indentation", yaml: "title: t\ncharts:\n\t- id: a\n", code: "yaml_syntax", path: "", hint: /spaces/, line: 3 },
  { name: "YAML bad indentation", yaml: "title: t\ncharts:\n  - id: a\n   type: bar\n", code: "yaml_syntax", path: "", hint: /indentation/, line: 4 },
  { name: "duplicate YAML key", yaml: "title: a\ntitle: b\n", code: "yaml_syntax", path: "", hint: /once/, line: 2 },
  { name: "a list instead of a mapping", yaml: "- title: t\n", code: "invalid_type", path: "", hint: /title: My dashboard/, line: 1 },
  { name: "an empty document", yaml: "", code: "invalid_type", path: "", hint: /title: My dashboard/ },
];

describe("parseDashboard: bad documents", () => {
  it.each(BAD)("$name", ({ yaml, code, path, hint, line, column }) => {
    const errors = errorsOf(yaml);
    const match = errors.find((e) => e.code === code && e.path === path);
    expect(match, JSON.stringify(errors, null, 2)).toBeDefined();
    expect(match!.hint).toMatch(hint);
    expect(match!.message.length).toBeGreaterThan(5);
    if (line !== undefined) expect(match!.line).toBe(line);
    if (column !== undefined) expect(match!.column).toBe(column);
  });

  it("gives every error a code, a path, a message and a hint", () => {
    for (const { yaml } of BAD) {
      for (const e of errorsOf(yaml)) {
        expect(typeof e.code).toBe("string");
        expect(typeof e.path).toBe("string");
        expect(e.message).not.toBe("");
        expect(e.hint).not.toBe("");
        // The path is its own field; messages read without it (callers show both).
        if (e.path.includes(".")) expect(e.message).not.toContain(e.path);
      }
    }
  });

  it("reports several problems at once", () => {
    const errors = errorsOf("title: t\nfoo: 1\ncharts:\n  - id: a\n    type: bar\n    bar: 1\n");
    expect(errors.map((e) => e.path).sort()).toEqual(["charts.0.bar", "charts.0.query", "charts.0.x", "charts.0.y", "foo"]);
    // Listed in text order.
    const lines = errors.map((e) => e.line ?? 0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(errors[0]!.path).toBe("foo");
  });

  it("refuses text that cannot be stored (a NUL, an unpaired surrogate) with the field and its line", () => {
    const errors = errorsOf('title: "Sales\\0"\ndescription: "half \\ud800 of a pair"\nqueries:\n  one:\n    sql: select 1 as n\ncharts:\n  - id: n\n    type: kpi\n    query: one\n    value: n\n');
    expect(errors.map(({ code, path, line }) => ({ code, path, line }))).toEqual([
      { code: "invalid_text", path: "title", line: 1 },
      { code: "invalid_text", path: "description", line: 2 },
    ]);
    expect(errors[0]!.message).toMatch(/NUL/);
    expect(errors[0]!.hint).toMatch(/Remove/);
  });

  it("never throws on hostile or malformed input", () => {
    const inputs = [
      "charts: 5\nlayout: { rows: 5 }\nqueries: [1]\nvariables: {}\ntitle: t\n",
      "title: t\nqueries:\n  q: 5\ncharts:\n  - 1\n  - null\n",
      "a: &a [*a]\n",
      "x: &x\n  - *x\n",
      `a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n`,
      "\t\ttitle: x",
      "title: !!binary aGVsbG8=\n",
      "title: t\n__proto__: { polluted: true }\n",
      "x".repeat(600_000),
    ];
    for (const input of inputs) {
      const result = parseDashboard(input);
      expect(result.ok).toBe(false);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("stringifyDashboard", () => {
  it("round-trips the full example: parse → stringify → parse gives the same document", () => {
    const doc = docOf(FULL_EXAMPLE_YAML);
    const text = stringifyDashboard(doc);
    expect(docOf(text)).toEqual(doc);
    // Canonical: a second pass is byte-identical.
    expect(stringifyDashboard(docOf(text))).toBe(text);
  });

  it("writes keys in a stable order whatever order they were given in", () => {
    const a = docOf("charts:\n  - type: text\n    markdown: hi\n    id: n\ntitle: T\ntags: [x]\n");
    const text = stringifyDashboard(a);
    expect(text.indexOf("title:")).toBeLessThan(text.indexOf("tags:"));
    expect(text.indexOf("tags:")).toBeLessThan(text.indexOf("charts:"));
    expect(text).toMatch(/- id: n\n {4}type: text\n {4}markdown: hi/);
  });

  it("writes SQL as a literal block and layout rows in flow style", () => {
    const text = stringifyDashboard(docOf(FULL_EXAMPLE_YAML));
    expect(text).toContain("    sql: |\n      select date_trunc('week', ordered_at) as week");
    expect(text).toContain("- [ { chart: total, width: 4 }, { chart: weekly, width: 8 } ]");
  });

  it("writes long lists one item per line", () => {
    const options = Array.from({ length: 30 }, (_, i) => `option-${i}`);
    const text = stringifyDashboard({ title: "t", variables: [{ name: "s", type: "select", options }] });
    expect(text).toContain("    options:\n      - option-0\n      - option-1\n");
    expect(docOf(text).variables?.[0]).toEqual({ name: "s", type: "select", options });
  });

  it("keeps strings that look like other types as strings", () => {
    const doc = docOf(`title: "123"\ndescription: "true"\ntags: ["2026"]\n`);
    const again = docOf(stringifyDashboard(doc));
    expect(again).toEqual({ title: "123", description: "true", tags: ["2026"] });
  });
});

describe("docs/dashboards.md stays true", () => {
  const docs = readFileSync(path.join(import.meta.dirname, "../../../docs/dashboards.md"), "utf8");
  const blocks = (lang: string) => [...docs.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);

  it("shows the full example, and it is valid", () => {
    expect(blocks("yaml")).toContain(FULL_EXAMPLE_YAML);
  });

  it("every layout example is a valid layout", () => {
    const layouts = blocks("yaml").filter((b) => b.startsWith("layout:"));
    expect(layouts.length).toBe(3);
    const charts = ["total", "weekly", "detail", "notes"].map((id) => `  - { id: ${id}, type: text, markdown: x }`).join("\n");
    for (const layout of layouts) docOf(`title: t\ncharts:\n${charts}\n${layout}`);
  });

  it("shows the SQL the visual query example compiles to", () => {
    const example = blocks("yaml").find((b) => b.startsWith("queries:\n  top_products:"))!;
    const doc = docOf(`title: t\nvariables:\n  - { name: region, type: text }\n${example.replace(/ +#.*$/gm, "")}`);
    const tables = [{ name: "order_items", columns: ["product_name", "ordered_at", "amount", "region", "status"].map((name) => ({ name, type: name === "ordered_at" ? "timestamp" : name === "amount" ? "numeric" : "text" })) }];
    const compiled = compileVisual(doc.queries!.top_products!.visual!, tables);
    const normalize = (s: string) => s.replace(/\s+/g, " ").trim();
    expect(compiled.ok && normalize(compiled.sql)).toBe(normalize(blocks("sql")[0]!));
    expect(compiled.ok && compiled.parameters).toEqual(["paid", "shipped", 10]);
  });

  it("keeps alias expansion bounded and YAML 1.2 scalars as text", () => {
    const aliases = `title: t\ndescription: x\ntags: &t [a, b]\nx0: &x0 [*t, *t, *t, *t, *t, *t, *t, *t, *t, *t]\n` +
      Array.from({ length: 12 }, (_, i) => `x${i + 1}: &x${i + 1} [*x${i}, *x${i}, *x${i}, *x${i}, *x${i}, *x${i}, *x${i}, *x${i}, *x${i}, *x${i}]`).join("\n") + "\n";
    const errors = errorsOf(aliases);
    expect(errors[0]!.code).toBe("yaml_syntax");
    expect(errors[0]!.message).toMatch(/alias/i);
    expect(docOf("title: yes\ndescription: 2026-01-31\n")).toEqual({ title: "yes", description: "2026-01-31" });
  });
});

describe("chartColumnErrors", () => {
  it("names the chart columns a result lacks, with near names", () => {
    const columns = [{ name: "week" }, { name: "revenue" }, { name: "region" }];
    expect(chartColumnErrors({ id: "c", type: "line", query: "q", x: "week", y: ["revenue", "revenu"], color: "regoin" }, columns)).toEqual([
      expect.objectContaining({ code: "unknown_reference", path: "y.1", hint: expect.stringMatching(/Did you mean `revenue`/) }),
      expect.objectContaining({ path: "color", hint: expect.stringMatching(/Did you mean `region`/) }),
    ]);
    expect(chartColumnErrors({ id: "k", type: "kpi", query: "q", value: "revenue" }, columns)).toEqual([]);
    expect(chartColumnErrors({ id: "t", type: "table", query: "q", columns: ["x"], format: { y: ",.0f" } }, columns).map((e) => e.path)).toEqual(["columns.0", "format.y"]);
    expect(chartColumnErrors({ id: "n", type: "text", markdown: "x" }, [])).toEqual([]);
  });
});

describe("unknown keys at every level of the full example", () => {
  // Every mapping of the example gets an extra key; each must be refused at its own path and line.
  const records = new Set(["queries", "charts.6.format"]); // maps whose keys are ids / column names
  const yamlDoc = parseDocument(FULL_EXAMPLE_YAML);
  const maps: (string | number)[][] = [];
  visit(yamlDoc, {
    Map(_key, node, ancestors) {
      // The path of a map: pair keys, and indices within sequences.
      const path: (string | number)[] = [];
      ancestors.forEach((a, i) => {
        const child = ancestors[i + 1] ?? node;
        if (isPair(a) && isScalar(a.key)) path.push(String(a.key.value));
        else if (isSeq(a)) path.push(a.items.indexOf(child as never));
      });
      maps.push(path);
    },
  });

  it("covers the nested mappings of the example", () => {
    expect(maps.length).toBeGreaterThan(40);
  });

  it.each(maps.filter((p) => !records.has(p.join("."))).map((p) => [p.join(".") || "(top)", p] as const))("%s", (_label, path) => {
    const doc = parseDocument(FULL_EXAMPLE_YAML);
    const node = path.length ? doc.getIn(path, true) : doc.contents;
    expect(isMap(node)).toBe(true);
    (node as YAMLMap).set("zzz_extra", 1);
    const text = doc.toString({ lineWidth: 0 });
    const errors = errorsOf(text);
    const expectedPath = [...path, "zzz_extra"].join(".");
    const match = errors.find((e) => e.code === "unknown_key" && e.path === expectedPath);
    expect(match, JSON.stringify(errors)).toBeDefined();
    expect(match!.hint).toMatch(/Allowed here: /);
    const line = text.split("\n").findIndex((l) => l.includes("zzz_extra")) + 1;
    expect(match!.line).toBe(line);
  });
});

describe("round trip of awkward values", () => {
  it("keeps strings with YAML-special characters, whitespace and unicode exactly", () => {
    const doc: Dashboard = {
      title: "Revenue: Q1 # not a comment",
      description: "  indented first line\nsecond line with trailing spaces   \n\n- not a list\n",
      tags: ["a-b", "2026"],
      variables: [
        { name: "t", type: "text", default: "{{region}}" },
        { name: "s", type: "select", default: "null", options: ["null", "~", "yes", "-", "@at", "'quoted'", '"double"', "日本語 ✓"] },
      ],
      queries: { q: { sql: "select '\t{{x}}' as \"weird: name\"\n  -- comment: # yes\nfrom t" } },
      charts: [{ id: "n", type: "text", markdown: "no trailing newline" }, { id: "m", type: "text", markdown: "" }],
    };
    const checked = validateDashboardValue(doc);
    expect(checked.ok, JSON.stringify(!checked.ok && checked.errors)).toBe(true);
    const text = stringifyDashboard(doc);
    expect(docOf(text)).toEqual(doc);
  });
});

describe("browser safety", () => {
  it("index.ts reaches only browser-safe modules (no node:, no vega, not svg.ts)", () => {
    const dir = import.meta.dirname;
    const seen = new Set<string>();
    const packages = new Set<string>();
    const src = path.resolve(dir, "../../../src");
    const visitFile = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(path.resolve(dir, file), "utf8");
      for (const m of source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)) {
        const spec = m[1]!;
        if (/^(import|export)\s+type\s/.test(m[0].trim())) continue;
        if (spec.startsWith("./") || spec.startsWith("../")) {
          const base = path.join(path.dirname(file), spec);
          visitFile(existsSync(path.resolve(dir, `${base}.ts`)) ? `${base}.ts` : path.join(base, "index.ts"));
        }
        // The kernel's shared input schemas (zod only) are part of the document's rules.
        else if (spec === "~/kernel/schemas") visitFile(path.relative(dir, path.join(src, "kernel/schemas.ts")));
        else packages.add(spec);
      }
    };
    visitFile("index.ts");
    expect([...packages].sort()).toEqual(["kysely", "yaml", "zod"]);
    expect(seen.has("svg.ts")).toBe(false);
    expect(seen.size).toBeGreaterThan(8);
  });
});

describe("parseDashboard on mutated documents", () => {
  it("never throws, and every error is complete and points inside the text (200 random edits)", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const junk = [":", "-", " ", "\n", "  ", "{", "}", "[", "]", "'", '"', "#", "{{", "}}", "x", "1", "\t", "&a", "*a", "!!", "|", ">"];
    let okCount = 0;
    for (let n = 0; n < 200; n++) {
      let text = FULL_EXAMPLE_YAML;
      for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
        const at = Math.floor(random() * text.length);
        const cut = Math.floor(random() * 6);
        text = text.slice(0, at) + (random() < 0.7 ? junk[Math.floor(random() * junk.length)] : "") + text.slice(at + cut);
      }
      const result = parseDashboard(text);
      if (result.ok) {
        okCount++;
        continue;
      }
      const lines = text.split("\n").length;
      for (const e of result.errors) {
        expect(e.code && e.message && e.hint, JSON.stringify(e)).toBeTruthy();
        expect(typeof e.path).toBe("string");
        if (e.line !== undefined) {
          expect(e.line, `${JSON.stringify(e)}\n${text}`).toBeGreaterThanOrEqual(1);
          expect(e.line, `${JSON.stringify(e)}\n${text}`).toBeLessThanOrEqual(lines);
        }
      }
    }
    // Some edits are harmless (inside text); most are not.
    expect(okCount).toBeLessThan(200);
  });
});

describe("parseDashboard: combos and small multiples", () => {
  const chart = (extra: string) => `title: T\nqueries:\n  q:\n    sql: select 1 as a, 2 as b, 'x' as c\ncharts:\n  - { id: k, type: bar, query: q, x: a, y: b, ${extra} }\n`;
  it("accepts layers and multiples on xy charts", () => {
    const doc = docOf(chart("layers: [{ type: line, y: a, label: A }], multiples: { columns: c }"));
    expect(doc.charts?.[0]).toMatchObject({ layers: [{ type: "line", y: "a", label: "A" }], multiples: { columns: "c" } });
  });
  it("refuses a combo with color or horizontal bars, and multiples without a column", () => {
    expect(errorsOf(chart("color: c, layers: [{ type: line, y: a }]")).map((e) => [e.code, e.path])).toContainEqual(["invalid_value", "charts.0.color"]);
    expect(errorsOf(chart("horizontal: true, layers: [{ type: line, y: a }]")).map((e) => [e.code, e.path])).toContainEqual(["invalid_value", "charts.0.horizontal"]);
    expect(errorsOf(chart("multiples: { scale: shared }")).map((e) => [e.code, e.path])).toContainEqual(["missing", "charts.0.multiples"]);
    expect(errorsOf(chart("layers: [{ type: pie, y: a }]")).map((e) => e.path)).toContainEqual("charts.0.layers.0.type");
  });
});
