/**
 * dbt Charts charts (a named map) → Atrium charts. Browser-safe, pure.
 */
import { specError, type PathSegment } from "../errors";
import type { Chart, ChartLayer } from "../schema";
import type { ConvertContext } from "./convert";
import { resolveNumberFormat } from "./formats";
import { applyRules, CHART_RULES } from "./rules";
import type { DbtChart } from "./schema";

const KNOWN_STYLE = new Set(["number_format", "orientation", "stack", "inner_radius", "tone", "value", "columns"]);

export function convertChart(id: string, chart: DbtChart, path: PathSegment[], ctx: ConvertContext): Chart | null {
  const { errors, notices } = ctx;
  applyRules(chart as Record<string, unknown>, CHART_RULES, path, errors, notices);
  const style = chart.style ?? {};
  for (const key of Object.keys(style)) {
    if (!KNOWN_STYLE.has(key)) notices.push(specError("not_drawn", [...path, "style", key], `\`style.${key}\` is kept in the board but not drawn by Atrium`, "Atrium draws charts in its own theme; the key stays in the board's YAML."));
  }
  ctx.checkText(chart.title, [...path, "title"]);
  ctx.checkText(chart.subtitle, [...path, "subtitle"]);
  ctx.checkText(chart.label, [...path, "label"]);
  ctx.checkText(chart.message, [...path, "message"]);

  const fail = (code: string, at: PathSegment[], message: string, hint: string): null => {
    errors.push(specError(code, at, message, hint));
    return null;
  };
  const format = (value: string | undefined, at: PathSegment[]): string | undefined | null => {
    if (value === undefined) return undefined;
    const r = resolveNumberFormat(value);
    if (r.ok) return r.d3;
    errors.push(specError("invalid_value", at, r.message, r.hint));
    return null;
  };
  const require = (key: "x" | "y" | "value" | "theta" | "color" | "message") => {
    if (chart[key] === undefined) errors.push(specError("missing", [...path, key], `A ${chart.type} chart needs \`${key}:\``, `Add \`${key}:\` naming a column of the query.`));
    return chart[key] !== undefined;
  };
  if (typeof chart.color === "object") return fail("unsupported_key", [...path, "color"], "A color mapping is not supported by Atrium", "Name a column (`color: segment`); Atrium picks the colors.");
  const color = chart.color as string | undefined;

  const common = {
    id,
    ...(chart.title ? { title: chart.title } : {}),
    ...((chart.subtitle ?? chart.notes) ? { description: chart.subtitle ?? chart.notes } : {}),
  };
  if (chart.subtitle && chart.notes) notices.push(specError("not_drawn", [...path, "notes"], "`notes` is kept in the board but not drawn by Atrium", "Atrium shows the subtitle under the title."));
  if (chart.type === "callout") {
    if (!require("message")) return null;
    if (style.tone) notices.push(specError("not_drawn", [...path, "style", "tone"], "`style.tone` is kept in the board but not drawn by Atrium", "Atrium shows the message as text."));
    return { id, type: "text", markdown: chart.title ? `**${chart.title}**\n\n${chart.message}` : chart.message! };
  }
  if (["geoshape", "map", "point_map", "bubble_map"].includes(chart.type)) {
    return fail("map_chart", [...path, "type"], `${chart.type} charts are not supported by Atrium`, "Atrium has no map shapes: show the values as a bar chart or a table.");
  }
  const cartesian = ["bar", "line", "area", "scatter"].includes(chart.type);
  if (chart.layers !== undefined && !cartesian) return fail("invalid_value", [...path, "layers"], `\`layers\` applies to bar, line, area and scatter charts, not ${chart.type}`, "Remove it.");
  if (chart.multiples !== undefined && !cartesian && chart.type !== "heatmap") return fail("invalid_value", [...path, "multiples"], `\`multiples\` applies to bar, line, area, scatter and heatmap charts, not ${chart.type}`, "Remove it.");
  if (chart.multiples && chart.multiples.rows === undefined && chart.multiples.columns === undefined) return fail("missing", [...path, "multiples"], "`multiples` needs `rows` or `columns`", "Name the column with one panel per value.");
  const multiples = chart.multiples ? { multiples: { ...chart.multiples } } : {};
  const layers: ChartLayer[] = [];
  for (const [i, layer] of (chart.layers ?? []).entries()) {
    const at = [...path, "layers", i];
    if (layer.query !== undefined) return fail("unsupported_key", [...at, "query"], "A layer reading its own query is not supported by Atrium", "Select the layer's column in the chart's query.");
    if (layer.color !== undefined) return fail("unsupported_key", [...at, "color"], "A layer split by color is not supported by Atrium", "List the series in the layer's `y:`.");
    if (layer.x !== undefined && layer.x !== chart.x) return fail("invalid_value", [...at, "x"], "A layer's x must be the chart's x", `Remove it (the chart's x is \`${chart.x ?? ""}\`).`);
    for (const key of ["axis_y", "style"] as const) {
      if (layer[key] !== undefined) notices.push(specError("not_drawn", [...at, key], `\`${key}\` of a layer is kept in the board but not drawn by Atrium`, "Layers share the chart's value axis."));
    }
    ctx.checkText(layer.label, [...at, "label"]);
    layers.push({ type: layer.type, y: layer.y, ...(layer.label !== undefined ? { label: layer.label } : {}) });
  }
  if (layers.length && color !== undefined) return fail("unsupported_key", [...path, "color"], "A combo chart split by color is not supported by Atrium", "Remove `color:`; each layer gets its own color.");
  if (layers.length && style.orientation === "horizontal") return fail("unsupported_key", [...path, "style", "orientation"], "A horizontal combo chart is not supported by Atrium", "Remove `orientation: horizontal`.");
  if (chart.query === undefined) return fail("missing", [...path, "query"], `A ${chart.type} chart needs \`query:\``, "Name a query of the board, or write its SQL.");
  const query = ctx.inlineQuery(chart.query, `${id}_query`, [...path, "query"]);
  if (!query) return null;
  const sort = chart.sort ? { sort: { by: chart.sort.by, ...(chart.sort.order ? { dir: chart.sort.order } : {}) } } : {};
  const height = chart.height !== undefined ? { height: Math.min(2000, Math.max(80, Math.round(chart.height))) } : {};

  switch (chart.type) {
    case "kpi": {
      if (!require("value")) return null;
      const value = format(style.value?.format as string | undefined, [...path, "style", "value", "format"]);
      const compare = format(chart.support?.format, [...path, "support", "format"]);
      if (value === null || compare === null) return null;
      if (chart.support?.label) notices.push(specError("not_drawn", [...path, "support", "label"], "`support.label` is kept in the board but not drawn by Atrium", "Atrium labels the support value with its column name."));
      for (const key of ["glyph", "tone"] as const) {
        if (chart.support?.[key] !== undefined) notices.push(specError("not_drawn", [...path, "support", key], `\`support.${key}\` is kept in the board but not drawn by Atrium`, "Atrium draws the support value plainly."));
      }
      return {
        id,
        type: "kpi",
        ...((chart.label ?? chart.title) ? { title: chart.label ?? chart.title } : {}),
        ...(common.description ? { description: common.description } : {}),
        query,
        value: chart.value!,
        ...(chart.support ? { compare: chart.support.value } : {}),
        ...(value || compare ? { format: { ...(value ? { value } : {}), ...(compare ? { compare } : {}) } } : {}),
      };
    }
    case "table": {
      const columns = style.columns ?? {};
      const formats: Record<string, string> = {};
      for (const [column, c] of Object.entries(columns)) {
        if (c.visible === false) return fail("unsupported_key", [...path, "style", "columns", column, "visible"], "Hiding a column is not supported by Atrium", "Leave the column out of the query's SELECT.");
        if (c.label !== undefined) notices.push(specError("not_drawn", [...path, "style", "columns", column, "label"], "Column labels are kept in the board but not drawn by Atrium", "Rename the column in SQL (AS \"Amount\") to change its header."));
        const f = format(c.format, [...path, "style", "columns", column, "format"]);
        if (f === null) return null;
        if (f) formats[column] = f;
      }
      return { ...common, type: "table", query, ...sort, ...(Object.keys(formats).length ? { format: formats } : {}) };
    }
    case "histogram": {
      if (!require("x")) return null;
      if (chart.y !== undefined) return fail("unsupported_key", [...path, "y"], "A histogram with a pre-binned `y` is not supported by Atrium", "Use a bar chart over the bins, or leave out `y:` (Atrium counts rows per bin).");
      const y = format(style.number_format, [...path, "style", "number_format"]);
      if (y === null) return null;
      return { ...common, type: "histogram", query, x: chart.x!, ...(color ? { color } : {}), ...(y ? { format: { y } } : {}), ...height };
    }
    case "heatmap": {
      if (!require("x") || !require("y") || !require("color")) return null;
      if (Array.isArray(chart.y)) return fail("invalid_value", [...path, "y"], "A heatmap's `y` is one column", "Name one column.");
      if (style.number_format !== undefined) return fail("invalid_value", [...path, "style", "number_format"], "A heatmap has no measure axis to format", "Remove it; round the value in SQL.");
      return { ...common, type: "heatmap", query, x: chart.x!, y: chart.y!, color: color!, ...height, ...multiples };
    }
    case "spark_bar": {
      // dbt Charts' spark_bar has the magnitude on x and the label on y; Atrium's has the label on x.
      if (!require("x") || !require("y")) return null;
      if (Array.isArray(chart.y)) return fail("invalid_value", [...path, "y"], "A spark_bar's `y` is the label column", "Name one column.");
      const y = format(style.number_format, [...path, "style", "number_format"]);
      if (y === null) return null;
      const by = chart.sort?.by === chart.y ? "x" : chart.sort?.by === chart.x ? "y" : chart.sort?.by;
      const sparkSort = chart.sort && by ? { sort: { by, ...(chart.sort.order ? { dir: chart.sort.order } : {}) } } : {};
      return { ...common, type: "spark_bar", query, x: chart.y!, y: chart.x!, ...sparkSort, ...(y ? { format: { y } } : {}) };
    }
    case "pie":
    case "donut": {
      const category = color ?? chart.x;
      const value = chart.theta ?? (typeof chart.y === "string" ? chart.y : undefined);
      if (!category) return fail("missing", [...path, "color"], "A pie chart needs `color:` (the slices)", "Name the category column in `color:`.");
      if (!value) return fail("missing", [...path, "theta"], "A pie chart needs `theta:` (the sizes)", "Name the value column in `theta:`.");
      const y = format(style.number_format, [...path, "style", "number_format"]);
      if (y === null) return null;
      const donut = chart.type === "donut" || (style.inner_radius ?? 0) > 0;
      return { ...common, type: "pie", query, x: category, y: value, ...sort, ...(y ? { format: { y } } : {}), ...(donut ? { donut: true } : {}), ...height };
    }
    case "bar":
    case "line":
    case "area":
    case "scatter": {
      if (!require("x") || !require("y")) return null;
      const y = format(style.number_format, [...path, "style", "number_format"]);
      if (y === null) return null;
      const base = { ...common, query, x: chart.x!, y: chart.y!, ...(color ? { color } : {}), ...sort, ...(y ? { format: { y } } : {}), ...height, ...(layers.length ? { layers } : {}), ...multiples };
      let stack: boolean | undefined;
      if (style.stack !== undefined) {
        if (chart.type !== "bar" && chart.type !== "area") return fail("invalid_value", [...path, "style", "stack"], `\`style.stack\` applies to bar and area charts, not ${chart.type}`, "Remove it.");
        if (style.stack === "normalize" || style.stack === "center") return fail("unsupported_key", [...path, "style", "stack"], `\`stack: ${style.stack}\` is not supported by Atrium`, "Use `stack: zero` (stacked) or `stack: none`.");
        stack = style.stack === true || style.stack === "zero";
      }
      if (style.orientation !== undefined && chart.type !== "bar") return fail("invalid_value", [...path, "style", "orientation"], `\`style.orientation\` applies to bar charts, not ${chart.type}`, "Remove it.");
      if (chart.size !== undefined && chart.type !== "scatter") return fail("invalid_value", [...path, "size"], "`size` applies to scatter charts", "Remove it.");
      switch (chart.type) {
        case "bar":
          return { ...base, type: "bar", ...(stack !== undefined ? { stack } : {}), ...(style.orientation ? { horizontal: style.orientation === "horizontal" } : {}) };
        case "area":
          return { ...base, type: "area", ...(stack !== undefined ? { stack } : {}) };
        case "line":
          return { ...base, type: "line" };
        case "scatter":
          return { ...base, type: "scatter", ...(chart.size ? { size: chart.size } : {}) };
      }
    }
  }
  return fail("chart_type_unsupported", [...path, "type"], `${chart.type} charts are not supported by Atrium`, "Use bar, line, area, scatter, pie, donut, histogram, heatmap, spark_bar, kpi, table or callout.");
}
