/**
 * Keys of the dbt Charts format that Atrium does not act on, each with what happens to it:
 * `refused` keys make the board fail to import (they change what the board shows or where its
 * data comes from), `kept` keys stay in the board's source (it is stored as written and exported
 * unchanged) but are not drawn by Atrium. Both are reported per key, with a hint. Browser-safe.
 */
import { specError, type PathSegment, type SpecError } from "../errors";

type Rule = { refused: boolean; code: string; hint: string };

const keep = (hint: string): Rule => ({ refused: false, code: "not_drawn", hint });
const refuse = (code: string, hint: string): Rule => ({ refused: true, code, hint });

const STYLE = keep("Atrium draws charts in its own theme; the key stays in the board's YAML.");

export const BOARD_RULES: Record<string, Rule> = {
  theme: STYLE,
  style: STYLE,
  id: keep("Atrium names the board by its slug."),
  width: STYLE,
  height: STYLE,
  card_gap: STYLE,
  chart_focus: keep("Atrium shows every chart; open one in full screen from its card."),
  details: keep("Atrium shows the section expanded."),
  cache: keep("Atrium caches query results by its own policy (Refresh runs them again)."),
  auto_link: keep("Atrium does not link table rows to detail pages."),
  aliases: keep("Atrium addresses the board by its slug."),
  html_policy: keep("Atrium always shows HTML in text as text."),
  visible: keep("The board is always shown."),
  extends: refuse("unsupported_key", "Atrium reads one board file: copy the inherited keys into this board."),
  sources: refuse("unsupported_key", "`sources:` belongs in dbt_charts.yml; map each source name to an Atrium data source on the project's dbt Charts sources page."),
};

export const VARIABLE_RULES: Record<string, Rule> = {
  required: keep("Atrium always runs with the default until a value is chosen."),
  allow_null: keep("Atrium variables may be empty; filter() then filters nothing."),
  visible: keep("Atrium shows every variable in the variable bar."),
  data_type: keep("Informational; Atrium types the value by its input."),
  placeholder: keep("Atrium shows the label."),
};

export const QUERY_RULES: Record<string, Rule> = {
  setup_sql: refuse("setup_sql", "Atrium runs one read-only statement per query: move the setup into a view, or a CTE of the query."),
  target: keep("Atrium runs against the mapped data source."),
  cache: keep("Atrium caches query results by its own policy."),
  ignore: keep("Atrium does not emit dbt Charts diagnostics."),
  filters: refuse("unsupported_key", "Filter in the SQL (WHERE …) instead of after the query."),
  pivot: refuse("unsupported_key", "Pivot in the SQL (GROUP BY with FILTER clauses) instead."),
  model: refuse("dbt_model_query", "Write the query as SQL over the model's table."),
  url: refuse("http_query", "Atrium queries databases only: load the API's data into a table and query it with SQL."),
  method: refuse("http_query", "Atrium queries databases only: load the API's data into a table and query it with SQL."),
  headers: refuse("http_query", "Atrium queries databases only: load the API's data into a table and query it with SQL."),
  params: refuse("http_query", "Atrium queries databases only: load the API's data into a table and query it with SQL."),
  body: refuse("http_query", "Atrium queries databases only: load the API's data into a table and query it with SQL."),
  json_path: refuse("http_query", "Atrium queries databases only: load the API's data into a table and query it with SQL."),
  schema: refuse("schema_query", "Query information_schema with SQL instead."),
  table: refuse("schema_query", "Query information_schema with SQL instead."),
  column: refuse("schema_query", "Query information_schema with SQL instead."),
  fields: refuse("schema_query", "Query information_schema with SQL instead."),
};

export const CHART_RULES: Record<string, Rule> = {
  id: keep("Atrium names the chart by its key under `charts:`."),
  aspect_ratio: keep("Atrium sizes charts by their layout cell (or `height`)."),
  min_height: keep("Atrium sizes charts by their layout cell (or `height`)."),
  max_height: keep("Atrium sizes charts by their layout cell (or `height`)."),
  x_label: keep("Atrium titles axes with the column names."),
  y_label: keep("Atrium titles axes with the column names."),
  link: keep("Atrium does not follow click-through links."),
  warnings_ignore: keep("Atrium does not emit dbt Charts diagnostics."),
  shape: STYLE,
  opacity: STYLE,
  stroke: STYLE,
  background: STYLE,
  variant: STYLE,
  total: keep("Atrium does not draw a center total in donuts."),
  conditional_formatting: refuse("unsupported_key", "Compute a status column in SQL and show it as a table column."),
  support_table: refuse("unsupported_key", "Add a table chart below with the same query."),
  y_start: refuse("unsupported_key", "Atrium bars start at zero: compute the difference in SQL."),
  geo: refuse("map_chart", "Atrium has no map shapes: show the values as a bar chart or a table."),
  geo_source: refuse("map_chart", "Atrium has no map shapes: show the values as a bar chart or a table."),
  lookup: refuse("map_chart", "Atrium has no map shapes: show the values as a bar chart or a table."),
  projection: refuse("map_chart", "Atrium has no map shapes: show the values as a bar chart or a table."),
  latitude: refuse("map_chart", "Atrium has no map shapes: show the points as a scatter of longitude and latitude."),
  longitude: refuse("map_chart", "Atrium has no map shapes: show the points as a scatter of longitude and latitude."),
  basemap: refuse("map_chart", "Atrium has no map shapes: show the values as a bar chart or a table."),
};

/** Reports the keys of `value` that a rule table names. */
export function applyRules(value: Record<string, unknown> | undefined, rules: Record<string, Rule>, path: PathSegment[], errors: SpecError[], notices: SpecError[]): void {
  if (!value) return;
  for (const key of Object.keys(value)) {
    const rule = Object.prototype.hasOwnProperty.call(rules, key) ? rules[key] : undefined;
    if (!rule || value[key] === undefined) continue;
    const e = specError(rule.code, [...path, key], rule.refused ? `\`${key}\` is not supported by Atrium` : `\`${key}\` is kept in the board but not drawn by Atrium`, rule.hint);
    (rule.refused ? errors : notices).push(e);
  }
}
