/**
 * Canonical YAML for a dashboard: stable key order, block style for the big parts, flow style
 * for short leaf collections (`[a, b]`, `{ chart: x, width: 6 }`), SQL and markdown as literal
 * blocks. parse(stringify(doc)) deep-equals doc. Browser-safe.
 */
import { Document, Scalar, YAMLMap, YAMLSeq, type Node } from "yaml";
import type { Dashboard } from "./schema";

type Context =
  | "document" | "variable" | "options" | "option" | "range" | "queries" | "query" | "visual" | "dimension" | "measure"
  | "filter" | "sort" | "chart" | "format" | "layout" | "rows" | "row" | "rowItem" | "gridItem" | "tab" | "free";

/** Key order per kind of mapping; keys not listed keep the author's order after the listed ones. */
const ORDER: Partial<Record<Context, string[]>> = {
  document: ["title", "description", "tags", "source", "variables", "queries", "charts", "layout"],
  variable: ["name", "type", "label", "description", "default", "options", "placeholder", "min", "max", "step"],
  option: ["value", "label"],
  options: ["query"],
  range: ["start", "end"],
  query: ["description", "sql", "visual"],
  visual: ["table", "dimensions", "measures", "filters", "sort", "limit"],
  dimension: ["column", "truncate", "as"],
  measure: ["fn", "column", "as"],
  filter: ["column", "op", "value"],
  sort: ["by", "dir"],
  chart: [
    "id", "title", "description", "type", "query", "x", "y", "color", "size", "value", "compare", "columns", "markdown",
    "sort", "stack", "horizontal", "donut", "format", "height",
  ],
  format: ["x", "y", "value", "compare"],
  layout: ["rows", "grid", "tabs"],
  rowItem: ["chart", "width", "height"],
  gridItem: ["chart", "x", "y", "w", "h"],
  tab: ["title", "rows", "grid"],
};

/** The context of a child value, from its parent's context and its key. */
function childContext(parent: Context, key: string): Context {
  switch (parent) {
    case "document":
      return key === "variables" ? "variable" : key === "queries" ? "queries" : key === "charts" ? "chart" : key === "layout" ? "layout" : "free";
    case "variable":
      return key === "default" ? "range" : key === "options" ? "options" : "free";
    case "options":
      return "option";
    case "queries":
      return "query";
    case "query":
      return key === "visual" ? "visual" : "free";
    case "visual":
      return key === "dimensions" ? "dimension" : key === "measures" ? "measure" : key === "filters" ? "filter" : key === "sort" ? "sort" : "free";
    case "chart":
      return key === "sort" ? "sort" : key === "format" ? "format" : "free";
    case "layout":
    case "tab":
      return key === "rows" ? "rows" : key === "grid" ? "gridItem" : key === "tabs" ? "tab" : "free";
    default:
      return "free";
  }
}

function orderedEntries(obj: Record<string, unknown>, context: Context): [string, unknown][] {
  const entries = Object.entries(obj).filter(([, v]) => v !== undefined);
  const order = ORDER[context];
  if (!order) return entries;
  const rank = (k: string) => {
    const i = order.indexOf(k);
    return i < 0 ? order.length : i;
  };
  // Array.prototype.sort is stable: unlisted keys keep their order.
  return entries.sort(([a], [b]) => rank(a) - rank(b));
}

function isScalarValue(v: unknown): boolean {
  return v === null || ["string", "number", "boolean"].includes(typeof v);
}

function isMultiline(v: unknown): boolean {
  return typeof v === "string" && v.includes("\n");
}

function toNode(doc: Document, value: unknown, depth: number, context: Context): Node {
  if (Array.isArray(value)) {
    // Elements of a list share the list's context; rows hold lists of row items.
    const element: Context = context === "rows" ? "row" : context === "row" ? "rowItem" : context;
    const seq = new YAMLSeq();
    const items = value.map((v) => toNode(doc, v, depth + 1, element));
    seq.items = items;
    const leafy = value.length > 0 && value.every((v) => isScalarValue(v) && !isMultiline(v));
    const flowMaps = items.length > 0 && items.every((n) => n instanceof YAMLMap && n.flow);
    seq.flow = (leafy && JSON.stringify(value).length <= 80) || (flowMaps && context === "row" && JSON.stringify(value).length < 100);
    return seq;
  }
  if (value !== null && typeof value === "object") {
    const map = new YAMLMap();
    for (const [k, v] of orderedEntries(value as Record<string, unknown>, context)) {
      map.set(doc.createNode(k), toNode(doc, v, depth + 1, childContext(context, k)));
    }
    const entries = Object.values(value as Record<string, unknown>).filter((v) => v !== undefined);
    map.flow =
      depth >= 3 &&
      entries.length > 0 &&
      entries.every((v) => (isScalarValue(v) && !isMultiline(v)) || (Array.isArray(v) && v.every(isScalarValue))) &&
      JSON.stringify(value).length < 100;
    return map;
  }
  const scalar = doc.createNode(value) as Scalar;
  if (isMultiline(value)) scalar.type = Scalar.BLOCK_LITERAL;
  return scalar;
}

/** Canonical YAML text for a (valid) dashboard document. */
export function stringifyDashboard(dashboard: Dashboard): string {
  const doc = new Document();
  doc.contents = toNode(doc, dashboard, 0, "document") as never;
  return doc.toString({ lineWidth: 0, indentSeq: true, flowCollectionPadding: true });
}

/** A valid starter document with one example query, chart and layout. */
export function newDashboardYaml(title: string): string {
  return stringifyDashboard(newDashboardDoc(title));
}

/** The starter document (a period variable, one query, a bar chart and a notes block). */
export function newDashboardDoc(title: string): Dashboard {
  const clean = title.replace(/\s+/g, " ").trim().slice(0, 200) || "Untitled dashboard";
  return {
    title: clean,
    description: "What this dashboard shows, and for whom.",
    variables: [{ name: "period", type: "daterange", label: "Period", default: "last_30_days" }],
    queries: {
      example: {
        sql: "select current_date as day, 1 as value\nwhere current_date between {{period.start}} and {{period.end}}\n",
      },
    },
    charts: [
      { id: "example", title: "Example", type: "bar", query: "example", x: "day", y: "value" },
      { id: "notes", type: "text", markdown: "## Notes\nEdit the YAML to add queries and charts.\n" },
    ],
    layout: { rows: [[{ chart: "example", width: 8 }, { chart: "notes", width: 4 }]] },
  };
}
