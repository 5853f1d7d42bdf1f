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
/** Fields made when several y columns are folded: the series' column name, its key, its value. */
export const SERIES_FIELD = "series";
const SERIES_KEY_FIELD = "series_key";
export const VALUE_FIELD = "value";

type XyChart = Extract<Chart, { type: "bar" | "line" | "area" | "scatter" }>;
type PieChart = Extract<Chart, { type: "pie" }>;
export type VegaChart = XyChart | PieChart;

export function isVegaChart(chart: Chart): chart is VegaChart {
  return chart.type === "bar" || chart.type === "line" || chart.type === "area" || chart.type === "scatter" || chart.type === "pie";
}

const ISO_DATE_VALUE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

type FieldType = "quantitative" | "temporal" | "nominal" | "ordinal";

/** How a column should be encoded: from its declared type, else from its values. */
export function columnKind(name: string, data: ChartData): "temporal" | "number" | "text" {
  const col = data.columns.find((c) => c.name === name);
  if (col?.type) {
    if (isTemporalType(col.type)) return "temporal";
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

/**
 * Columns a chart uses, under safe field names (`f0`, `f1`, …). Vega-Lite reads dots, brackets,
 * quotes and backslashes in field names as access-path syntax and builds tooltip expressions from
 * them, so result column names (which the dashboard's author controls) never reach a spec as
 * fields: only as titles, which Vega-Lite treats as plain text.
 */
class Fields {
  private readonly byColumn = new Map<string, string>();
  field(column: string): string {
    let f = this.byColumn.get(column);
    if (!f) {
      f = `f${this.byColumn.size}`;
      this.byColumn.set(column, f);
    }
    return f;
  }
  /** Inline rows with the used columns only: capped, numeric strings as numbers, dates as ISO. */
  rows(rows: Record<string, unknown>[], numeric: readonly string[]): Record<string, unknown>[] {
    const entries = [...this.byColumn];
    const numericSet = new Set(numeric);
    return rows.slice(0, MAX_CHART_ROWS).map((row) => {
      const out: Record<string, unknown> = {};
      for (const [column, f] of entries) {
        const v = row[column];
        out[f] = numericSet.has(column) ? toNumber(v) : v instanceof Date ? v.toISOString() : v;
      }
      return out;
    });
  }
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
  data = { columns: data?.columns ?? [], rows: data?.rows ?? [] };
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
  const fields = new Fields();
  const ys = Array.isArray(chart.y) ? chart.y : [chart.y];
  const folded = ys.length > 1;
  const xKind = columnKind(chart.x, data);
  const horizontal = chart.type === "bar" && chart.horizontal === true;
  const xType: FieldType =
    xKind === "temporal" ? "temporal" : xKind === "number" ? (chart.type === "bar" ? "ordinal" : "quantitative") : chart.type === "line" || chart.type === "area" ? "ordinal" : "nominal";
  const xFormat = chart.format?.x;
  const yFormat = chart.format?.y;
  const xField = fields.field(chart.x);
  const yFields = ys.map((y) => fields.field(y));

  const axis: Record<string, unknown> = {};
  if (xFormat) {
    axis.format = xFormat;
    if (xType === "temporal") axis.formatType = "time";
  }
  if (xType === "nominal" || xType === "ordinal") axis.labelLimit = 160;
  const x: Record<string, unknown> = { field: xField, type: xType, title: chart.x, ...(Object.keys(axis).length ? { axis } : {}) };
  const sort = xSort(chart, ys, folded, fields);
  if (sort !== undefined) x.sort = sort;

  const stack = "stack" in chart ? chart.stack : undefined;
  const y: Record<string, unknown> = {
    field: folded ? VALUE_FIELD : yFields[0]!,
    type: "quantitative",
    title: folded ? "" : ys[0]!,
    ...(yFormat ? { axis: { format: yFormat } } : {}),
    ...(stack === false || chart.type === "line" || chart.type === "scatter" ? { stack: null } : {}),
  };
  const encoding: Record<string, unknown> = horizontal ? { y: x, x: y } : { x, y };
  const colorField = folded ? SERIES_FIELD : chart.color !== undefined ? fields.field(chart.color) : undefined;
  const colorTitle = folded ? "" : (chart.color ?? "");
  if (colorField) {
    encoding.color = { field: colorField, type: "nominal", title: colorTitle };
    if (!folded && chart.type === "bar" && stack === false) encoding.xOffset = { field: colorField, title: colorTitle };
  }
  if (chart.type === "scatter" && chart.size) encoding.size = { field: fields.field(chart.size), type: "quantitative", title: chart.size };

  const tooltip: Record<string, unknown>[] = [
    { field: xField, type: xType, title: chart.x, ...(xFormat ? { format: xFormat, ...(xType === "temporal" ? { formatType: "time" } : {}) } : {}) },
  ];
  if (colorField) tooltip.push({ field: colorField, type: "nominal", title: folded ? "series" : colorTitle });
  tooltip.push({ field: folded ? VALUE_FIELD : yFields[0]!, type: "quantitative", title: folded ? "value" : ys[0]!, ...(yFormat ? { format: yFormat } : {}) });
  encoding.tooltip = tooltip;

  const sortColumn = chart.sort && ![chart.x, "x", "y", ...ys].includes(chart.sort.by) ? chart.sort.by : undefined;
  const numeric = [
    ...ys,
    ...(xKind === "number" ? [chart.x] : []),
    ...(chart.type === "scatter" && chart.size ? [chart.size] : []),
    ...(sortColumn !== undefined && columnKind(sortColumn, data) === "number" ? [sortColumn] : []),
  ];
  const mark =
    chart.type === "bar"
      ? { type: "bar", tooltip: true }
      : chart.type === "line"
        ? { type: "line", point: data.rows.length <= 60, tooltip: true }
        : chart.type === "area"
          ? { type: "area", line: true, opacity: 0.35, tooltip: true }
          : { type: "point", filled: true, tooltip: true };
  // Several y columns: fold them into (series key, value) rows, then name each series after its
  // column with a lookup in a small inline table (data, not an expression).
  const transform = folded
    ? [
        { fold: yFields, as: [SERIES_KEY_FIELD, VALUE_FIELD] },
        {
          lookup: SERIES_KEY_FIELD,
          from: { data: { values: yFields.map((f, i) => ({ key: f, name: ys[i] })) }, key: "key", fields: ["name"] },
          as: [SERIES_FIELD],
        },
      ]
    : undefined;
  return {
    ...base,
    data: { values: fields.rows(data.rows, numeric) },
    ...(transform ? { transform } : {}),
    mark,
    encoding,
  };
}

function xSort(chart: XyChart, ys: string[], folded: boolean, fields: Fields): unknown {
  const s = chart.sort;
  if (!s) return undefined;
  const desc = s.dir === "desc";
  if (s.by === "x" || s.by === chart.x) return desc ? "descending" : "ascending";
  if (s.by === "y" || (!folded && s.by === ys[0])) return desc ? "-y" : "y";
  if (folded && ys.includes(s.by)) return { op: "sum", field: VALUE_FIELD, order: desc ? "descending" : "ascending" };
  return { op: "sum", field: fields.field(s.by), order: desc ? "descending" : "ascending" };
}

function pieSpec(chart: PieChart, data: ChartData, base: VegaLiteSpec): VegaLiteSpec {
  const fields = new Fields();
  const xField = fields.field(chart.x);
  const yField = fields.field(chart.y);
  const format = chart.format?.y;
  const desc = chart.sort?.dir === "desc";
  const order = desc ? "descending" : "ascending";
  const byValue = chart.sort && (chart.sort.by === "y" || chart.sort.by === chart.y);
  const byLabel = !byValue && chart.sort && (chart.sort.by === "x" || chart.sort.by === chart.x);
  const color: Record<string, unknown> = { field: xField, type: "nominal", title: chart.x };
  if (byValue) color.sort = { field: yField, op: "sum", order };
  else if (byLabel) color.sort = order;
  const encoding: Record<string, unknown> = {
    theta: { field: yField, type: "quantitative", stack: true, title: chart.y },
    color,
    tooltip: [
      { field: xField, type: "nominal", title: chart.x },
      { field: yField, type: "quantitative", title: chart.y, ...(format ? { format } : {}) },
    ],
  };
  if (byValue) encoding.order = { field: yField, type: "quantitative", title: chart.y, sort: order };
  else if (byLabel) encoding.order = { field: xField, title: chart.x, sort: order };
  return {
    ...base,
    data: { values: fields.rows(data.rows, [chart.y]) },
    mark: { type: "arc", tooltip: true, ...(chart.donut ? { innerRadius: 50 } : {}) },
    encoding,
  };
}
