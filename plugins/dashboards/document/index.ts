/**
 * The dashboard document: schema, parsing with located errors, canonical YAML, variable binding,
 * visual query compilation and chart → Vega-Lite. Browser-safe (no node imports): the editor and
 * chart builder use it live, the server uses it to validate and run. Format reference:
 * docs/dashboards.md; decisions: docs/decisions/013-dashboard-document.md.
 *
 * SVG rendering (node only) lives in ./svg.ts and is not exported from here.
 */
export {
  ALIAS,
  CHART_ID,
  CHART_TYPES,
  DATE_PRESETS,
  DEFAULT_VISUAL_LIMIT,
  FILTER_OPS,
  MAX_VISUAL_LIMIT,
  MEASURE_FNS,
  QUERY_ID,
  SORT_DIRS,
  TRUNCATE_UNITS,
  VARIABLE_NAME,
  VARIABLE_TYPES,
  VEGA_CHART_TYPES,
  chartSchema,
  dashboardJsonSchema,
  layoutSchema,
  queryDefSchema,
  variableSchema,
  visualQuerySchema,
  type Chart,
  type ChartType,
  type Dashboard,
  type DatePreset,
  type DateRange,
  type Layout,
  type LayoutGridItem,
  type LayoutRowItem,
  type QueryDef,
  type Variable,
  type VariableType,
  type VisualDimension,
  type VisualFilter,
  type VisualMeasure,
  type VisualQuery,
} from "./schema";
export { editDistance, nearest, type SpecError } from "./errors";
export { MAX_DOCUMENT_CHARS, dashboardSchema, issuesToErrors, parseDashboard, validateDashboardValue, type ParseResult } from "./parse";
export { newDashboardDoc, newDashboardYaml, stringifyDashboard } from "./stringify";
export {
  bindVariables,
  coerceVariableValue,
  isIsoDate,
  resolveDatePreset,
  resolveVariableValues,
  validateVariableValues,
  type BindResult,
  type VariableValue,
} from "./variables";
export {
  compileVisual,
  isNumericType,
  isTemporalType,
  type ColumnInfo,
  type CompileResult,
  type TableInfo,
} from "./visual";
export {
  MAX_CHART_ROWS,
  VEGA_LITE_SCHEMA,
  chartToVegaLite,
  columnKind,
  isVegaChart,
  type ChartData,
  type ChartOptions,
  type VegaChart,
  type VegaLiteSpec,
} from "./vega";
export { scanSql, type Placeholder, type SqlScan } from "./sql-scan";
export { dimensionAlias, measureAlias, visualOutputColumns } from "./aliases";
export { chartColumnErrors, chartColumnRefs } from "./references";
export { prepareQuery, usedQueryIds, variableOptionList, type PreparedQuery, type VariableOption } from "./prepare";
export { FULL_EXAMPLE_YAML } from "./examples";
export { BOARD_FORMATS, looksLikeDbtCharts, parseBoard, type BoardFormat, type BoardParseResult } from "./board-format";
export { BOARD_SOURCE_NAME, boardSourceNames } from "./dbt-charts/sources";
