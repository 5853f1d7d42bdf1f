/**
 * Checks a structurally valid document for things a schema cannot see: duplicate ids, references
 * between parts (chart → query, layout → chart, `{{var}}` → variable, options.query → query),
 * and consistency rules (exactly one of sql/visual, layout widths). Browser-safe.
 */
import { listOf, specError, suggest, type PathSegment, type SpecError } from "./errors";
import { visualOutputColumns } from "./aliases";
import type { Chart, Dashboard, Variable } from "./schema";
import { lineOf, scanSql } from "./sql-scan";

/** A reference error inside a SQL text carries the 0-based line within that text. */
export interface ReferenceError extends SpecError {
  sqlLine?: number;
  /** The placeholder as written (`{{ regoin }}`), to find its column in the YAML text. */
  sqlText?: string;
}

const VAR_REF = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\s*\}\}$/;

/** Checks one `{{ref}}` against the declared variables; null when fine. */
export function checkVariableRef(
  name: string,
  field: string | undefined,
  variables: readonly Variable[],
  path: string | readonly PathSegment[],
): SpecError | null {
  const variable = variables.find((v) => v.name === name);
  const names = variables.map((v) => v.name);
  const ref = field ? `${name}.${field}` : name;
  if (!variable) {
    return specError(
      "unknown_reference",
      path,
      `{{${ref}}} names no declared variable`,
      names.length
        ? suggest(name, names, `Declare it under \`variables:\` (declared: ${listOf(names)}).`)
        : `Declare it under \`variables:\`, e.g. \`- { name: ${name}, type: text }\`.`,
    );
  }
  if (variable.type === "daterange") {
    if (field !== "start" && field !== "end") {
      return specError(
        "invalid_value",
        path,
        `{{${ref}}}: "${name}" is a date range`,
        `Use {{${name}.start}} and {{${name}.end}}.`,
      );
    }
  } else if (field !== undefined) {
    return specError(
      "invalid_value",
      path,
      `{{${ref}}}: "${name}" is a ${variable.type} variable and has no field "${field}"`,
      `Write {{${name}}}; only date ranges have .start and .end.`,
    );
  }
  return null;
}

/** Parses a filter value like "{{region}}" into a variable reference. */
export function variableRefOf(value: unknown): { name: string; field?: string } | null {
  if (typeof value !== "string") return null;
  const m = VAR_REF.exec(value.trim());
  if (!m) return null;
  return m[2] ? { name: m[1]!, field: m[2] } : { name: m[1]! };
}

