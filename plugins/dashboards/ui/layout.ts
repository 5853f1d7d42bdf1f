/**
 * The pure half of a dashboard document in the browser: the layout as sections of rows and
 * variable values in the address. No YAML parser here, so the dashboard view's first load
 * stays small (the view gets the document already read; see ../ui.ts `prepare`).
 */
import type { Dashboard, LayoutRowItem, Variable } from "../document/schema";

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
