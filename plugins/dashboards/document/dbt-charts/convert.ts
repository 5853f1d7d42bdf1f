/**
 * A dbt Charts board → Atrium's dashboard document. Variables, queries (templates compiled to
 * bound placeholders), charts and the nested layout become their Atrium equivalents; what Atrium
 * cannot honour is an error (the board is refused whole) or a notice (kept in the source, not
 * drawn), each with its path. Browser-safe, pure.
 */
import { specError, type PathSegment, type SpecError } from "../errors";
import { CHART_ID, DATE_PRESETS, QUERY_ID, VARIABLE_NAME, type Chart, type Dashboard, type QueryDef, type Variable } from "../schema";
import { convertChart } from "./charts";
import { convertLayout } from "./layout";
import { applyRules, BOARD_RULES, QUERY_RULES, VARIABLE_RULES } from "./rules";
import type { DbtBoard, DbtQuery, DbtQueryObject, DbtVariable } from "./schema";
import { compileSqlTemplate, hasTemplate, parseTextTemplate, type TemplateVariable } from "./template";

export interface ConvertOptions {
  /** dbt Charts source name → Atrium data source id (the project's mapping). */
  sources?: Readonly<Record<string, string>>;
}

/**
 * A problem with what the reader needs to point at it: `sqlLine` / `sqlText` locate a template
 * inside a SQL text, `atKey` points at the mapping key rather than its value.
 */
export type LocatedError = SpecError & { sqlLine?: number; sqlText?: string; atKey?: boolean };

export interface ConvertResult {
  doc: Dashboard;
  errors: SpecError[];
  notices: SpecError[];
  /** The dbt source names the board reads from (board `source:` and per-query `source:`). */
  sourceNames: string[];
  /** Source names with no mapping to an Atrium data source (a setup step). */
  unmappedSources: string[];
}

/** Everything the chart and layout converters share while converting one board. */
export interface ConvertContext {
  board: DbtBoard;
  errors: SpecError[];
  notices: SpecError[];
  queries: Record<string, QueryDef>;
  charts: Chart[];
  variables: Map<string, TemplateVariable>;
  /** Adds a query from an inline chart query; returns its id, or null (error recorded). */
  inlineQuery(query: DbtQuery, preferredId: string, path: PathSegment[]): string | null;
  /** Checks a text that may hold `{{ var }}` / `{% if %}` (titles, labels, text blocks). */
  checkText(text: string | undefined, path: PathSegment[]): void;
  /** A fresh chart id (`text-1`, …) for layout text blocks. */
  freshChartId(base: string): string;
}

