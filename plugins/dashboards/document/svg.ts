/**
 * Server-side SVG for every chart type (exports, MCP render_chart, previews). bar / line / area /
 * scatter / pie go through vega-lite `compile` and a headless vega View (renderer "none",
 * `toSVG()`); kpi, table and text are drawn here as small SVG documents. Everything that comes
 * from data is escaped. Node only: not exported from index.ts (it pulls in all of vega).
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { Chart } from "./schema";
import { chartToVegaLite, type ChartData, type ChartOptions } from "./vega";

/** Rows considered when rendering (a chart of more points is unreadable and slow). */
export const MAX_SVG_ROWS = 5000;
/** Table rows drawn in a table SVG. */
export const MAX_SVG_TABLE_ROWS = 50;
const DEFAULT_WIDTH = 640;
const DEFAULT_HEIGHT = 300;
const FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";

export type SvgOptions = ChartOptions;

// vega exports its d3-format locale at runtime, but its typings omit `defaultLocale`.
const numberLocale = () => (vega as unknown as { defaultLocale: () => { format: (spec: string) => (n: number) => string } }).defaultLocale();

const palette = (theme: "light" | "dark") =>
  theme === "dark"
    ? { bg: "#16181c", text: "#e6e6e6", muted: "#a0a4aa", line: "#3a3f45", up: "#7bd389", down: "#f28482", stripe: "#1d2025" }
    : { bg: "#ffffff", text: "#1f2328", muted: "#57606a", line: "#e5e7eb", up: "#1a7f37", down: "#cf222e", stripe: "#f6f8fa" };

