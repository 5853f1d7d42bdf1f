/**
 * Reading and rewriting dashboard documents in the browser without the validator: the view
 * reads a stored document (validated by the server when it was saved) with the `yaml` parser
 * alone, and edits (layout, charts, queries) go through `yaml`'s Document API so comments and
 * key order survive.
 */
import { parse, parseDocument, isMap, isSeq, type Document } from "yaml";
import type { Chart, Dashboard, LayoutRowItem, QueryDef, Variable } from "../document/schema";

export type { Chart, Dashboard, QueryDef, Variable };

/** A stored document, read leniently (the server validated it on save). */
export function readDashboard(text: string): Dashboard {
  const value: unknown = parse(text);
  if (!value || typeof value !== "object" || Array.isArray(value)) return { title: "Untitled" };
  return value as Dashboard;
}

/** A block of the view: a tab title and rows of cells (rows layout), or grid cells. */
export interface Cell {
  chart: string;
  width: number;
  x?: number;
  y?: number;
  h?: number;
}
export interface Section {
  title: string | null;
  rows: Cell[][];
  grid: boolean;
}

function rowsOf(rows: readonly (readonly LayoutRowItem[])[] | undefined): Cell[][] {
  return (rows ?? []).map((row) => row.map((item) => ({ chart: item.chart, width: item.width ?? Math.max(1, Math.floor(12 / row.length)) })));
}

function gridRows(grid: readonly { chart: string; x: number; y: number; w: number; h: number }[]): Cell[][] {
  const sorted = [...grid].sort((a, b) => a.y - b.y || a.x - b.x);
  const byY = new Map<number, Cell[]>();
  for (const item of sorted) {
    const list = byY.get(item.y) ?? [];
    list.push({ chart: item.chart, width: item.w, x: item.x, y: item.y, h: item.h });
    byY.set(item.y, list);
  }
  return [...byY.values()];
}

/** The layout as sections of rows; charts the layout leaves out follow, full width. */
export function sectionsOf(doc: Dashboard): Section[] {
  const layout = doc.layout;
  const sections: Section[] = [];
  if (layout?.tabs?.length) {
    for (const tab of layout.tabs) sections.push({ title: tab.title, rows: tab.grid ? gridRows(tab.grid) : rowsOf(tab.rows), grid: !!tab.grid });
  } else if (layout?.grid) {
    sections.push({ title: null, rows: gridRows(layout.grid), grid: true });
  } else {
    sections.push({ title: null, rows: rowsOf(layout?.rows), grid: false });
  }
  const placed = new Set(sections.flatMap((s) => s.rows.flat().map((c) => c.chart)));
  const rest = (doc.charts ?? []).filter((c) => !placed.has(c.id));
  if (rest.length && sections[0]) sections[0].rows.push(...rest.map((c) => [{ chart: c.id, width: 12 }]));
  return sections;
}

/** The rows layout the visual layout editor works on (a grid or tabs layout is flattened). */
export function layoutRows(doc: Dashboard): Cell[][] {
  if (doc.layout?.rows && !doc.layout.tabs && !doc.layout.grid) return sectionsOf(doc)[0]?.rows ?? [];
  return sectionsOf(doc).flatMap((s) => s.rows.map((row) => row.map((c) => ({ chart: c.chart, width: c.width }))));
}

/** A layout row as one flow line. */
function flowRow(doc: Document, row: unknown) {
  const node = doc.createNode(row);
  if (isSeq(node)) node.flow = true;
  return node;
}

function edit(text: string, change: (doc: Document) => void): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(doc.errors[0]?.message ?? "The YAML does not parse.");
  change(doc);
  return doc.toString({ lineWidth: 0 });
}

/** Replaces the layout with these rows (`layout: { rows: ... }`). */
export function withLayoutRows(text: string, rows: Cell[][]): string {
  return edit(text, (doc) => {
    const layout = doc.createNode({ rows: rows.filter((r) => r.length).map((row) => row.map((c) => ({ chart: c.chart, width: c.width }))) });
    // One line per row: `- [{ chart: a, width: 8 }, { chart: b, width: 4 }]`.
    const list = layout.get("rows");
    if (isSeq(list)) for (const row of list.items) if (isSeq(row)) row.flow = true;
    doc.setIn(["layout"], layout);
  });
}

