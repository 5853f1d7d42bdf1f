/**
 * Atrium → dbt Charts: a chart as a dbt Charts chart entry, a whole document as board YAML, and
 * a chart written into an existing board's YAML in place (comments and key order kept, through
 * the `yaml` Document API). What dbt Charts cannot express is reported, never dropped silently.
 * Browser-safe, pure.
 */
import { isMap, isSeq, parseDocument, type Document } from "yaml";
import { specError, type SpecError } from "../errors";
import type { Chart, Dashboard, LayoutGridItem, QueryDef, Variable } from "../schema";
import { newDashboardDoc } from "../stringify";
import { nameOfNumberFormat } from "./formats";

/** dbt Charts grid rows are this many Atrium grid units (60px each) high; the reader uses the same. */
export const GRID_ROW_UNITS = 3;

type Entry = Record<string, unknown>;

const fmt = (d3: string | undefined) => (d3 === undefined ? undefined : nameOfNumberFormat(d3));

function clean(entry: Entry): Entry {
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined));
}

/** One Atrium chart as a dbt Charts chart (without its id: the id is its key under `charts:`). */
export function chartToDbt(chart: Chart, problems: SpecError[] = []): Entry {
  const path = ["charts", chart.id];
  const heading = { title: chart.title, subtitle: chart.description };
  switch (chart.type) {
    case "text":
      return { type: "callout", message: chart.markdown };
    case "kpi":
      return clean({
        type: "kpi",
        query: chart.query,
        value: chart.value,
        label: chart.title,
        subtitle: chart.description,
        style: chart.format?.value ? { value: { format: fmt(chart.format.value) } } : undefined,
        support: chart.compare ? clean({ value: chart.compare, format: fmt(chart.format?.compare) }) : undefined,
      });
    case "table": {
      if (chart.columns) problems.push(specError("not_expressible", [...path, "columns"], "dbt Charts tables show every column of the query", "Select only these columns in the query."));
      const columns = chart.format ? Object.fromEntries(Object.entries(chart.format).map(([c, f]) => [c, { format: fmt(f) }])) : undefined;
      return clean({ type: "table", query: chart.query, ...heading, sort: chart.sort ? clean({ by: chart.sort.by, order: chart.sort.dir }) : undefined, style: columns ? { columns } : undefined });
    }
    case "pie":
      return clean({
        type: chart.donut ? "donut" : "pie",
        query: chart.query,
        ...heading,
        theta: chart.y,
        color: chart.x,
        sort: chart.sort ? clean({ by: chart.sort.by, order: chart.sort.dir }) : undefined,
        style: chart.format?.y ? { number_format: fmt(chart.format.y) } : undefined,
        height: chart.height,
      });
    case "histogram":
      if (chart.bins !== undefined) problems.push(specError("not_expressible", [...path, "bins"], "dbt Charts histograms choose their own bins", "Bin the values in SQL to fix the bins."));
      if (chart.format?.x) problems.push(specError("not_expressible", [...path, "format", "x"], "The x-axis format is not written to dbt Charts", "Set `style.axis_x.labels.format` in the board by hand."));
      return clean({ type: "histogram", query: chart.query, ...heading, x: chart.x, color: chart.color, style: chart.format?.y ? { number_format: fmt(chart.format.y) } : undefined, height: chart.height });
    case "heatmap":
      if (chart.format?.color) problems.push(specError("not_expressible", [...path, "format", "color"], "dbt Charts heatmaps have no value format", "Round the value in SQL."));
      return clean({ type: "heatmap", query: chart.query, ...heading, x: chart.x, y: chart.y, color: chart.color, multiples: chart.multiples, height: chart.height });
    case "spark_bar":
      // dbt Charts' spark_bar has the magnitude on x and the label on y.
      return clean({
        type: "spark_bar",
        query: chart.query,
        ...heading,
        x: chart.y,
        y: chart.x,
        sort: chart.sort ? clean({ by: chart.sort.by === "x" ? chart.x : chart.sort.by === "y" ? chart.y : chart.sort.by, order: chart.sort.dir }) : undefined,
        style: chart.format?.y ? { number_format: fmt(chart.format.y) } : undefined,
      });
    default: {
      if (chart.format?.x) problems.push(specError("not_expressible", [...path, "format", "x"], "The x-axis format is not written to dbt Charts", "Set `style.time_format` in the board by hand."));
      const style = clean({
        number_format: fmt(chart.format?.y),
        orientation: chart.type === "bar" && chart.horizontal !== undefined ? (chart.horizontal ? "horizontal" : "vertical") : undefined,
        stack: (chart.type === "bar" || chart.type === "area") && chart.stack !== undefined ? (chart.stack ? "zero" : "none") : undefined,
      });
      return clean({
        type: chart.type,
        query: chart.query,
        ...heading,
        x: chart.x,
        y: chart.y,
        color: chart.color,
        size: chart.type === "scatter" ? chart.size : undefined,
        sort: chart.sort ? clean({ by: chart.sort.by, order: chart.sort.dir }) : undefined,
        style: Object.keys(style).length ? style : undefined,
        layers: chart.layers?.map((l) => clean({ type: l.type, y: l.y, label: l.label })),
        multiples: chart.multiples,
        height: chart.height,
      });
    }
  }
}

