/**
 * The dashboard document schema (zod 4, strict objects everywhere): the single source of truth
 * for the YAML format described in docs/dashboards.md. Browser-safe.
 */
import * as z from "zod";
import { safeString } from "~/kernel/schemas";

/** Variable names: referenced in SQL as `{{name}}` (`__proto__` is refused: names become object keys). */
export const VARIABLE_NAME = /^(?!__proto__$)[a-z_][a-z0-9_]*$/;
/** Chart ids: referenced from the layout and in URLs. */
export const CHART_ID = /^[a-z][a-z0-9_-]*$/;
/** Query ids: referenced from charts and `options.query`; they are object keys, so they start with a letter. */
export const QUERY_ID = /^[a-z][a-z0-9_]*$/;
/** Output aliases of visual queries (rendered as quoted identifiers). */
export const ALIAS = /^[a-z_][a-z0-9_]*$/;
/** Tags: lowercase slugs. */
export const TAG = /^[a-z0-9][a-z0-9-]*$/;
/**
 * d3-format specifier (the grammar d3-format itself parses:
 * `[[fill]align][sign][symbol][0][width][,][.precision][~][type]`).
 */
export const D3_FORMAT = /^(?:(.)?([<>=^]))?([+\-( ])?([$#])?(0)?(\d+)?(,)?(\.\d+)?(~)?([a-z%])?$/i;

export const VARIABLE_TYPES = ["select", "multiselect", "daterange", "date", "text", "number", "checkbox"] as const;
export const DATE_PRESETS = ["last_7_days", "last_30_days", "last_90_days", "this_year"] as const;
export const CHART_TYPES = [
  "bar", "line", "area", "scatter", "pie", "kpi", "table", "text", "histogram", "heatmap", "spark_bar",
] as const;
export const VEGA_CHART_TYPES = ["bar", "line", "area", "scatter", "pie", "histogram", "heatmap", "spark_bar"] as const;
/** Marks a combo chart's layers may use. */
export const LAYER_TYPES = ["bar", "line", "area", "scatter"] as const;
/** Panels a small-multiples chart may draw (distinct values of its rows × columns). */
export const MAX_MULTIPLES = 36;
export const TRUNCATE_UNITS = ["hour", "day", "week", "month", "quarter", "year"] as const;
export const MEASURE_FNS = ["count", "sum", "avg", "min", "max", "count_distinct"] as const;
export const FILTER_OPS = [
  "eq", "neq", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "is_null", "not_null", "between",
] as const;
export const SORT_DIRS = ["asc", "desc"] as const;
export const MAX_VISUAL_LIMIT = 10_000;
export const DEFAULT_VISUAL_LIMIT = 1_000;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const text = (max: number) => safeString().max(max);
const d3Format = safeString().max(60).regex(D3_FORMAT, { message: "Not a d3-format specifier" });
const scalar = z.union([safeString().max(1000), z.number(), z.boolean()]);

// ---------------------------------------------------------------------------------------------
// Variables

const optionItem = z.union([
  safeString().max(500),
  z.number(),
  z.strictObject({ value: z.union([safeString().max(500), z.number()]), label: text(200).optional() }),
]);
/** Static options, or options from a query of this document (first column value, second label). */
export const variableOptionsSchema = z.union([
  z.array(optionItem).max(1000),
  z.strictObject({ query: safeString().regex(QUERY_ID) }),
]);

const variableCommon = {
  name: safeString().regex(VARIABLE_NAME).max(63),
  label: text(200).optional(),
  description: text(1000).optional(),
};

export const isoDate = safeString().regex(ISO_DATE, { message: "Not an ISO date (YYYY-MM-DD)" });
export const dateRangeValue = z.strictObject({ start: isoDate, end: isoDate });

export const variableSchema = z.discriminatedUnion("type", [
  z.strictObject({
    ...variableCommon,
    type: z.literal("select"),
    default: z.union([safeString().max(500), z.number()]).optional(),
    options: variableOptionsSchema.optional(),
  }),
  z.strictObject({
    ...variableCommon,
    type: z.literal("multiselect"),
    default: z.array(z.union([safeString().max(500), z.number()])).max(1000).optional(),
    options: variableOptionsSchema.optional(),
  }),
  z.strictObject({
    ...variableCommon,
    type: z.literal("daterange"),
    default: z.union([z.enum(DATE_PRESETS), dateRangeValue]).optional(),
  }),
  z.strictObject({
    ...variableCommon,
    type: z.literal("date"),
    default: isoDate.optional(),
  }),
  z.strictObject({
    ...variableCommon,
    type: z.literal("text"),
    default: text(1000).optional(),
    placeholder: text(200).optional(),
  }),
  z.strictObject({
    ...variableCommon,
    type: z.literal("number"),
    default: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    step: z.number().positive().optional(),
  }),
  z.strictObject({
    ...variableCommon,
    type: z.literal("checkbox"),
    default: z.boolean().optional(),
  }),
]);

// ---------------------------------------------------------------------------------------------
// Queries

export const visualDimensionSchema = z.strictObject({
  column: safeString().min(1).max(128),
  truncate: z.enum(TRUNCATE_UNITS).optional(),
  as: safeString().regex(ALIAS).max(63).optional(),
});
export const visualMeasureSchema = z.strictObject({
  fn: z.enum(MEASURE_FNS),
  column: safeString().min(1).max(128).optional(),
  as: safeString().regex(ALIAS).max(63).optional(),
});
export const visualFilterSchema = z.strictObject({
  column: safeString().min(1).max(128),
  op: z.enum(FILTER_OPS),
  value: z.union([scalar, z.null(), z.array(scalar).max(1000)]).optional(),
});
export const visualSortSchema = z.strictObject({
  by: safeString().min(1).max(128),
  dir: z.enum(SORT_DIRS).optional(),
});
export const visualQuerySchema = z.strictObject({
  table: safeString().min(1).max(260),
  dimensions: z.array(visualDimensionSchema).max(20).optional(),
  measures: z.array(visualMeasureSchema).max(20).optional(),
  filters: z.array(visualFilterSchema).max(50).optional(),
  sort: z.array(visualSortSchema).max(10).optional(),
  limit: z.number().int().min(1).max(MAX_VISUAL_LIMIT).optional(),
});

export const queryDefSchema = z.strictObject({
  description: text(1000).optional(),
  sql: safeString().min(1).max(100_000).optional(),
  visual: visualQuerySchema.optional(),
});

// ---------------------------------------------------------------------------------------------
// Charts

const chartCommon = {
  id: safeString().regex(CHART_ID).max(63),
  title: text(200).optional(),
  description: text(2000).optional(),
};
const column = safeString().min(1).max(128);
const chartSort = z.strictObject({ by: column, dir: z.enum(SORT_DIRS).optional() });
const xyFormat = z.strictObject({ x: safeString().max(60).optional(), y: d3Format.optional() });
/** Small multiples: one panel per distinct value of `rows` and/or `columns`. */
export const multiplesSchema = z.strictObject({
  rows: column.optional(),
  columns: column.optional(),
  scale: z.enum(["shared", "independent"]).optional(),
});
/** A combo chart's extra series: another mark over the same x. */
export const layerSchema = z.strictObject({
  type: z.enum(LAYER_TYPES),
  y: z.union([column, z.array(column).min(1).max(20)]),
  label: text(200).optional(),
});
const xyChart = <T extends string>(type: T) =>
  z.strictObject({
    ...chartCommon,
    type: z.literal(type),
    query: safeString().regex(QUERY_ID),
    x: column,
    y: z.union([column, z.array(column).min(1).max(20)]),
    color: column.optional(),
    sort: chartSort.optional(),
    format: xyFormat.optional(),
    height: z.number().int().min(80).max(2000).optional(),
    layers: z.array(layerSchema).min(1).max(10).optional(),
    multiples: multiplesSchema.optional(),
  });

export const chartSchema = z.discriminatedUnion("type", [
  xyChart("bar").extend({ stack: z.boolean().optional(), horizontal: z.boolean().optional() }),
  xyChart("line"),
  xyChart("area").extend({ stack: z.boolean().optional() }),
  xyChart("scatter").extend({ size: column.optional() }),
  z.strictObject({
    ...chartCommon,
    type: z.literal("pie"),
    query: safeString().regex(QUERY_ID),
    x: column,
    y: column,
    sort: chartSort.optional(),
    format: xyFormat.optional(),
    donut: z.boolean().optional(),
    height: z.number().int().min(80).max(2000).optional(),
  }),
  z.strictObject({
    ...chartCommon,
    type: z.literal("kpi"),
    query: safeString().regex(QUERY_ID),
    value: column,
    compare: column.optional(),
    format: z.strictObject({ value: d3Format.optional(), compare: d3Format.optional() }).optional(),
  }),
  z.strictObject({
    ...chartCommon,
    type: z.literal("table"),
    query: safeString().regex(QUERY_ID),
    columns: z.array(column).min(1).max(100).optional(),
    sort: chartSort.optional(),
    format: z.record(column, d3Format).optional(),
  }),
  z.strictObject({
    ...chartCommon,
    type: z.literal("text"),
    markdown: safeString().max(20_000),
  }),
  z.strictObject({
    ...chartCommon,
    type: z.literal("histogram"),
    query: safeString().regex(QUERY_ID),
    /** The numeric column whose values are binned (rows are counted per bin). */
    x: column,
    /** The most bins drawn (default 20). */
    bins: z.number().int().min(2).max(200).optional(),
    color: column.optional(),
    format: xyFormat.optional(),
    height: z.number().int().min(80).max(2000).optional(),
  }),
  z.strictObject({
    ...chartCommon,
    type: z.literal("heatmap"),
    query: safeString().regex(QUERY_ID),
    x: column,
    y: column,
    /** The value column: the cell's color. */
    color: column,
    format: z.strictObject({ color: d3Format.optional() }).optional(),
    height: z.number().int().min(80).max(2000).optional(),
    multiples: multiplesSchema.optional(),
  }),
  z.strictObject({
    ...chartCommon,
    type: z.literal("spark_bar"),
    query: safeString().regex(QUERY_ID),
    /** The label of each bar. */
    x: column,
    /** The bar's length (a number). */
    y: column,
    sort: chartSort.optional(),
    format: xyFormat.optional(),
    height: z.number().int().min(80).max(2000).optional(),
  }),
]);

// ---------------------------------------------------------------------------------------------
// Layout

const rowItem = z.strictObject({
  chart: safeString().regex(CHART_ID),
  width: z.number().int().min(1).max(12).optional(),
  height: z.number().int().min(1).max(24).optional(),
});
const rows = z.array(z.array(rowItem).min(1).max(12)).max(200);
const gridItem = z.strictObject({
  chart: safeString().regex(CHART_ID),
  x: z.number().int().min(0).max(11),
  y: z.number().int().min(0).max(1000),
  w: z.number().int().min(1).max(12),
  h: z.number().int().min(1).max(50),
});
const grid = z.array(gridItem).max(500);
const tab = z.strictObject({ title: safeString().min(1).max(100), rows: rows.optional(), grid: grid.optional() });

export const layoutSchema = z.strictObject({
  rows: rows.optional(),
  grid: grid.optional(),
  tabs: z.array(tab).min(1).max(30).optional(),
});

// ---------------------------------------------------------------------------------------------
// The document

export const dashboardSchema = z.strictObject({
  title: safeString().trim().min(1).max(200),
  description: text(20_000).optional(),
  tags: z.array(safeString().regex(TAG).max(40)).max(20).optional(),
  source: safeString().min(1).max(100).optional(),
  variables: z.array(variableSchema).max(50).optional(),
  queries: z.record(safeString().regex(QUERY_ID).max(63), queryDefSchema).optional(),
  charts: z.array(chartSchema).max(200).optional(),
  layout: layoutSchema.optional(),
});

export type Dashboard = z.infer<typeof dashboardSchema>;
export type Variable = z.infer<typeof variableSchema>;
export type VariableType = Variable["type"];
export type QueryDef = z.infer<typeof queryDefSchema>;
export type VisualQuery = z.infer<typeof visualQuerySchema>;
export type VisualDimension = z.infer<typeof visualDimensionSchema>;
export type VisualMeasure = z.infer<typeof visualMeasureSchema>;
export type VisualFilter = z.infer<typeof visualFilterSchema>;
export type Chart = z.infer<typeof chartSchema>;
export type ChartLayer = z.infer<typeof layerSchema>;
export type ChartMultiples = z.infer<typeof multiplesSchema>;
export type ChartType = Chart["type"];
export type Layout = z.infer<typeof layoutSchema>;
export type LayoutRowItem = z.infer<typeof rowItem>;
export type LayoutGridItem = z.infer<typeof gridItem>;
export type DateRange = z.infer<typeof dateRangeValue>;
export type DatePreset = (typeof DATE_PRESETS)[number];

/**
 * The document's structure as JSON Schema (draft 2020-12), e.g. to show AI agents what a valid
 * document looks like. Reference rules (chart → query, `{{var}}` → variable, …) are not in it:
 * parseDashboard checks those.
 */
export function dashboardJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(dashboardSchema) as Record<string, unknown>;
}
