/**
 * Chart → Vega-Lite v6 spec with inline data. bar / line / area / scatter / pie; kpi, table and
 * text are not Vega-Lite charts (chartToVegaLite returns null; the UI renders those itself and
 * svg.ts draws them for exports). Browser-safe: plain objects only.
 */
import type { Chart } from "./schema";
import { isNumericType, isTemporalType, type ColumnInfo } from "./visual";

export interface ChartData {
  columns: ColumnInfo[];
  rows: Record<string, unknown>[];
}
export interface ChartOptions {
  width?: number;
  height?: number;
  theme?: "light" | "dark";
}
/** A Vega-Lite top-level spec (kept loose here; vega-lite's `compile` checks it). */
export type VegaLiteSpec = Record<string, unknown> & { $schema: string };

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
/** Rows beyond this are not inlined into a spec (charts of more points are unreadable anyway). */
export const MAX_CHART_ROWS = 5000;
export const DEFAULT_CHART_HEIGHT = 260;
/** Field name of the series after folding several y columns. */
export const SERIES_FIELD = "series";
export const VALUE_FIELD = "value";

type XyChart = Extract<Chart, { type: "bar" | "line" | "area" | "scatter" }>;
type PieChart = Extract<Chart, { type: "pie" }>;
export type VegaChart = XyChart | PieChart;

export function isVegaChart(chart: Chart): chart is VegaChart {
  return chart.type === "bar" || chart.type === "line" || chart.type === "area" || chart.type === "scatter" || chart.type === "pie";
}

const ISO_DATE_VALUE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Vega-Lite reads "." and "[" in field names as nested access: escape them. */
export function fieldRef(name: string): string {
  return name.replace(/[\\.[\]]/g, (c) => `\\${c}`);
}

type FieldType = "quantitative" | "temporal" | "nominal" | "ordinal";

/** How a column should be encoded: from its declared type, else from its values. */
export function columnKind(name: string, data: ChartData): "temporal" | "number" | "text" {
  const col = data.columns.find((c) => c.name === name);
  if (col?.type) {
    if (isTemporalType(col.type) && !/^time\b/i.test(col.type)) return "temporal";
    if (isNumericType(col.type)) return "number";
  }
  const sample = data.rows.slice(0, 50).map((r) => r[name]).filter((v) => v !== null && v !== undefined && v !== "");
  if (!sample.length) return "text";
  if (sample.every((v) => v instanceof Date || (typeof v === "string" && ISO_DATE_VALUE.test(v)))) return "temporal";
  if (sample.every((v) => typeof v === "number" || (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))))) return "number";
  return "text";
}

function toNumber(v: unknown): unknown {
  if (typeof v === "number" || v === null || v === undefined) return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return v;
}

/** Inline rows: capped, numeric strings (pg numeric/bigint) as numbers, dates as ISO strings. */
function prepareRows(rows: Record<string, unknown>[], numeric: string[], temporal: string[]): Record<string, unknown>[] {
  return rows.slice(0, MAX_CHART_ROWS).map((row) => {
    const out: Record<string, unknown> = { ...row };
    for (const f of numeric) out[f] = toNumber(row[f]);
    for (const f of temporal) {
      const v = row[f];
      if (v instanceof Date) out[f] = v.toISOString();
    }
    return out;
  });
}

function themeConfig(theme: "light" | "dark"): Record<string, unknown> {
  const dark = theme === "dark";
  const text = dark ? "#e6e6e6" : "#1f2328";
  const muted = dark ? "#a0a4aa" : "#57606a";
  const grid = dark ? "#3a3f45" : "#e5e7eb";
  return {
    background: dark ? "#16181c" : "#ffffff",
    font: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
    view: { stroke: null },
    axis: { labelColor: muted, titleColor: text, gridColor: grid, domainColor: grid, tickColor: grid, labelFontSize: 11, titleFontSize: 12 },
    legend: { labelColor: muted, titleColor: text, labelFontSize: 11, titleFontSize: 12 },
    title: { color: text, fontSize: 14 },
    range: {
      category: dark
        ? ["#6ea8fe", "#f7b267", "#7bd389", "#f28482", "#b79ced", "#84dcc6", "#f4a261", "#e9c46a", "#a5b4fc", "#fda4af"]
        : ["#1f6feb", "#d97706", "#1a7f37", "#cf222e", "#8250df", "#0a7ea4", "#bc4c00", "#9a6700", "#4c51bf", "#bf3989"],
    },
    arc: { stroke: dark ? "#16181c" : "#ffffff" },
  };
}

/**
 * A Vega-Lite v6 spec for a bar / line / area / scatter / pie chart with the rows inlined, or
 * null for kpi / table / text charts (not Vega-Lite; render them directly).
 */
export function chartToVegaLite(chart: Chart, data: ChartData, options: ChartOptions = {}): VegaLiteSpec | null {
  if (!isVegaChart(chart)) return null;
  const theme = options.theme ?? "light";
  const height = options.height ?? ("height" in chart && chart.height ? chart.height : DEFAULT_CHART_HEIGHT);
  const base: VegaLiteSpec = {
    $schema: VEGA_LITE_SCHEMA,
    ...(chart.title ? { title: chart.title } : {}),
    width: options.width ?? "container",
    height,
    autosize: { type: "fit", contains: "padding" },
    config: themeConfig(theme),
  };
  return chart.type === "pie" ? pieSpec(chart, data, base) : xySpec(chart, data, base);
}

