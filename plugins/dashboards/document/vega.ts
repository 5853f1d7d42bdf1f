/**
 * Chart → Vega-Lite v6 spec with inline data. bar / line / area / scatter (with combo `layers`
 * and small `multiples`), pie, histogram, heatmap, spark_bar; kpi, table and text are not
 * Vega-Lite charts (chartToVegaLite returns null; the UI renders those itself and
 * svg.ts draws them for exports). Browser-safe: plain objects only.
 */
import { MAX_MULTIPLES, type Chart, type ChartLayer, type ChartMultiples } from "./schema";
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
type HistogramChart = Extract<Chart, { type: "histogram" }>;
type HeatmapChart = Extract<Chart, { type: "heatmap" }>;
type SparkBarChart = Extract<Chart, { type: "spark_bar" }>;
export type VegaChart = XyChart | PieChart | HistogramChart | HeatmapChart | SparkBarChart;

const VEGA_TYPES: ReadonlySet<Chart["type"]> = new Set(["bar", "line", "area", "scatter", "pie", "histogram", "heatmap", "spark_bar"]);
export function isVegaChart(chart: Chart): chart is VegaChart {
  return VEGA_TYPES.has(chart.type);
}
/** Default bins of a histogram. */
export const DEFAULT_HISTOGRAM_BINS = 20;

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
  switch (chart.type) {
    case "pie":
      return pieSpec(chart, data, base);
    case "histogram":
      return histogramSpec(chart, data, base);
    case "heatmap":
      return facet(chart.multiples, heatmapSpec(chart), data, base, options);
    case "spark_bar":
      return sparkBarSpec(chart, data, base);
    default:
      return xySpec(chart, data, base, options);
  }
}

/** A unit or layered spec's parts (no data, no size): what a facet repeats. */
interface Body {
  fields: Fields;
  numeric: string[];
  parts: Record<string, unknown>;
}

/** The spec of a body: inline data, or one panel per distinct value of `multiples`' columns. */
function facet(multiples: ChartMultiples | undefined, body: Body, data: ChartData, base: VegaLiteSpec, options: ChartOptions): VegaLiteSpec {
  if (!multiples || (multiples.rows === undefined && multiples.columns === undefined)) {
    return { ...base, data: { values: body.fields.rows(data.rows, body.numeric) }, ...body.parts };
  }
  const distinct = (column: string | undefined) => (column === undefined ? 1 : Math.max(1, Math.min(MAX_MULTIPLES, new Set(data.rows.map((r) => String(r[column]))).size)));
  const facetOf = (column: string | undefined) => (column === undefined ? undefined : { field: body.fields.field(column), type: "nominal", title: column });
  const row = facetOf(multiples.rows);
  const column = facetOf(multiples.columns);
  const cols = distinct(multiples.columns);
  const rowsN = distinct(multiples.rows);
  const totalWidth = typeof options.width === "number" ? options.width : 640;
  const totalHeight = typeof base.height === "number" ? base.height : DEFAULT_CHART_HEIGHT;
  const width = Math.max(60, Math.floor((totalWidth - 60) / cols) - 12);
  const height = Math.max(60, Math.floor((totalHeight - 40) / Math.min(rowsN, 4)) - 12);
  const { width: _w, height: _h, autosize: _a, ...rest } = base;
  void _w;
  void _h;
  void _a;
  return {
    ...rest,
    data: { values: body.fields.rows(data.rows, body.numeric) },
    facet: { ...(row ? { row } : {}), ...(column ? { column } : {}) },
    spec: { width, height, ...body.parts },
    ...(multiples.scale === "independent" ? { resolve: { scale: { y: "independent" } } } : {}),
  };
}

function xySpec(chart: XyChart, data: ChartData, base: VegaLiteSpec, options: ChartOptions): VegaLiteSpec {
  const fields = new Fields();
  const layers = chart.layers ?? [];
  const main = xyLayer(chart, data, fields, layers.length ? (Array.isArray(chart.y) ? undefined : chart.y) : undefined);
  if (!layers.length) return facet(chart.multiples, { fields, numeric: main.numeric, parts: main.parts }, data, base, options);
  const extra = layers.map((layer) => xyLayer(layerChart(chart, layer), data, fields, Array.isArray(layer.y) ? undefined : (layer.label ?? layer.y), main.xType));
  const numeric = [...new Set([...main.numeric, ...extra.flatMap((l) => l.numeric)])];
  return facet(chart.multiples, { fields, numeric, parts: { layer: [main.parts, ...extra.map((l) => l.parts)] } }, data, base, options);
}

