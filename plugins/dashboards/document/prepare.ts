/**
 * Glue the server and the chart builder both need: one query of a document → executable SQL with
 * parameters (SQL bound directly; visual compiled, then bound), and the option list of a
 * select / multiselect variable. Browser-safe.
 */
import { specError, type SpecError } from "./errors";
import type { QueryDef, Variable } from "./schema";
import { bindVariables } from "./variables";
import { compileVisual, type TableInfo } from "./visual";

export type PreparedQuery = { ok: true; sql: string; parameters: unknown[] } | { ok: false; errors: SpecError[] };

/**
 * The SQL and parameters to run for one query definition, with resolved variable values
 * (see resolveVariableValues). `tables` (from data.describeTables) is needed for visual queries
 * only. Error paths are relative to the query (`sql`, `visual.table`, …).
 */
export function prepareQuery(query: QueryDef, variables: Variable[] | undefined, values: Record<string, unknown>, tables: TableInfo[] = []): PreparedQuery {
  if (query.sql !== undefined) return bindVariables(query.sql, variables, values);
  if (query.visual !== undefined) {
    const compiled = compileVisual(query.visual, tables, ["visual"]);
    if (!compiled.ok) return compiled;
    return bindVariables(compiled.sql, variables, values, compiled.parameters);
  }
  return { ok: false, errors: [specError("missing", "", "The query has neither sql nor visual", "Add `sql:` or `visual:`.")] };
}

export interface VariableOption {
  value: string | number;
  label: string;
}

/**
 * The options of a select / multiselect variable: its static list, or, for `options: { query }`,
 * the rows of that query (first column = value, second column = label, if any). Other variable
 * types have no options ([]). At most 1000 options; null values are skipped.
 */
export function variableOptionList(variable: Variable, rows?: Record<string, unknown>[], columns?: { name: string }[]): VariableOption[] {
  if (variable.type !== "select" && variable.type !== "multiselect") return [];
  const options = variable.options;
  if (Array.isArray(options)) {
    return options.map((o) => (typeof o === "object" ? { value: o.value, label: o.label ?? String(o.value) } : { value: o, label: String(o) }));
  }
  if (!options || !rows) return [];
  const names = columns?.map((c) => c.name) ?? Object.keys(rows[0] ?? {});
  const [valueColumn, labelColumn] = names;
  if (valueColumn === undefined) return [];
  const out: VariableOption[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const raw = row[valueColumn];
    if (raw === null || raw === undefined) continue;
    const value = typeof raw === "number" ? raw : String(raw);
    if (seen.has(String(value))) continue;
    seen.add(String(value));
    const label = labelColumn !== undefined && row[labelColumn] !== null && row[labelColumn] !== undefined ? String(row[labelColumn]) : String(value);
    out.push({ value, label });
    if (out.length >= 1000) break;
  }
  return out;
}

/** Ids of the queries a document's charts and variable options use, in document order. */
export function usedQueryIds(doc: { charts?: { type: string; query?: string }[]; variables?: Variable[] }): string[] {
  const ids: string[] = [];
  for (const v of doc.variables ?? []) {
    if ((v.type === "select" || v.type === "multiselect") && v.options && !Array.isArray(v.options)) ids.push(v.options.query);
  }
  for (const c of doc.charts ?? []) if (c.query) ids.push(c.query);
  return [...new Set(ids)];
}
