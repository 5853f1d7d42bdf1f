/**
 * How a tool result shows in the panel: a table for rows ({ columns, rows }) or lists of
 * records ({ items: [...] } or [...]), a chart preview for an SVG, raw JSON otherwise.
 */

export interface Table {
  columns: string[];
  rows: unknown[][];
  /** Rows in the result (more than shown when it is long). */
  total: number;
}

export const MAX_ROWS = 20;

export function cell(value: unknown): string {
  if (value === null || value === undefined) return "∅";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A table when the result looks like one, else null. */
export function tableOf(data: unknown): Table | null {
  if (!data || typeof data !== "object") return null;
  const d = data as { columns?: unknown; rows?: unknown; items?: unknown };
  if (Array.isArray(d.columns) && Array.isArray(d.rows)) {
    const columns = d.columns.map((c) => (typeof c === "string" ? c : String((c as { name?: unknown })?.name ?? "")));
    const rows = (d.rows as unknown[]).map((r) => (Array.isArray(r) ? r : columns.map((c) => (r as Record<string, unknown>)?.[c])));
    return { columns, rows: rows.slice(0, MAX_ROWS), total: rows.length };
  }
  const list = Array.isArray(data) ? data : Array.isArray(d.items) ? d.items : null;
  if (list && list.length && list.every((item) => item && typeof item === "object" && !Array.isArray(item))) {
    const first = list[0] as Record<string, unknown>;
    const columns = Object.keys(first)
      .filter((k) => first[k] === null || typeof first[k] !== "object")
      .slice(0, 5);
    if (!columns.length) return null;
    return { columns, rows: list.slice(0, MAX_ROWS).map((item) => columns.map((c) => (item as Record<string, unknown>)[c])), total: list.length };
  }
  return null;
}

/** An SVG image in the result ({ svg, title }), for a chart preview. */
export function svgOf(data: unknown): { svg: string; title: string } | null {
  const d = data as { svg?: unknown; title?: unknown } | null;
  if (d && typeof d === "object" && typeof d.svg === "string" && /^\s*<svg[\s>]/i.test(d.svg)) return { svg: d.svg, title: typeof d.title === "string" ? d.title : "Chart" };
  return null;
}