export function checkReferences(doc: Dashboard): ReferenceError[] {
  const errors: ReferenceError[] = [];
  const variables = doc.variables ?? [];
  const queries = doc.queries ?? {};
  const queryIds = Object.keys(queries);
  const charts = doc.charts ?? [];
  const chartIds = charts.map((c) => c.id);

  const unknownQuery = (id: string, path: PathSegment[], what: string) =>
    errors.push(
      specError(
        "unknown_reference",
        path,
        `${what} names query "${id}", which does not exist`,
        queryIds.length
          ? suggest(id, queryIds, `Queries in this document: ${listOf(queryIds)}.`)
          : "Add it under `queries:` first.",
      ),
    );

  // Variables: unique names, options.query, defaults consistent with their own declaration.
  const seenVariables = new Map<string, number>();
  variables.forEach((v, i) => {
    const first = seenVariables.get(v.name);
    if (first !== undefined) {
      errors.push(
        specError("duplicate_id", ["variables", i, "name"], `Variable "${v.name}" is declared twice (also variables.${first})`, "Give each variable its own name."),
      );
    } else {
      seenVariables.set(v.name, i);
    }
    if ((v.type === "select" || v.type === "multiselect") && v.options && !Array.isArray(v.options)) {
      if (!Object.hasOwn(queries, v.options.query)) unknownQuery(v.options.query, ["variables", i, "options", "query"], `Variable "${v.name}"`);
    }
    if ((v.type === "select" || v.type === "multiselect") && Array.isArray(v.options) && v.default !== undefined) {
      const allowed = v.options.map((o) => String(typeof o === "object" ? o.value : o));
      const defaults = Array.isArray(v.default) ? v.default : [v.default];
      defaults.forEach((d, j) => {
        if (!allowed.includes(String(d))) {
          errors.push(
            specError(
              "invalid_value",
              v.type === "multiselect" ? ["variables", i, "default", j] : ["variables", i, "default"],
              `Default "${String(d)}" is not one of the options of "${v.name}"`,
              suggest(String(d), allowed),
            ),
          );
        }
      });
    }
    if (v.type === "number") {
      if (v.min !== undefined && v.max !== undefined && v.min > v.max) {
        errors.push(specError("invalid_value", ["variables", i, "max"], `max (${v.max}) is below min (${v.min})`, "Swap min and max."));
      }
      if (v.default !== undefined && ((v.min !== undefined && v.default < v.min) || (v.max !== undefined && v.default > v.max))) {
        errors.push(specError("invalid_value", ["variables", i, "default"], `Default ${v.default} is outside min..max`, "Pick a default between min and max."));
      }
    }
    if (v.type === "daterange" && typeof v.default === "object" && v.default.start > v.default.end) {
      errors.push(specError("invalid_value", ["variables", i, "default", "end"], "The range ends before it starts", "Make end on or after start."));
    }
  });

  // Queries: exactly one of sql / visual; {{var}} references resolve.
  for (const [id, q] of Object.entries(queries)) {
    if (q.sql === undefined && q.visual === undefined) {
      errors.push(specError("missing", ["queries", id], `Query "${id}" has neither sql nor visual`, "Add `sql: |` with a SELECT, or a `visual:` query."));
    } else if (q.sql !== undefined && q.visual !== undefined) {
      errors.push(specError("invalid_value", ["queries", id], `Query "${id}" has both sql and visual`, "Keep one of `sql` and `visual`."));
    }
    if (q.sql !== undefined) {
      for (const p of scanSql(q.sql).placeholders) {
        const path = ["queries", id, "sql"];
        const err = p.malformed
          ? specError("invalid_value", path, `{{${p.ref}}} is not a variable reference`, "Write {{name}} or {{name.start}} / {{name.end}} with a declared variable name.")
          : checkVariableRef(p.name, p.field, variables, path);
        if (err) errors.push({ ...err, sqlLine: lineOf(q.sql, p.start), sqlText: q.sql.slice(p.start, p.end) });
      }
    }
    q.visual?.filters?.forEach((f, j) => {
      const values = Array.isArray(f.value) ? f.value : [f.value];
      values.forEach((value, k) => {
        const ref = variableRefOf(value);
        if (ref) {
          const path: PathSegment[] = Array.isArray(f.value) ? ["queries", id, "visual", "filters", j, "value", k] : ["queries", id, "visual", "filters", j, "value"];
          const fine = f.op === "between" && !Array.isArray(f.value) && ref.field === undefined;
          // `between` with a bare date range variable means start..end.
          const err = fine ? checkDateRangeRef(ref.name, variables, path) : checkVariableRef(ref.name, ref.field, variables, path);
          if (err) errors.push(err);
        }
      });
    });
  }

  // Charts: unique ids, query exists, color and several y columns do not mix.
  const seenCharts = new Map<string, number>();
  charts.forEach((c, i) => {
    const first = seenCharts.get(c.id);
    if (first !== undefined) {
      errors.push(specError("duplicate_id", ["charts", i, "id"], `Chart id "${c.id}" is used twice (also charts.${first})`, "Give each chart its own id."));
    } else {
      seenCharts.set(c.id, i);
    }
    if (c.type !== "text" && !Object.hasOwn(queries, c.query)) unknownQuery(c.query, ["charts", i, "query"], `Chart "${c.id}"`);
    // A visual query's output columns are known before it runs: check the chart's columns now.
    const visual = c.type !== "text" && Object.hasOwn(queries, c.query) ? queries[c.query]!.visual : undefined;
    if (visual && c.type !== "text") {
      const outputs = visualOutputColumns(visual);
      for (const { column, path } of chartColumnRefs(c)) {
        if (!outputs.includes(column)) {
          errors.push(
            specError(
              "unknown_reference",
              ["charts", i, ...path],
              `Column "${column}" is not an output of query "${c.query}"`,
              suggest(column, outputs, `Outputs of "${c.query}": ${listOf(outputs)}.`),
            ),
          );
        }
      }
    }
    if ((c.type === "bar" || c.type === "line" || c.type === "area" || c.type === "scatter") && Array.isArray(c.y) && c.y.length > 1 && c.color) {
      errors.push(
        specError(
          "invalid_value",
          ["charts", i, "color"],
          `Chart "${c.id}" has several y columns and a color column`,
          "Several y columns already get one color each: remove `color`, or keep one y column.",
        ),
      );
    }
    if ((c.type === "bar" || c.type === "line" || c.type === "area" || c.type === "scatter") && c.layers) {
      if (c.color) errors.push(specError("invalid_value", ["charts", i, "color"], `Chart "${c.id}" has layers and a color column`, "A combo chart colors each layer: remove `color`, or draw the layers as their own charts."));
      if (c.type === "bar" && c.horizontal) errors.push(specError("invalid_value", ["charts", i, "horizontal"], `Chart "${c.id}" has layers and horizontal bars`, "Layers share a vertical value axis: remove `horizontal`."));
    }
    if ("multiples" in c && c.multiples && c.multiples.rows === undefined && c.multiples.columns === undefined) {
      errors.push(specError("missing", ["charts", i, "multiples"], `Chart "${c.id}" has \`multiples\` without rows or columns`, "Name a column in `multiples.rows` or `multiples.columns` (one panel per value)."));
    }
  });

  // Layout: exactly one arrangement; every chart exists; widths fit the 12-column grid.
  const layout = doc.layout;
  if (layout) {
    const kinds = (["rows", "grid", "tabs"] as const).filter((k) => layout[k] !== undefined);
    if (kinds.length !== 1) {
      errors.push(
        specError(
          kinds.length ? "invalid_value" : "missing",
          ["layout"],
          kinds.length ? `layout has ${kinds.join(" and ")}; it takes one` : "layout is empty",
          "Use one of: rows, grid, tabs.",
        ),
      );
    }
    const checkChart = (id: string, path: PathSegment[]) => {
      if (!chartIds.includes(id)) {
        errors.push(
          specError(
            "unknown_reference",
            path,
            `The layout names chart "${id}", which does not exist`,
            chartIds.length ? suggest(id, chartIds, `Charts in this document: ${listOf(chartIds)}.`) : "Add it under `charts:` first.",
          ),
        );
      }
    };
    const checkRows = (rows: NonNullable<typeof layout.rows>, base: PathSegment[]) =>
      rows.forEach((row, r) => {
        row.forEach((item, k) => checkChart(item.chart, [...base, r, k, "chart"]));
        const total = row.reduce((sum, item) => sum + (item.width ?? Math.floor(12 / row.length)), 0);
        if (total > 12) {
          errors.push(specError("invalid_value", [...base, r], `The widths in this row add up to ${total}`, "Widths are on a 12-column grid: make them add up to 12 or less."));
        }
      });
    const checkGrid = (grid: NonNullable<typeof layout.grid>, base: PathSegment[]) =>
      grid.forEach((item, k) => {
        checkChart(item.chart, [...base, k, "chart"]);
        if (item.x + item.w > 12) {
          errors.push(specError("invalid_value", [...base, k, "w"], `x + w is ${item.x + item.w}, past the 12 columns`, `Use w ≤ ${12 - item.x} at x ${item.x}.`));
        }
      });
    if (layout.rows) checkRows(layout.rows, ["layout", "rows"]);
    if (layout.grid) checkGrid(layout.grid, ["layout", "grid"]);
    layout.tabs?.forEach((t, i) => {
      const has = (["rows", "grid"] as const).filter((k) => t[k] !== undefined);
      if (has.length !== 1) {
        errors.push(specError(has.length ? "invalid_value" : "missing", ["layout", "tabs", i], `Tab "${t.title}" needs exactly one of rows and grid`, "Use one of: rows, grid."));
      }
      if (t.rows) checkRows(t.rows, ["layout", "tabs", i, "rows"]);
      if (t.grid) checkGrid(t.grid, ["layout", "tabs", i, "grid"]);
    });
  }
  return errors;
}

