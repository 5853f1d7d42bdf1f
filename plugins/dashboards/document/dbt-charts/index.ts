/**
 * dbt Charts boards in Atrium: the reader (board YAML → Atrium document, with located errors),
 * the safe templating subset (templates → bound parameters; titles and text rendered as text)
 * and named number formats. Browser-safe, pure. Format notes: docs/dbt-charts.md.
 */
export { readDbtCharts, type DbtChartsResult } from "./read";
export { convertBoard, type ConvertOptions, type ConvertResult } from "./convert";
export {
  compileSqlTemplate,
  escapeMarkdown,
  hasTemplate,
  parseTemplateExpr,
  parseTextTemplate,
  renderTextTemplate,
  type TemplateVariable,
} from "./template";
export { NAMED_NUMBER_FORMATS, nameOfNumberFormat, resolveNumberFormat } from "./formats";
export { DBT_CHART_TYPES, DBT_INPUT_TYPES, dbtBoardSchema, type DbtBoard, type DbtChart, type DbtVariable } from "./schema";
export { BOARD_SOURCE_NAME, boardSourceNames } from "./sources";
export { GRID_ROW_UNITS, chartToDbt, newDbtBoardYaml, withDbtChart, writeDbtCharts, type WriteResult } from "./write";