function variableToDbt(v: Variable, problems: SpecError[]): Entry {
  const common = { label: v.label, notes: v.description };
  switch (v.type) {
    case "select":
    case "multiselect": {
      let options: Entry | undefined;
      if (Array.isArray(v.options)) {
        if (v.options.some((o) => typeof o === "object" && o.label !== undefined)) problems.push(specError("not_expressible", ["variables", v.name, "options"], "dbt Charts static options have no labels", "Give the options from a query with a label column."));
        options = { static: v.options.map((o) => (typeof o === "object" ? o.value : o)) };
      } else if (v.options) options = { query: v.options.query };
      return clean({ input: v.type, ...common, options, default: v.default });
    }
    case "daterange":
      return clean({ input: "daterange", ...common, default: v.default === undefined || typeof v.default === "string" ? v.default : [v.default.start, v.default.end] });
    case "number":
      return clean({ input: "number", ...common, default: v.default, min: v.min, max: v.max, step: v.step });
    case "text":
      return clean({ input: "text", ...common, default: v.default, placeholder: v.placeholder });
    default:
      return clean({ input: v.type, ...common, default: v.default });
  }
}

function queryToDbt(id: string, q: QueryDef, problems: SpecError[]): unknown {
  if (q.sql === undefined) {
    problems.push(specError("not_expressible", ["queries", id, "visual"], "Visual queries are not written to dbt Charts", "Open the query in the builder and copy its SQL into `sql:`."));
    return null;
  }
  return q.description ? { sql: q.sql, notes: q.description } : q.sql;
}

/** Atrium's layout (rows, grid or tabs) as grid items (rows are laid out top to bottom). */
function gridOf(rows: { chart: string; width?: number; height?: number }[][] | undefined, grid: LayoutGridItem[] | undefined, charts: Chart[]): LayoutGridItem[] {
  if (grid) return grid;
  const out: LayoutGridItem[] = [];
  let y = 0;
  for (const row of rows ?? []) {
    let x = 0;
    let h = 0;
    for (const item of row) {
      const w = item.width ?? Math.max(1, Math.floor(12 / row.length));
      const type = charts.find((c) => c.id === item.chart)?.type;
      const ih = item.height ?? (type === "kpi" || type === "text" ? 2 : 5);
      out.push({ chart: item.chart, x, y, w, h: ih });
      x += w;
      h = Math.max(h, ih);
    }
    y += h;
  }
  return out;
}

function gridToDbt(items: LayoutGridItem[]): Entry {
  return {
    columns: 12,
    items: items.map((i) => ({ item: i.chart, col: i.x, row: i.y / GRID_ROW_UNITS, width: i.w, height: i.h / GRID_ROW_UNITS })),
  };
}

export interface WriteResult {
  /** The board as dbt Charts YAML. */
  text: string;
  /** What dbt Charts cannot express (left out of the text). */
  problems: SpecError[];
}

/**
 * A whole Atrium document as a dbt Charts board. `sourceNames` maps Atrium data source ids back
 * to the board's source names.
 */
export function writeDbtCharts(doc: Dashboard, sourceNames: Readonly<Record<string, string>> = {}): WriteResult {
  const problems: SpecError[] = [];
  const charts = doc.charts ?? [];
  const board: Entry = clean({
    title: doc.title,
    notes: doc.description,
    tags: doc.tags,
    source: doc.source === undefined ? undefined : (sourceNames[doc.source] ?? doc.source),
  });
  if (doc.variables?.length) board.variables = Object.fromEntries(doc.variables.map((v) => [v.name, variableToDbt(v, problems)]));
  if (doc.queries) {
    const queries = Object.entries(doc.queries)
      .map(([id, q]) => [id, queryToDbt(id, q, problems)] as const)
      .filter(([, q]) => q !== null);
    if (queries.length) board.queries = Object.fromEntries(queries);
  }
  if (charts.length) board.charts = Object.fromEntries(charts.map((c) => [c.id, chartToDbt(c, problems)]));
  const layout = doc.layout;
  if (layout?.tabs?.length) {
    board.tabs = { items: layout.tabs.map((t) => ({ title: t.title, grid: gridToDbt(gridOf(t.rows, t.grid, charts)) })) };
  } else if (layout?.grid || layout?.rows) {
    board.grid = gridToDbt(gridOf(layout.rows, layout.grid, charts));
  } else if (charts.length) {
    board.rows = charts.map((c) => c.id);
  }
  const out = parseDocument("");
  out.contents = out.createNode(board) as never;
  flowSmallLists(out);
  return { text: out.toString({ lineWidth: 0, blockQuote: "literal" }), problems };
}

