/**
 * The dbt Charts board format as Atrium reads it (zod 4, strict objects: an unknown key is an
 * error with a suggestion, as in dbt Charts itself). Keys the format has but Atrium does not
 * act on are accepted here; `rules.ts` says which of them are refused and which are kept in the
 * source without being drawn. Browser-safe.
 */
import * as z from "zod";
import { safeString } from "~/kernel/schemas";

const text = (max: number) => safeString().max(max);
const any = z.unknown().optional();
const name = safeString().min(1).max(128);
const scalar = z.union([safeString().max(1000), z.number(), z.boolean(), z.null()]);

export const DBT_INPUT_TYPES = [
  "auto", "select", "multiselect", "input", "text", "textarea", "number", "slider", "range", "date", "datepicker", "daterange", "checkbox", "radio",
] as const;

export const DBT_CHART_TYPES = [
  "bar", "line", "area", "scatter", "pie", "donut", "kpi", "table", "histogram", "heatmap", "callout", "spark_bar",
  "geoshape", "map", "point_map", "bubble_map",
] as const;

// ---------------------------------------------------------------------------------------------
// Variables

const optionsSchema = z.strictObject({
  static: z.array(z.union([safeString().max(500), z.number(), z.boolean()])).max(1000).optional(),
  query: name.optional(),
  column: name.optional(),
  label_column: name.optional(),
});

export const dbtVariableSchema = z.strictObject({
  input: z.enum(DBT_INPUT_TYPES).optional(),
  label: text(200).optional(),
  notes: text(2000).optional(),
  description: text(2000).optional(),
  default: z.union([scalar, z.array(scalar).max(1000), z.record(safeString().max(20), scalar)]).optional(),
  placeholder: text(200).optional(),
  required: any,
  allow_null: any,
  visible: any,
  disabled: any,
  enabled: any,
  data_type: any,
  min: z.number().optional(),
  max: z.number().optional(),
  step: z.number().positive().optional(),
  operator: text(20).optional(),
  options: optionsSchema.optional(),
  column: name.optional(),
  query: name.optional(),
});

// ---------------------------------------------------------------------------------------------
// Queries

export const dbtQueryObjectSchema = z.strictObject({
  type: z.enum(["sql", "values", "http", "schema"]).optional(),
  sql: safeString().min(1).max(100_000).optional(),
  source: name.optional(),
  notes: text(2000).optional(),
  limit: z.number().int().min(1).max(100_000).optional(),
  columns: z.array(name).min(1).max(200).optional(),
  values: z.array(z.array(scalar).max(200)).max(5000).optional(),
  rows: z.array(z.record(name, scalar)).max(5000).optional(),
  // Kept or refused by rules.ts:
  setup_sql: any,
  target: any,
  cache: any,
  filters: any,
  pivot: any,
  ignore: any,
  model: any,
  url: any,
  method: any,
  headers: any,
  params: any,
  body: any,
  json_path: any,
  schema: any,
  table: any,
  column: any,
  fields: any,
});
export const dbtQuerySchema = z.union([safeString().min(1).max(100_000), dbtQueryObjectSchema]);

// ---------------------------------------------------------------------------------------------
// Charts

const sortSchema = z.strictObject({ by: name, order: z.enum(["asc", "desc"]).optional() });
const formatSlot = z.strictObject({ format: text(60).optional() }).loose();

export const dbtChartStyleSchema = z
  .strictObject({
    number_format: text(60).optional(),
    orientation: z.enum(["horizontal", "vertical"]).optional(),
    stack: z.union([z.enum(["zero", "none", "normalize", "center"]), z.boolean()]).optional(),
    inner_radius: z.number().min(0).max(1).optional(),
    tone: z.enum(["info", "negative", "warning", "positive"]).optional(),
    value: formatSlot.optional(),
    columns: z.record(name, z.strictObject({ label: text(200).optional(), format: text(60).optional(), visible: z.boolean().optional() }).loose()).optional(),
  })
  .catchall(z.unknown());

const layerSchema = z.strictObject({
  type: z.enum(["bar", "line", "area", "scatter"]),
  y: z.union([name, z.array(name).min(1).max(20)]),
  x: name.optional(),
  label: text(200).optional(),
  color: name.optional(),
  query: any,
  axis_y: any,
  style: any,
});

const supportSchema = z.strictObject({
  value: name,
  label: text(200).optional(),
  format: text(60).optional(),
  glyph: any,
  tone: any,
});

export const dbtChartSchema = z.strictObject({
  type: z.enum(DBT_CHART_TYPES),
  id: any,
  query: z.union([safeString().min(1).max(100_000), dbtQueryObjectSchema]).optional(),
  title: text(200).optional(),
  subtitle: text(500).optional(),
  notes: text(2000).optional(),
  x: name.optional(),
  y: z.union([name, z.array(name).min(1).max(20)]).optional(),
  color: z.union([name, z.record(safeString().max(20), z.unknown())]).optional(),
  size: name.optional(),
  theta: name.optional(),
  value: name.optional(),
  label: text(200).optional(),
  support: supportSchema.optional(),
  message: text(5000).optional(),
  sort: sortSchema.optional(),
  style: dbtChartStyleSchema.optional(),
  layers: z.array(layerSchema).min(1).max(10).optional(),
  multiples: z.strictObject({ rows: name.optional(), columns: name.optional(), scale: z.enum(["shared", "independent"]).optional() }).optional(),
  height: z.number().min(40).max(4000).optional(),
  total: any,
  // Kept or refused by rules.ts:
  aspect_ratio: any,
  min_height: any,
  max_height: any,
  x_label: any,
  y_label: any,
  link: any,
  warnings_ignore: any,
  conditional_formatting: any,
  support_table: any,
  y_start: any,
  shape: any,
  opacity: any,
  stroke: any,
  geo: any,
  geo_source: any,
  lookup: any,
  projection: any,
  latitude: any,
  longitude: any,
  basemap: any,
  background: any,
  variant: any,
});

// ---------------------------------------------------------------------------------------------
// The board

/** Layout nodes are checked by the converter (they nest freely); here they are any value. */
const layoutNode = z.unknown();

export const dbtBoardSchema = z.strictObject({
  title: text(200).optional(),
  notes: text(20_000).optional(),
  tags: z.array(safeString().max(40)).max(20).optional(),
  source: name.optional(),
  text: text(50_000).optional(),
  variables: z.record(safeString().max(63), dbtVariableSchema).optional(),
  queries: z.record(safeString().max(63), dbtQuerySchema).optional(),
  charts: z.record(safeString().max(63), dbtChartSchema).optional(),
  rows: layoutNode.optional(),
  cols: layoutNode.optional(),
  grid: layoutNode.optional(),
  tabs: layoutNode.optional(),
  // Kept or refused by rules.ts:
  theme: any,
  style: any,
  id: any,
  width: any,
  height: any,
  card_gap: any,
  chart_focus: any,
  details: any,
  cache: any,
  extends: any,
  auto_link: any,
  aliases: any,
  html_policy: any,
  visible: any,
  sources: any,
});

export type DbtBoard = z.infer<typeof dbtBoardSchema>;
export type DbtVariable = z.infer<typeof dbtVariableSchema>;
export type DbtQuery = z.infer<typeof dbtQuerySchema>;
export type DbtQueryObject = z.infer<typeof dbtQueryObjectSchema>;
export type DbtChart = z.infer<typeof dbtChartSchema>;
export type DbtChartType = DbtChart["type"];