/** Escapes text for SVG/XML content and attributes; drops characters XML cannot hold. */
export function escapeXml(value: string): string {
  return value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

export async function renderChartSvg(chart: Chart, data: ChartData, options: SvgOptions = {}): Promise<string> {
  const theme = options.theme ?? "light";
  const capped: ChartData = { columns: data?.columns ?? [], rows: (data?.rows ?? []).slice(0, MAX_SVG_ROWS) };
  switch (chart.type) {
    case "kpi":
      return kpiSvg(chart, capped, options.width ?? 320, options.height ?? 140, theme);
    case "table":
      return tableSvg(chart, capped, options.width, theme);
    case "text":
      return textSvg(chart, options.width ?? DEFAULT_WIDTH, theme);
    default: {
      const spec = chartToVegaLite(chart, capped, {
        width: options.width ?? DEFAULT_WIDTH,
        height: options.height ?? ("height" in chart && chart.height ? chart.height : DEFAULT_HEIGHT),
        theme,
      });
      if (!spec) throw new Error(`Chart type ${chart.type} has no Vega-Lite form`);
      const view = new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), { renderer: "none" });
      try {
        return await view.toSVG();
      } finally {
        view.finalize();
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting

function toNumber(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** A value as text: d3-format for numbers when a specifier is given, ISO for dates, JSON for objects. */
export function formatValue(value: unknown, spec?: string): string {
  if (value === null || value === undefined) return "";
  const n = typeof value === "string" && !spec ? null : toNumber(value);
  if (n !== null) {
    try {
      return numberLocale().format(spec ?? ",.2~f")(n);
    } catch {
      return String(n);
    }
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function svgDocument(width: number, height: number, bg: string, body: string, label: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(label)}">` +
    `<rect width="${width}" height="${height}" fill="${bg}"/>${body}</svg>`
  );
}

function text(x: number, y: number, content: string, attrs: string): string {
  return `<text x="${x}" y="${y}" font-family="${FONT}" ${attrs}>${escapeXml(content)}</text>`;
}

// ---------------------------------------------------------------------------------------------
// kpi

function kpiSvg(chart: Extract<Chart, { type: "kpi" }>, data: ChartData, width: number, height: number, theme: "light" | "dark"): string {
  const c = palette(theme);
  const row = data.rows[0] ?? {};
  const value = row[chart.value];
  const title = chart.title ?? chart.value;
  // PostgreSQL sends numeric and bigint as text: a KPI still reads as a number by default.
  const valueFormat = chart.format?.value ?? (toNumber(value) !== null ? ",.2~f" : undefined);
  const compareFormat = chart.format?.compare ?? valueFormat;
  let body = text(16, 28, truncate(title, 60), `font-size="14" fill="${c.muted}"`);
  body += text(16, 76, value === undefined ? "–" : truncate(formatValue(value, valueFormat), 30), `font-size="36" font-weight="600" fill="${c.text}" class="kpi-value"`);
  if (chart.compare) {
    const now = toNumber(value);
    const before = toNumber(row[chart.compare]);
    if (now !== null && before !== null) {
      const delta = now - before;
      const pct = before !== 0 ? ` (${delta >= 0 ? "+" : ""}${formatValue(delta / Math.abs(before), ".1%")})` : "";
      const arrow = delta > 0 ? "▲" : delta < 0 ? "▼" : "■";
      const color = delta > 0 ? c.up : delta < 0 ? c.down : c.muted;
      const shown = formatValue(Math.abs(delta), compareFormat);
      body += text(16, 108, `${arrow} ${shown}${pct} vs ${formatValue(before, compareFormat)}`, `font-size="13" fill="${color}" class="kpi-compare"`);
    }
  }
  return svgDocument(width, height, c.bg, body, `${title}: ${formatValue(value, valueFormat)}`);
}

// ---------------------------------------------------------------------------------------------
// table

function tableSvg(chart: Extract<Chart, { type: "table" }>, data: ChartData, requestedWidth: number | undefined, theme: "light" | "dark"): string {
  const c = palette(theme);
  const names = chart.columns ?? (data.columns.length ? data.columns.map((col) => col.name) : Object.keys(data.rows[0] ?? {}));
  const rows = sortRows(data.rows, chart.sort).slice(0, MAX_SVG_TABLE_ROWS);
  const cells = rows.map((r) => names.map((n) => truncate(formatValue(r[n], chart.format?.[n]), 40)));
  const charWidth = 7;
  const widths = names.map((n, i) => Math.min(300, Math.max(48, charWidth * Math.max(truncate(n, 40).length, ...cells.map((row) => row[i]!.length)) + 16)));
  const natural = widths.reduce((a, b) => a + b, 0);
  const width = requestedWidth ?? Math.max(200, natural);
  const rowHeight = 24;
  const top = chart.title ? 32 : 0;
  const more = data.rows.length > rows.length ? 1 : 0;
  const height = top + rowHeight * (rows.length + 1 + more) + 8;
  let body = chart.title ? text(8, 22, truncate(chart.title, 80), `font-size="14" font-weight="600" fill="${c.text}"`) : "";
  const numeric = names.map((n) => rows.length > 0 && rows.every((r) => r[n] === null || r[n] === undefined || toNumber(r[n]) !== null));
  const columnX: number[] = [];
  let x = 0;
  for (const w of widths) {
    columnX.push(x);
    x += w;
  }
  const cell = (i: number, y: number, content: string, attrs: string) =>
    numeric[i] ? text(columnX[i]! + widths[i]! - 8, y, content, `text-anchor="end" ${attrs}`) : text(columnX[i]! + 8, y, content, attrs);
  body += `<g class="table-header">${names.map((n, i) => cell(i, top + 16, truncate(n, 40), `font-size="12" font-weight="600" fill="${c.text}"`)).join("")}</g>`;
  body += `<line x1="0" x2="${width}" y1="${top + rowHeight}" y2="${top + rowHeight}" stroke="${c.line}"/>`;
  cells.forEach((row, r) => {
    const y = top + rowHeight * (r + 1);
    if (r % 2 === 1) body += `<rect x="0" y="${y}" width="${width}" height="${rowHeight}" fill="${c.stripe}"/>`;
    body += `<g class="table-row">${row.map((v, i) => cell(i, y + 16, v, `font-size="12" fill="${c.text}"`)).join("")}</g>`;
  });
  if (more) {
    body += text(8, top + rowHeight * (rows.length + 1) + 16, `… ${data.rows.length - rows.length} more rows`, `font-size="12" fill="${c.muted}"`);
  }
  return svgDocument(width, height, c.bg, body, chart.title ?? "Table");
}

/** Rows ordered by one column: numbers numerically, everything else as text; nulls last. */
function sortRows(rows: Record<string, unknown>[], sort: { by: string; dir?: "asc" | "desc" } | undefined): Record<string, unknown>[] {
  if (!sort) return rows;
  const sign = sort.dir === "desc" ? -1 : 1;
  const numeric = rows.every((r) => r[sort.by] === null || r[sort.by] === undefined || toNumber(r[sort.by]) !== null);
  return [...rows].sort((a, b) => {
    const x = a[sort.by];
    const y = b[sort.by];
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
    if (y === null || y === undefined) return -1;
    return sign * (numeric ? toNumber(x)! - toNumber(y)! : String(x).localeCompare(String(y)));
  });
}

// ---------------------------------------------------------------------------------------------
// text (markdown, drawn as plain wrapped lines; headings larger)

function stripInline(line: string): string {
  return line
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|__)(.*?)\1/g, "$2")
    .replace(/(\*|_)(.*?)\1/g, "$2")
    .replace(/`([^`]*)`/g, "$1");
}

function wrap(line: string, max: number): string[] {
  if (line.length <= max) return [line];
  const out: string[] = [];
  let cur = "";
  for (const word of line.split(/\s+/)) {
    if (cur && (cur + " " + word).length > max) {
      out.push(cur);
      cur = word;
    } else {
      cur = cur ? `${cur} ${word}` : word;
    }
    while (cur.length > max) {
      out.push(cur.slice(0, max));
      cur = cur.slice(max);
    }
  }
  if (cur) out.push(cur);
  return out;
}

function textSvg(chart: Extract<Chart, { type: "text" }>, width: number, theme: "light" | "dark"): string {
  const c = palette(theme);
  const maxChars = Math.max(20, Math.floor((width - 32) / 7.5));
  const lines: { text: string; size: number; weight: string }[] = [];
  if (chart.title) lines.push({ text: chart.title, size: 16, weight: "600" });
  for (const raw of chart.markdown.split("\n").slice(0, 200)) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(raw);
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(raw);
    const content = stripInline(heading ? heading[2]! : bullet ? `• ${bullet[1]!}` : raw.trim());
    const size = heading ? Math.max(13, 20 - heading[1]!.length * 2) : 13;
    for (const part of wrap(content, maxChars)) lines.push({ text: part, size, weight: heading ? "600" : "400" });
  }
  let y = 12;
  let body = "";
  for (const line of lines) {
    y += line.size + 8;
    if (line.text) body += text(16, y, line.text, `font-size="${line.size}" font-weight="${line.weight}" fill="${c.text}"`);
  }
  return svgDocument(width, y + 16, c.bg, body, chart.title ?? "Text");
}