/** Short lists and grid items on one line, as people write them. */
function flowSmallLists(doc: Document): void {
  const walk = (node: unknown, key: string | null) => {
    if (isSeq(node)) {
      const scalars = node.items.every((i) => !isMap(i) && !isSeq(i));
      if (scalars && node.items.length <= 8 && key !== "rows") node.flow = true;
      for (const item of node.items) {
        if (key === "items" && isMap(item) && item.has("item")) item.flow = true;
        walk(item, null);
      }
    } else if (isMap(node)) {
      for (const pair of node.items) walk(pair.value, String((pair.key as { value?: unknown })?.value ?? ""));
    }
  };
  walk(doc.contents, null);
}

/**
 * Writes a chart (and its query) into a dbt Charts board's YAML in place: the chart's entry under
 * `charts:` is replaced (or added, and placed at the end of the layout), everything else is kept
 * as written, comments included.
 */
export function withDbtChart(text: string, chart: Chart, queryId: string | null, query: QueryDef | null, previousId?: string): { text: string; problems: SpecError[] } {
  const problems: SpecError[] = [];
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(doc.errors[0]?.message ?? "The YAML does not parse.");
  if (queryId && query) {
    const q = queryToDbt(queryId, query, problems);
    if (q !== null) {
      if (!isMap(doc.getIn(["queries"]))) doc.setIn(["queries"], doc.createNode({}));
      doc.setIn(["queries", queryId], doc.createNode(q));
    }
  }
  const entry = chartToDbt(chart, problems);
  const charts = doc.getIn(["charts"]);
  if (!isMap(charts)) doc.setIn(["charts"], doc.createNode({}));
  const existed = isMap(charts) && charts.has(previousId ?? chart.id);
  const existing = existed ? charts.get(previousId ?? chart.id, true) : null;
  if (isMap(existing)) {
    // Keep the keys Atrium does not write (styles, links, …) and the comments on the entry.
    for (const [key, value] of Object.entries(entry)) existing.set(key, doc.createNode(value));
    const written = new Set(Object.keys(entry));
    for (const key of ["title", "subtitle", "label", "color", "size", "sort", "height", "support", "theta", "x", "y", "value", "message"]) {
      if (!written.has(key) && existing.has(key)) existing.delete(key);
    }
    if (previousId && previousId !== chart.id) {
      (charts as { delete(k: string): void }).delete(previousId);
      doc.setIn(["charts", chart.id], existing);
    }
  } else {
    doc.setIn(["charts", chart.id], doc.createNode(entry));
  }
  if (!existed) {
    const rows = doc.getIn(["rows"]);
    const grid = doc.getIn(["grid", "items"]);
    if (isSeq(rows)) rows.items.push(doc.createNode(chart.id));
    else if (isSeq(grid)) grid.items.push(doc.createNode({ item: chart.id, col: 0, row: grid.items.length, width: Number(doc.getIn(["grid", "columns"]) ?? 12) }));
    else if (!doc.has("cols") && !doc.has("tabs")) doc.set("rows", doc.createNode([chart.id]));
    else problems.push(specError("not_placed", ["charts", chart.id], "The new chart is not placed in the layout", "Add its name to `cols:` or a tab's rows."));
  } else if (previousId && previousId !== chart.id) {
    problems.push(...renameInLayout(doc, previousId, chart.id));
  }
  return { text: doc.toString({ lineWidth: 0 }), problems };
}

function renameInLayout(doc: Document, from: string, to: string): SpecError[] {
  const visit = (node: unknown) => {
    if (isSeq(node)) {
      node.items.forEach((item, i) => {
        if ((item as { value?: unknown })?.value === from) node.items[i] = doc.createNode(to);
        else visit(item);
      });
    } else if (isMap(node)) {
      for (const pair of node.items) {
        if ((pair.key as { value?: unknown })?.value === "item" && (pair.value as { value?: unknown })?.value === from) pair.value = doc.createNode(to);
        else visit(pair.value);
      }
    }
  };
  for (const key of ["rows", "cols", "grid", "tabs"]) visit(doc.get(key, true));
  return [];
}

/** The starter board of a new dbt Charts dashboard: Atrium's starter document as a board. */
export function newDbtBoardYaml(title: string): string {
  return writeDbtCharts(newDashboardDoc(title)).text;
}