/**
 * Adds or replaces a chart (by id) and its query (by the chart's `query`), and puts a new chart
 * in the layout as a row of its own.
 */
export function withChart(text: string, chart: Chart, queryId: string | null, query: QueryDef | null, previousId?: string): string {
  return edit(text, (doc) => {
    if (queryId && query) {
      if (!isMap(doc.getIn(["queries"]))) doc.setIn(["queries"], doc.createNode({}));
      doc.setIn(["queries", queryId], doc.createNode(query));
    }
    const charts = doc.getIn(["charts"]);
    const node = doc.createNode(chart);
    const findIndex = (id: string) => (isSeq(charts) ? charts.items.findIndex((item) => isMap(item) && item.get("id") === id) : -1);
    const existing = findIndex(previousId ?? chart.id);
    if (isSeq(charts) && existing >= 0) {
      charts.items[existing] = node;
    } else if (isSeq(charts)) {
      charts.items.push(node);
    } else {
      doc.setIn(["charts"], doc.createNode([chart]));
    }
    if (existing < 0) {
      const layout = doc.getIn(["layout"]);
      if (!layout) {
        doc.setIn(["layout"], doc.createNode({ rows: [] }));
        (doc.getIn(["layout", "rows"]) as { items: unknown[] }).items.push(flowRow(doc, [{ chart: chart.id, width: 12 }]));
      } else if (isSeq(doc.getIn(["layout", "rows"]))) {
        (doc.getIn(["layout", "rows"]) as { items: unknown[] }).items.push(flowRow(doc, [{ chart: chart.id, width: 12 }]));
      } else if (isSeq(doc.getIn(["layout", "grid"]))) {
        const grid = readDashboard(text).layout?.grid ?? [];
        const y = grid.reduce((max, g) => Math.max(max, g.y + g.h), 0);
        (doc.getIn(["layout", "grid"]) as { items: unknown[] }).items.push(doc.createNode({ chart: chart.id, x: 0, y, w: 12, h: 4 }));
      } else if (isSeq(doc.getIn(["layout", "tabs"]))) {
        const first = doc.getIn(["layout", "tabs", 0, "rows"]);
        if (isSeq(first)) first.items.push(flowRow(doc, [{ chart: chart.id, width: 12 }]));
      }
    } else if (previousId && previousId !== chart.id) {
      doc.setIn(["layout"], doc.createNode(JSON.parse(JSON.stringify(readDashboard(text).layout ?? {}).replaceAll(`"chart":"${previousId}"`, `"chart":"${chart.id}"`))));
    }
  });
}

/* Variable values in the address: `?var.region=EMEA&var.period=2026-01-01..2026-03-31`. */

export const VAR_PREFIX = "var.";

export function encodeValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(",");
  if (value && typeof value === "object" && "start" in value && "end" in value) {
    const range = value as { start: unknown; end: unknown };
    return `${String(range.start)}..${String(range.end)}`;
  }
  return String(value);
}

export function decodeValue(variable: Variable, raw: string): unknown {
  switch (variable.type) {
    case "multiselect":
      return raw === "" ? [] : raw.split(",");
    case "daterange": {
      const [start, end] = raw.split("..");
      return end === undefined ? raw : { start, end };
    }
    case "number":
      return raw === "" ? undefined : Number(raw);
    case "checkbox":
      return raw === "true";
    default:
      return raw;
  }
}

/** The variable values the address gives. */
export function valuesFromQuery(variables: readonly Variable[], query: Record<string, string | string[] | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const variable of variables) {
    const raw = query[`${VAR_PREFIX}${variable.name}`];
    const text = Array.isArray(raw) ? raw[0] : raw;
    if (text === undefined) continue;
    const value = decodeValue(variable, text);
    if (value !== undefined) out[variable.name] = value;
  }
  return out;
}

/* The chart builder's "Switch to SQL" */

function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `array[${value.map(sqlLiteral).join(", ")}]`;
  return `'${String(value).replaceAll("'", "''")}'`;
}

/** Compiled SQL with its `$n` literals written in, as a person would write it in the YAML. */
export function inlineParameters(sql: string, parameters: readonly unknown[]): string {
  return sql.replace(/\$(\d+)/g, (whole, n: string) => {
    const index = Number(n) - 1;
    return index >= 0 && index < parameters.length ? sqlLiteral(parameters[index]) : whole;
  });
}