/** A combo chart's layer as a chart of its own over the same x (its sort and formats). */
function layerChart(chart: XyChart, layer: ChartLayer): XyChart {
  return {
    id: chart.id,
    type: layer.type,
    query: chart.query,
    x: chart.x,
    y: layer.y,
    ...(chart.sort ? { sort: chart.sort } : {}),
    ...(chart.format ? { format: chart.format } : {}),
  } as XyChart;
}

function histogramSpec(chart: HistogramChart, data: ChartData, base: VegaLiteSpec): VegaLiteSpec {
  const fields = new Fields();
  const x = fields.field(chart.x);
  const color = chart.color !== undefined ? fields.field(chart.color) : undefined;
  const xFormat = chart.format?.x;
  const yFormat = chart.format?.y;
  const bin = { maxbins: chart.bins ?? DEFAULT_HISTOGRAM_BINS };
  return {
    ...base,
    data: { values: fields.rows(data.rows, [chart.x]) },
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: { field: x, bin, type: "quantitative", title: chart.x, ...(xFormat ? { axis: { format: xFormat } } : {}) },
      y: { aggregate: "count", type: "quantitative", title: "count", ...(yFormat ? { axis: { format: yFormat } } : {}) },
      ...(color ? { color: { field: color, type: "nominal", title: chart.color } } : {}),
      tooltip: [
        { field: x, bin, type: "quantitative", title: chart.x, ...(xFormat ? { format: xFormat } : {}) },
        { aggregate: "count", type: "quantitative", title: "count" },
        ...(color ? [{ field: color, type: "nominal", title: chart.color }] : []),
      ],
    },
  };
}

function heatmapSpec(chart: HeatmapChart): Body {
  const fields = new Fields();
  const x = fields.field(chart.x);
  const y = fields.field(chart.y);
  const value = fields.field(chart.color);
  const format = chart.format?.color;
  return {
    fields,
    numeric: [chart.color],
    parts: {
      mark: { type: "rect", tooltip: true },
      encoding: {
        x: { field: x, type: "ordinal", title: chart.x, axis: { labelLimit: 160 } },
        y: { field: y, type: "ordinal", title: chart.y, axis: { labelLimit: 160 } },
        color: { field: value, type: "quantitative", title: chart.color, ...(format ? { legend: { format } } : {}) },
        tooltip: [
          { field: x, type: "ordinal", title: chart.x },
          { field: y, type: "ordinal", title: chart.y },
          { field: value, type: "quantitative", title: chart.color, ...(format ? { format } : {}) },
        ],
      },
    },
  };
}

/** Compact horizontal bars: the label beside each bar, no value axis. */
function sparkBarSpec(chart: SparkBarChart, data: ChartData, base: VegaLiteSpec): VegaLiteSpec {
  const fields = new Fields();
  const label = fields.field(chart.x);
  const value = fields.field(chart.y);
  const format = chart.format?.y;
  const desc = chart.sort?.dir === "desc";
  const byLabel = chart.sort && (chart.sort.by === "x" || chart.sort.by === chart.x);
  const sort = !chart.sort ? null : byLabel ? (desc ? "descending" : "ascending") : desc ? "-x" : "x";
  return {
    ...base,
    data: { values: fields.rows(data.rows, [chart.y]) },
    mark: { type: "bar", tooltip: true, cornerRadiusEnd: 2 },
    encoding: {
      y: { field: label, type: "nominal", title: null, sort, axis: { domain: false, ticks: false, labelLimit: 160 } },
      x: { field: value, type: "quantitative", title: null, axis: null },
      tooltip: [
        { field: label, type: "nominal", title: chart.x },
        { field: value, type: "quantitative", title: chart.y, ...(format ? { format } : {}) },
      ],
    },
  };
}

/**
 * One xy mark: its encoding (fields from the shared `fields`) and the columns read as numbers.
 * `legend` names the series when the chart is a combo (a constant color per layer).
 */
function xyLayer(chart: XyChart, data: ChartData, fields: Fields, legend?: string, sharedXType?: FieldType): { parts: Record<string, unknown>; numeric: string[]; xType: FieldType } {
  const ys = Array.isArray(chart.y) ? chart.y : [chart.y];
  const folded = ys.length > 1;
  const xKind = columnKind(chart.x, data);
  const horizontal = chart.type === "bar" && chart.horizontal === true;
  const xType: FieldType = sharedXType ??
    (xKind === "temporal" ? "temporal" : xKind === "number" ? (chart.type === "bar" ? "ordinal" : "quantitative") : chart.type === "line" || chart.type === "area" ? "ordinal" : "nominal");
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
  } else if (legend !== undefined) encoding.color = { datum: legend, type: "nominal", title: "" };
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
  return { parts: { ...(transform ? { transform } : {}), mark, encoding }, numeric, xType };
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