function checkDateRangeRef(name: string, variables: readonly Variable[], path: PathSegment[]): SpecError | null {
  const v = variables.find((x) => x.name === name);
  if (!v) return checkVariableRef(name, undefined, variables, path);
  if (v.type !== "daterange") {
    return specError("invalid_value", path, `between needs a date range variable or a [low, high] list; "${name}" is a ${v.type}`, "Write value: [low, high], or use a daterange variable.");
  }
  return null;
}

/** Every result column a chart refers to, with its path inside the chart. */
export function chartColumnRefs(chart: Chart): { column: string; path: PathSegment[] }[] {
  const refs: { column: string; path: PathSegment[] }[] = [];
  const add = (column: string | undefined, ...path: PathSegment[]) => {
    if (column !== undefined) refs.push({ column, path });
  };
  switch (chart.type) {
    case "bar":
    case "line":
    case "area":
    case "scatter":
      add(chart.x, "x");
      if (Array.isArray(chart.y)) chart.y.forEach((y, k) => add(y, "y", k));
      else add(chart.y, "y");
      add(chart.color, "color");
      if (chart.type === "scatter") add(chart.size, "size");
      if (chart.sort && chart.sort.by !== "x" && chart.sort.by !== "y") add(chart.sort.by, "sort", "by");
      chart.layers?.forEach((layer, l) => {
        if (Array.isArray(layer.y)) layer.y.forEach((y, k) => add(y, "layers", l, "y", k));
        else add(layer.y, "layers", l, "y");
      });
      break;
    case "pie":
    case "spark_bar":
      add(chart.x, "x");
      add(chart.y, "y");
      if (chart.sort && chart.sort.by !== "x" && chart.sort.by !== "y") add(chart.sort.by, "sort", "by");
      break;
    case "histogram":
      add(chart.x, "x");
      add(chart.color, "color");
      break;
    case "heatmap":
      add(chart.x, "x");
      add(chart.y, "y");
      add(chart.color, "color");
      break;
    case "kpi":
      add(chart.value, "value");
      add(chart.compare, "compare");
      break;
    case "table":
      chart.columns?.forEach((col, k) => add(col, "columns", k));
      if (chart.sort) add(chart.sort.by, "sort", "by");
      for (const key of Object.keys(chart.format ?? {})) add(key, "format", key);
      break;
    case "text":
      break;
  }
  if ("multiples" in chart && chart.multiples) {
    add(chart.multiples.rows, "multiples", "rows");
    add(chart.multiples.columns, "multiples", "columns");
  }
  return refs;
}

/**
 * After a query ran: the chart's columns that its result does not have (so a chart can say
 * "no column revenu; did you mean revenue?" instead of drawing nothing). Paths are relative to
 * the chart.
 */
export function chartColumnErrors(chart: Chart, columns: readonly { name: string }[]): SpecError[] {
  const names = columns.map((c) => c.name);
  return chartColumnRefs(chart)
    .filter(({ column }) => !names.includes(column))
    .map(({ column, path }) =>
      specError(
        "unknown_reference",
        path,
        `The result has no column "${column}"`,
        names.length ? suggest(column, names, `Columns of the result: ${listOf(names)}.`) : "The query returned no columns.",
      ),
    );
}