const SQL_KEYWORD = /^\s*(?:\(\s*)*(select|with|values|table)\b/i;

export function convertBoard(board: DbtBoard, options: ConvertOptions = {}): ConvertResult {
  const errors: SpecError[] = [];
  const notices: SpecError[] = [];
  applyRules(board as Record<string, unknown>, BOARD_RULES, [], errors, notices);

  // Variables first: queries and texts are checked against them.
  const variables: Variable[] = [];
  const templateVariables = new Map<string, TemplateVariable>();
  for (const [name, v] of Object.entries(board.variables ?? {})) {
    const converted = convertVariable(name, v, ["variables", name], errors, notices);
    if (converted) {
      variables.push(converted.variable);
      templateVariables.set(name, { type: converted.variable.type, ...(v.operator ? { operator: v.operator } : {}) });
    }
  }

  // Sources: Atrium runs a board's queries against one data source.
  const sourceNames = new Set<string>();
  if (board.source) sourceNames.add(board.source);
  for (const [id, q] of Object.entries(board.queries ?? {})) {
    if (typeof q === "object" && q.source) {
      sourceNames.add(q.source);
      if (board.source && q.source !== board.source) {
        errors.push(specError("query_source", ["queries", id, "source"], `Query "${id}" reads from "${q.source}", not the board's source "${board.source}"`, "Atrium runs a board's queries against one data source: split the board, or query both through one source."));
      }
    }
  }
  const boardSource = board.source ?? [...sourceNames][0];
  if (!board.source && sourceNames.size > 1) {
    errors.push(specError("query_source", ["source"], "The board's queries read from several sources", "Atrium runs a board's queries against one data source: set `source:` and use it in every query."));
  }

  const queries: Record<string, QueryDef> = {};
  const charts: Chart[] = [];
  const usedChartIds = new Set(Object.keys(board.charts ?? {}));
  const variableNames = new Set(templateVariables.keys());

  const compileQuery = (q: DbtQuery, path: PathSegment[]): QueryDef | null => {
    const def: DbtQueryObject = typeof q === "string" ? { sql: q } : q;
    if (typeof q === "object") applyRules(q as Record<string, unknown>, QUERY_RULES, path, errors, notices);
    if (def.type === "http" || def.type === "schema") {
      errors.push(specError(`${def.type}_query`, [...path, "type"], `${def.type} queries are not supported by Atrium`, def.type === "http" ? "Atrium queries databases only: load the API's data into a table and query it with SQL." : "Query information_schema with SQL instead."));
      return null;
    }
    const hasValues = def.columns !== undefined || def.values !== undefined || def.rows !== undefined;
    let sql: string | null = null;
    if (def.sql !== undefined) {
      if (hasValues) {
        errors.push(specError("invalid_value", path, "A query has either `sql:` or inline values", "Keep `sql:`, or `columns:` with `values:`."));
        return null;
      }
      const compiled = compileSqlTemplate(def.sql, templateVariables);
      if (!compiled.ok) {
        for (const e of compiled.errors) errors.push({ ...specError(e.code, [...path, ...(typeof q === "string" ? [] : ["sql"])], e.message, e.hint), ...sqlOffset(def.sql, e.offset) });
        return null;
      }
      sql = compiled.sql;
    } else if (hasValues) {
      sql = valuesSql(def, path, errors);
      if (sql === null) return null;
    } else {
      errors.push(specError("missing", path, "The query has no `sql:`", "Add `sql:`, or `columns:` with `values:` for inline data."));
      return null;
    }
    if (def.limit !== undefined) sql = `SELECT * FROM (\n${sql.replace(/;\s*$/, "")}\n) AS limited LIMIT ${def.limit}`;
    return { ...(def.notes ? { description: def.notes } : {}), sql };
  };

  for (const [id, q] of Object.entries(board.queries ?? {})) {
    if (!QUERY_ID.test(id)) {
      errors.push({ ...specError("invalid_value", ["queries", id], `"${id}" cannot be an Atrium query id`, "Use lowercase letters, digits and _, starting with a letter."), atKey: true } as LocatedError);
      continue;
    }
    const def = compileQuery(q, ["queries", id]);
    if (def) queries[id] = def;
  }

  const inlineQuery = (query: DbtQuery, preferredId: string, path: PathSegment[]): string | null => {
    if (typeof query === "string" && !SQL_KEYWORD.test(query)) {
      if (queries[query] || board.queries?.[query]) return query;
      const names = Object.keys(board.queries ?? {});
      errors.push(specError("unknown_reference", path, `"${query}" names no query of this board`, names.length ? `Queries: ${names.join(", ")}.` : "Add it under `queries:`, or write the SQL here."));
      return null;
    }
    if (typeof query === "object" && query.source && board.source && query.source !== board.source) {
      errors.push(specError("query_source", [...path, "source"], `This query reads from "${query.source}", not the board's source "${board.source}"`, "Atrium runs a board's queries against one data source."));
      return null;
    }
    let id = preferredId.replace(/[^a-z0-9_]/g, "_").replace(/^[^a-z]+/, "") || "q";
    for (let i = 2; queries[id] || board.queries?.[id]; i++) id = `${preferredId.replace(/[^a-z0-9_]/g, "_")}_${i}`;
    const def = compileQuery(query, path);
    if (!def) return null;
    queries[id] = def;
    return id;
  };

  const checkText = (text: string | undefined, path: PathSegment[]) => {
    if (text === undefined || !hasTemplate(text)) return;
    const parsed = parseTextTemplate(text, variableNames);
    if (!parsed.ok) for (const e of parsed.errors) errors.push(specError(e.code, path, e.message, e.hint));
  };

  const freshChartId = (base: string) => {
    let i = 1;
    while (usedChartIds.has(`${base}-${i}`)) i++;
    usedChartIds.add(`${base}-${i}`);
    return `${base}-${i}`;
  };

  const ctx: ConvertContext = { board, errors, notices, queries, charts, variables: templateVariables, inlineQuery, checkText, freshChartId };

  // Variables whose options come from a query (or a table column).
  for (const [name, v] of Object.entries(board.variables ?? {})) {
    const target = variables.find((x) => x.name === name);
    if (!target || (target.type !== "select" && target.type !== "multiselect")) continue;
    const optionsQuery = optionsQueryOf(name, v, ctx);
    if (optionsQuery) target.options = { query: optionsQuery };
  }

  for (const [id, chart] of Object.entries(board.charts ?? {})) {
    if (!CHART_ID.test(id)) {
      errors.push({ ...specError("invalid_value", ["charts", id], `"${id}" cannot be an Atrium chart id`, "Use lowercase letters, digits, - and _, starting with a letter."), atKey: true } as LocatedError);
      continue;
    }
    const converted = convertChart(id, chart, ["charts", id], ctx);
    if (converted) charts.push(converted);
  }

  checkText(board.title, ["title"]);
  const layout = convertLayout(ctx);

  const doc: Dashboard = {
    title: board.title?.trim() || "Untitled board",
    ...(board.notes ? { description: board.notes } : {}),
    ...(board.tags?.length ? { tags: board.tags.map((t) => t.toLowerCase()) } : {}),
    ...(boardSource ? { source: options.sources?.[boardSource] ?? boardSource } : {}),
    ...(variables.length ? { variables } : {}),
    ...(Object.keys(queries).length ? { queries } : {}),
    ...(charts.length ? { charts } : {}),
    ...(layout ? { layout } : {}),
  };
  const unmappedSources = [...sourceNames].filter((s) => !options.sources || !Object.prototype.hasOwnProperty.call(options.sources, s));
  return { doc, errors, notices, sourceNames: [...sourceNames], unmappedSources };
}

/** Where in a SQL text a template error is: its 0-based line there and the template as written. */
function sqlOffset(sql: string, offset: number): { sqlLine: number; sqlText: string } {
  const before = sql.slice(0, offset);
  const end = sql.indexOf(sql[offset + 1] === "%" ? "%}" : "}}", offset);
  return { sqlLine: before.split("\n").length - 1, sqlText: sql.slice(offset, end < 0 ? offset + 2 : end + 2) };
}

// ---------------------------------------------------------------------------------------------
// Variables

function convertVariable(name: string, v: DbtVariable, path: PathSegment[], errors: SpecError[], notices: SpecError[]): { variable: Variable } | null {
  applyRules(v as Record<string, unknown>, VARIABLE_RULES, path, errors, notices);
  if (!VARIABLE_NAME.test(name) || name.length > 63) {
    errors.push({ ...specError("invalid_value", path, `"${name}" cannot be an Atrium variable name`, "Use lowercase letters, digits and _, starting with a letter or _."), atKey: true } as LocatedError);
    return null;
  }
  for (const key of ["disabled", "enabled"] as const) {
    const value = v[key];
    if (value === undefined) continue;
    const inactive = key === "disabled" ? value === true : value === false;
    if (typeof value !== "boolean" || inactive) {
      errors.push(specError("conditional_control", [...path, key], `\`${key}\` ${typeof value === "boolean" ? "turns the control off" : "depends on other values"}, which Atrium cannot do`, "Remove it: Atrium's variable controls are always active."));
    }
  }
  const hasOptions = v.options !== undefined || v.column !== undefined || v.query !== undefined;
  const input = v.input === undefined || v.input === "auto" ? (hasOptions ? "select" : "text") : v.input;
  const common = { name, ...(v.label ? { label: v.label } : {}), ...((v.notes ?? v.description) ? { description: v.notes ?? v.description } : {}) };
  const bad = (message: string, hint: string, at: PathSegment[] = [...path, "default"]) => {
    errors.push(specError("invalid_value", at, message, hint));
    return null;
  };
  const d = v.default;
  switch (input) {
    case "select":
    case "radio":
    case "multiselect": {
      const staticOptions = v.options?.static;
      if (staticOptions?.some((o) => typeof o === "boolean")) return bad("Options must be text or numbers", "Quote true/false to use them as text options.", [...path, "options", "static"]);
      const options = staticOptions as (string | number)[] | undefined;
      if (input === "multiselect") {
        const list = d === undefined || d === null ? undefined : Array.isArray(d) ? d : [d];
        if (list?.some((x) => typeof x !== "string" && typeof x !== "number")) return bad("A multiselect default is a list of values", "Write `default: [a, b]`.");
        return { variable: { ...common, type: "multiselect", ...(list ? { default: list as (string | number)[] } : {}), ...(options ? { options } : {}) } };
      }
      if (d !== undefined && d !== null && typeof d !== "string" && typeof d !== "number") return bad("A select default is one value", "Write `default: US`.");
      return { variable: { ...common, type: "select", ...(typeof d === "string" || typeof d === "number" ? { default: d } : {}), ...(options ? { options } : {}) } };
    }
    case "daterange": {
      if (d === undefined || d === null) return { variable: { ...common, type: "daterange" } };
      if (typeof d === "string" && (DATE_PRESETS as readonly string[]).includes(d)) return { variable: { ...common, type: "daterange", default: d as (typeof DATE_PRESETS)[number] } };
      const [start, end] = Array.isArray(d) ? d : typeof d === "object" ? [d.start, d.end] : [];
      if (typeof start !== "string" || typeof end !== "string" || !ISO_DAY.test(start) || !ISO_DAY.test(end)) {
        return bad("A date range default is two ISO dates", `Write \`default: [2026-01-01, 2026-03-31]\` or one of: ${DATE_PRESETS.join(", ")}.`);
      }
      return { variable: { ...common, type: "daterange", default: { start, end } } };
    }
    case "date":
    case "datepicker": {
      if (d !== undefined && d !== null && (typeof d !== "string" || !ISO_DAY.test(d))) return bad("A date default is an ISO date", "Write `default: 2026-01-31`.");
      return { variable: { ...common, type: "date", ...(typeof d === "string" ? { default: d } : {}) } };
    }
    case "text":
    case "input":
    case "textarea": {
      if (d !== undefined && d !== null && typeof d !== "string" && typeof d !== "number") return bad("A text default is text", "Quote the default.");
      return { variable: { ...common, type: "text", ...(d !== undefined && d !== null ? { default: String(d) } : {}), ...(v.placeholder ? { placeholder: v.placeholder } : {}) } };
    }
    case "number":
    case "slider": {
      if (d !== undefined && d !== null && typeof d !== "number") return bad("A number default is a number", "Write it without quotes.");
      return {
        variable: {
          ...common,
          type: "number",
          ...(typeof d === "number" ? { default: d } : {}),
          ...(v.min !== undefined ? { min: v.min } : {}),
          ...(v.max !== undefined ? { max: v.max } : {}),
          ...(v.step !== undefined ? { step: v.step } : {}),
        },
      };
    }
    case "checkbox": {
      if (d !== undefined && d !== null && typeof d !== "boolean") return bad("A checkbox default is true or false", "Write true or false without quotes.");
      return { variable: { ...common, type: "checkbox", ...(typeof d === "boolean" ? { default: d } : {}) } };
    }
    case "range":
      errors.push(specError("range_input", [...path, "input"], "Two-handle range inputs are not supported by Atrium", "Use two number variables (a minimum and a maximum)."));
      return null;
  }
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const QUALIFIED_COLUMN = /^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*){1,2}$/;
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** The query giving a select's options, when they come from a query or a table column. */
function optionsQueryOf(name: string, v: DbtVariable, ctx: ConvertContext): string | null {
  const path: PathSegment[] = ["variables", name];
  const queryName = v.options?.query ?? v.query;
  const valueColumn = v.options?.column;
  const labelColumn = v.options?.label_column;
  if (v.options?.static && (queryName || v.column)) {
    ctx.errors.push(specError("invalid_value", [...path, "options"], "Options come either from `static:` or from a query", "Keep one of them."));
    return null;
  }
  if (queryName) {
    if (!ctx.queries[queryName]) {
      if (!ctx.board.queries?.[queryName]) ctx.errors.push(specError("unknown_reference", [...path, "options", "query"], `"${queryName}" names no query of this board`, "Add it under `queries:`."));
      return null;
    }
    if (!valueColumn && !labelColumn) return queryName;
    for (const [key, column] of [["column", valueColumn], ["label_column", labelColumn]] as const) {
      if (column !== undefined && !COLUMN_NAME.test(column)) {
        ctx.errors.push(specError("invalid_value", [...path, "options", key], `"${column}" is not a column name`, "Name one column of the query."));
        return null;
      }
    }
    const select = valueColumn ? `"${valueColumn}" AS value` : "*";
    const label = labelColumn ? `, "${labelColumn}" AS label` : "";
    return addQuery(ctx, `${name}_options`, `SELECT ${select}${label} FROM (\n${ctx.queries[queryName]!.sql!.replace(/;\s*$/, "")}\n) AS options`);
  }
  if (v.column) {
    if (!QUALIFIED_COLUMN.test(v.column)) {
      ctx.errors.push(specError("invalid_value", [...path, "column"], `"${v.column}" is not table.column`, "Write `column: orders.region` (or schema.table.column)."));
      return null;
    }
    const parts = v.column.split(".");
    const column = parts.pop()!;
    return addQuery(ctx, `${name}_options`, `SELECT DISTINCT ${column} FROM ${parts.join(".")} WHERE ${column} IS NOT NULL ORDER BY 1`);
  }
  return null;
}

function addQuery(ctx: ConvertContext, base: string, sql: string): string {
  let id = base.replace(/^[^a-z]+/, "") || "options";
  for (let i = 2; ctx.queries[id] || ctx.board.queries?.[id]; i++) id = `${base}_${i}`;
  ctx.queries[id] = { sql };
  return id;
}

// ---------------------------------------------------------------------------------------------
// Inline values

function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  return `'${String(value).replace(/'/g, "''")}'`;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Inline `columns` + `values` (or record-shaped `rows`) as a VALUES query. */
function valuesSql(def: DbtQueryObject, path: PathSegment[], errors: SpecError[]): string | null {
  let columns = def.columns;
  let rows: unknown[][];
  if (def.rows !== undefined) {
    if (def.values !== undefined) {
      errors.push(specError("invalid_value", [...path, "rows"], "Inline data is either `values:` (lists) or `rows:` (mappings)", "Keep one of them."));
      return null;
    }
    columns ??= [...new Set(def.rows.flatMap((r) => Object.keys(r)))];
    rows = def.rows.map((r) => columns!.map((c) => (Object.prototype.hasOwnProperty.call(r, c) ? r[c] : null)));
  } else {
    rows = def.values ?? [];
  }
  if (!columns?.length) {
    errors.push(specError("missing", [...path, "columns"], "Inline values need `columns:`", "Add `columns: [name, value]`."));
    return null;
  }
  const bad = rows.findIndex((r) => r.length !== columns!.length);
  if (bad >= 0) {
    errors.push(specError("invalid_value", [...path, "values", bad], `Row ${bad + 1} has ${rows[bad]!.length} values for ${columns.length} columns`, "Give one value per column."));
    return null;
  }
  const names = columns.map(quoteIdent).join(", ");
  if (!rows.length) return `SELECT ${columns.map((c) => `NULL AS ${quoteIdent(c)}`).join(", ")} WHERE false`;
  return `SELECT * FROM (VALUES\n${rows.map((r) => `  (${r.map(literal).join(", ")})`).join(",\n")}\n) AS inline_values(${names})`;
}
