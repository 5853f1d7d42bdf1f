/**
 * Reading and rewriting dashboard documents in the browser without the validator: the view
 * reads a stored document (validated by the server when it was saved) with the `yaml` parser
 * alone, and edits (layout, charts, queries) go through `yaml`'s Document API so comments and
 * key order survive.
 */
import { parse, parseDocument, isMap, isSeq, type Document } from "yaml";
import type { Chart, Dashboard, QueryDef, Variable } from "../document/schema";
import type { Cell } from "./layout";

export * from "./layout";
export type { Chart, Dashboard, QueryDef, Variable };

/** A stored document, read leniently (the server validated it on save). */
export function readDashboard(text: string): Dashboard {
  const value: unknown = parse(text);
  if (!value || typeof value !== "object" || Array.isArray(value)) return { title: "Untitled" };
  return value as Dashboard;
}

/** A layout row as one flow line. */
function flowRow(doc: Document, row: unknown) {
  const node = doc.createNode(row);
  if (isSeq(node)) node.flow = true;
  return node;
}

function edit(text: string, change: (doc: Document) => void): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(doc.errors[0]?.message ?? "The YAML does not parse.");
  change(doc);
  return doc.toString({ lineWidth: 0 });
}

/** Replaces the layout with these rows (`layout: { rows: ... }`). */
export function withLayoutRows(text: string, rows: Cell[][]): string {
  return edit(text, (doc) => {
    const layout = doc.createNode({ rows: rows.filter((r) => r.length).map((row) => row.map((c) => ({ chart: c.chart, width: c.width }))) });
    // One line per row: `- [{ chart: a, width: 8 }, { chart: b, width: 4 }]`.
    const list = layout.get("rows");
    if (isSeq(list)) for (const row of list.items) if (isSeq(row)) row.flow = true;
    doc.setIn(["layout"], layout);
  });
}

/**
 * Adds or replaces a chart (by id) and its query (by the chart's `query`), and puts a new chart
 * in the layout as a row of its own.
 */
export function withChart(text: string, chart: Chart, queryId: string | null, query: QueryDef | null, previousId?: string): string {
  return edit(text, (doc) => {
    if (queryId && query) {
      if (!isMap(doc.getIn(["queries"]))) doc.setIn(["queries"], doc.createNode({}));
      doc.setIn(["queries", queryId], doc.createNode(query));
    }
    const charts = doc.getIn(["charts"]);
    const node = doc.createNode(chart);
    const findIndex = (id: string) => (isSeq(charts) ? charts.items.findIndex((item) => isMap(item) && item.get("id") === id) : -1);
    const existing = findIndex(previousId ?? chart.id);
    if (isSeq(charts) && existing >= 0) {
      charts.items[existing] = node;
    } else if (isSeq(charts)) {
      charts.items.push(node);
    } else {
      doc.setIn(["charts"], doc.createNode([chart]));
    }
    if (existing < 0) {
      const layout = doc.getIn(["layout"]);
      if (!layout) {
        doc.setIn(["layout"], doc.createNode({ rows: [] }));
        (doc.getIn(["layout", "rows"]) as { items: unknown[] }).items.push(flowRow(doc, [{ chart: chart.id, width: 12 }]));
      } else if (isSeq(doc.getIn(["layout", "rows"]))) {
        (doc.getIn(["layout", "rows"]) as { items: unknown[] }).items.push(flowRow(doc, [{ chart: chart.id, width: 12 }]));
      } else if (isSeq(doc.getIn(["layout", "grid"]))) {
        const grid = readDashboard(text).layout?.grid ?? [];
        const y = grid.reduce((max, g) => Math.max(max, g.y + g.h), 0);
        (doc.getIn(["layout", "grid"]) as { items: unknown[] }).items.push(doc.createNode({ chart: chart.id, x: 0, y, w: 12, h: 4 }));
      } else if (isSeq(doc.getIn(["layout", "tabs"]))) {
        const first = doc.getIn(["layout", "tabs", 0, "rows"]);
        if (isSeq(first)) first.items.push(flowRow(doc, [{ chart: chart.id, width: 12 }]));
      }
    } else if (previousId && previousId !== chart.id) {
      doc.setIn(["layout"], doc.createNode(JSON.parse(JSON.stringify(readDashboard(text).layout ?? {}).replaceAll(`"chart":"${previousId}"`, `"chart":"${chart.id}"`))));
    }
  });
}