function xySpec(chart: XyChart, data: ChartData, base: VegaLiteSpec): VegaLiteSpec {
  const ys = Array.isArray(chart.y) ? chart.y : [chart.y];
  const folded = ys.length > 1;
  const xKind = columnKind(chart.x, data);
  const horizontal = chart.type === "bar" && chart.horizontal === true;
  const xType: FieldType =
    xKind === "temporal" ? "temporal" : xKind === "number" ? (chart.type === "bar" ? "ordinal" : "quantitative") : chart.type === "line" || chart.type === "area" ? "ordinal" : "nominal";
  const xFormat = chart.format?.x;
  const yFormat = chart.format?.y;
  const yTitle = folded ? null : ys[0]!;

  const axis: Record<string, unknown> = {};
  if (xFormat) {
    axis.format = xFormat;
    if (xType === "temporal") axis.formatType = "time";
  }
  if (xType === "nominal" || xType === "ordinal") axis.labelLimit = 160;
  const x: Record<string, unknown> = { field: fieldRef(chart.x), type: xType, title: chart.x, ...(Object.keys(axis).length ? { axis } : {}) };
  const sort = xSort(chart, ys, folded);
  if (sort !== undefined) x.sort = sort;

  const stack = "stack" in chart ? chart.stack : undefined;
  const y: Record<string, unknown> = {
    field: folded ? VALUE_FIELD : fieldRef(ys[0]!),
    type: "quantitative",
    title: yTitle,
    ...(yFormat ? { axis: { format: yFormat } } : {}),
    ...(stack === false || chart.type === "line" || chart.type === "scatter" ? { stack: null } : {}),
  };
  const seriesField = folded ? SERIES_FIELD : chart.color;
  const encoding: Record<string, unknown> = horizontal ? { y: x, x: y } : { x, y };
  if (seriesField) {
    encoding.color = { field: folded ? SERIES_FIELD : fieldRef(seriesField), type: "nominal", title: folded ? null : seriesField };
    if (!folded && chart.type === "bar" && stack === false) encoding.xOffset = { field: fieldRef(seriesField) };
  }
  if (chart.type === "scatter" && chart.size) encoding.size = { field: fieldRef(chart.size), type: "quantitative", title: chart.size };

  const tooltip: Record<string, unknown>[] = [
    { field: fieldRef(chart.x), type: xType, title: chart.x, ...(xFormat ? { format: xFormat, ...(xType === "temporal" ? { formatType: "time" } : {}) } : {}) },
  ];
  if (seriesField) tooltip.push({ field: folded ? SERIES_FIELD : fieldRef(seriesField), type: "nominal", title: folded ? "series" : seriesField });
  tooltip.push({ field: folded ? VALUE_FIELD : fieldRef(ys[0]!), type: "quantitative", title: folded ? "value" : ys[0]!, ...(yFormat ? { format: yFormat } : {}) });
  encoding.tooltip = tooltip;

  const numeric = [...ys, ...(xKind === "number" ? [chart.x] : []), ...(chart.type === "scatter" && chart.size ? [chart.size] : [])];
  const mark =
    chart.type === "bar"
      ? { type: "bar", tooltip: true }
      : chart.type === "line"
        ? { type: "line", point: data.rows.length <= 60, tooltip: true }
        : chart.type === "area"
          ? { type: "area", line: true, opacity: 0.35, tooltip: true }
          : { type: "point", filled: true, tooltip: true };
  return {
    ...base,
    data: { values: prepareRows(data.rows, numeric, xKind === "temporal" ? [chart.x] : []) },
    ...(folded ? { transform: [{ fold: ys.map(fieldRef), as: [SERIES_FIELD, VALUE_FIELD] }] } : {}),
    mark,
    encoding,
  };
}

function xSort(chart: XyChart, ys: string[], folded: boolean): unknown {
  const s = chart.sort;
  if (!s) return undefined;
  const desc = s.dir === "desc";
  if (s.by === "x" || s.by === chart.x) return desc ? "descending" : "ascending";
  if (s.by === "y" || (!folded && s.by === ys[0])) return desc ? "-y" : "y";
  if (folded && ys.includes(s.by)) return { op: "sum", field: VALUE_FIELD, order: desc ? "descending" : "ascending" };
  return { op: "sum", field: fieldRef(s.by), order: desc ? "descending" : "ascending" };
}

function pieSpec(chart: PieChart, data: ChartData, base: VegaLiteSpec): VegaLiteSpec {
  const format = chart.format?.y;
  const desc = chart.sort?.dir === "desc";
  const byValue = chart.sort && (chart.sort.by === "y" || chart.sort.by === chart.y);
  const byLabel = chart.sort && (chart.sort.by === "x" || chart.sort.by === chart.x);
  const color: Record<string, unknown> = { field: fieldRef(chart.x), type: "nominal", title: chart.x };
  if (byValue) color.sort = { field: fieldRef(chart.y), op: "sum", order: desc ? "descending" : "ascending" };
  else if (byLabel) color.sort = desc ? "descending" : "ascending";
  return {
    ...base,
    data: { values: prepareRows(data.rows, [chart.y], []) },
    mark: { type: "arc", tooltip: true, ...(chart.donut ? { innerRadius: 50 } : {}) },
    encoding: {
      theta: { field: fieldRef(chart.y), type: "quantitative", stack: true },
      color,
      ...(byValue || byLabel ? { order: byValue ? { field: fieldRef(chart.y), type: "quantitative", sort: desc ? "descending" : "ascending" } : { field: fieldRef(chart.x), sort: desc ? "descending" : "ascending" } } : {}),
      tooltip: [
        { field: fieldRef(chart.x), type: "nominal", title: chart.x },
        { field: fieldRef(chart.y), type: "quantitative", title: chart.y, ...(format ? { format } : {}) },
      ],
    },
  };
}
