/**
 * dbt Charts layouts (`rows`, `cols`, `grid`, `tabs`, nested freely, with `text` blocks and
 * section titles) → Atrium's 12-column grid layout. Text blocks and section titles become text
 * charts. Browser-safe, pure.
 */
import { specError, type PathSegment } from "../errors";
import type { Chart, Layout, LayoutGridItem } from "../schema";
import { convertChart } from "./charts";
import type { ConvertContext } from "./convert";
import { dbtChartSchema } from "./schema";
import { GRID_ROW_UNITS } from "./write";

const COLUMNS = 12;
/** One grid unit is 60px in Atrium's view. */
const DEFAULT_HEIGHT: Partial<Record<Chart["type"], number>> = { kpi: 2, table: 6, text: 2 };
const LAYOUT_KEYS = ["rows", "cols", "grid", "tabs"] as const;
const SECTION_KEYS = new Set([...LAYOUT_KEYS, "text", "title", "notes", "details", "width", "height", "visible", "id", "style", "theme", "item", "col", "row", "col_span", "row_span"]);
const KEPT_SECTION_KEYS = ["notes", "details", "style", "theme", "id", "height"] as const;

type Items = LayoutGridItem[];

export function convertLayout(ctx: ConvertContext): Layout | null {
  const { board } = ctx;
  const present = LAYOUT_KEYS.filter((k) => board[k] !== undefined);
  if (present.length > 1) {
    ctx.errors.push(specError("invalid_value", [present[1]!], `A board has one layout, and this one has ${present.join(" and ")}`, "Keep one of rows, cols, grid, tabs; nest the others inside it."));
    return null;
  }
  const items: Items = [];
  if (board.text !== undefined) {
    const y = placeText(board.text, undefined, 0, COLUMNS, 0, ["text"], ctx, items);
    if (present.length === 0) return { grid: items.length ? items : [] };
    return withBody(present[0]!, y, items, ctx);
  }
  if (present.length === 0) return null;
  return withBody(present[0]!, 0, items, ctx);
}

function withBody(key: (typeof LAYOUT_KEYS)[number], y0: number, items: Items, ctx: ConvertContext): Layout | null {
  const value = ctx.board[key];
  if (key === "tabs") {
    if (items.length) ctx.errors.push(specError("invalid_value", ["text"], "A board with tabs cannot also have a top-level text", "Put the text inside a tab."));
    return convertTabs(value, ["tabs"], ctx);
  }
  place({ [key]: value }, 0, COLUMNS, y0, [], ctx, items);
  return { grid: items };
}

function convertTabs(value: unknown, path: PathSegment[], ctx: ConvertContext): Layout | null {
  if (!isObject(value) || !Array.isArray(value.items)) {
    ctx.errors.push(specError("invalid_type", path, "`tabs:` is a mapping with `items:`", "Write `tabs: { items: [ { title: Overview, rows: [...] } ] }`."));
    return null;
  }
  for (const key of Object.keys(value)) {
    if (key === "items") continue;
    if (["id", "position", "default"].includes(key)) ctx.notices.push(specError("not_drawn", [...path, key], `\`tabs.${key}\` is kept in the board but not drawn by Atrium`, "Atrium shows tabs on top and opens the first."));
    else ctx.errors.push(specError("unknown_key", [...path, key], `Unknown key "${key}" in \`tabs\``, "Allowed here: items, id, position, default."));
  }
  const tabs: { title: string; grid: Items }[] = [];
  value.items.forEach((tab, i) => {
    const at = [...path, "items", i];
    if (!isObject(tab) || typeof tab.title !== "string" || !tab.title.trim()) {
      ctx.errors.push(specError("missing", [...at, "title"], "Each tab needs a `title:`", "Add `title: Overview`."));
      return;
    }
    const { title, icon, ...rest } = tab;
    if (icon !== undefined) ctx.notices.push(specError("not_drawn", [...at, "icon"], "`icon` is kept in the board but not drawn by Atrium", "Atrium shows the tab title."));
    const items: Items = [];
    place(rest, 0, COLUMNS, 0, at, ctx, items);
    tabs.push({ title: title.slice(0, 100), grid: items });
  });
  return tabs.length ? { tabs } : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function chartHeight(ctx: ConvertContext, id: string): number {
  const chart = ctx.charts.find((c) => c.id === id);
  if (!chart) return 5;
  const px = "height" in chart ? chart.height : undefined;
  if (px) return Math.min(50, Math.ceil(px / 60) + 1);
  return DEFAULT_HEIGHT[chart.type] ?? 5;
}

/** Adds a text chart; returns the y below it. */
function placeText(text: unknown, title: string | undefined, x: number, w: number, y: number, path: PathSegment[], ctx: ConvertContext, items: Items): number {
  if (typeof text !== "string") {
    ctx.errors.push(specError("invalid_type", path, "`text:` is Markdown text", "Write `text: |` followed by indented lines."));
    return y;
  }
  ctx.checkText(text, path);
  const markdown = title ? `### ${title}\n\n${text}` : text;
  const id = ctx.freshChartId("text");
  ctx.charts.push({ id, type: "text", markdown: markdown.slice(0, 20_000) });
  const h = Math.min(12, Math.max(1, Math.ceil(markdown.split("\n").length / 3) + 1));
  items.push({ chart: id, x, y, w, h });
  return y + h;
}

/** A width (`"70%"`, `6`, `"300px"`) as grid columns of a `total`-column box, or null. */
function widthOf(value: unknown, total: number, path: PathSegment[], ctx: ConvertContext): number | null {
  if (value === undefined) return null;
  const m = typeof value === "string" ? /^(\d+(?:\.\d+)?)%$/.exec(value.trim()) : null;
  if (m) return Math.max(1, Math.min(total, Math.round((Number(m[1]) / 100) * total)));
  ctx.notices.push(specError("not_drawn", path, "A width in pixels is kept in the board but not drawn by Atrium", "Use a percentage (\"30%\"): Atrium lays boards out on a 12-column grid."));
  return null;
}

/** Places one layout node in the box (x, w) from row y; returns the y below it. */
function place(node: unknown, x: number, w: number, y: number, path: PathSegment[], ctx: ConvertContext, items: Items): number {
  if (typeof node === "string") {
    if (!ctx.charts.some((c) => c.id === node)) {
      if (!ctx.board.charts?.[node]) {
        const names = Object.keys(ctx.board.charts ?? {});
        ctx.errors.push(specError("unknown_reference", path, `"${node}" names no chart of this board`, names.length ? `Charts: ${names.slice(0, 20).join(", ")}.` : "Add it under `charts:`."));
      }
      return y;
    }
    const h = chartHeight(ctx, node);
    items.push({ chart: node, x, y, w, h });
    return y + h;
  }
  if (!isObject(node)) {
    ctx.errors.push(specError("invalid_type", path, "A layout item is a chart name or a mapping", "Write a chart name, or `cols:` / `rows:` / `text:` …"));
    return y;
  }
  const keys = Object.keys(node);
  // `- chart_id: { type: …, query: … }`: a chart defined in place.
  if (keys.length === 1 && !SECTION_KEYS.has(keys[0]!) && isObject(node[keys[0]!])) {
    const id = keys[0]!;
    const parsed = dbtChartSchema.safeParse(node[id]);
    if (!parsed.success) {
      ctx.errors.push(specError("invalid_value", [...path, id], `The chart "${id}" defined here is not valid: ${parsed.error.issues[0]?.message ?? ""}`, "Define it under `charts:` to see each problem with its line."));
      return y;
    }
    if (ctx.charts.some((c) => c.id === id) || ctx.board.charts?.[id]) {
      ctx.errors.push(specError("duplicate_id", [...path, id], `A chart "${id}" is already defined`, "Give the chart defined here another name."));
      return y;
    }
    const chart = convertChart(id, parsed.data, [...path, id], ctx);
    if (!chart) return y;
    ctx.charts.push(chart);
    return place(id, x, w, y, path, ctx, items);
  }
  for (const key of keys) {
    if (!SECTION_KEYS.has(key)) ctx.errors.push(specError("unknown_key", [...path, key], `Unknown key "${key}" in a layout section`, "Allowed here: rows, cols, grid, text, title, width, visible, notes, details, style, id."));
  }
  for (const key of KEPT_SECTION_KEYS) {
    if (node[key] !== undefined && !(key === "height" && path.length === 0)) ctx.notices.push(specError("not_drawn", [...path, key], `\`${key}\` is kept in the board but not drawn by Atrium`, "Atrium lays sections out on its grid."));
  }
  if (node.visible !== undefined && node.visible !== true) {
    if (node.visible === false) return y;
    ctx.errors.push(specError("conditional_visibility", [...path, "visible"], "Showing a section depending on values is not supported by Atrium", "Remove `visible:` (the section is then always shown), or move the section to its own board."));
    return y;
  }
  if (node.tabs !== undefined) {
    ctx.errors.push(specError("nested_tabs", [...path, "tabs"], "Tabs inside a section are not supported by Atrium", "Use tabs at the top level of the board only."));
    return y;
  }
  const kinds = LAYOUT_KEYS.filter((k) => node[k] !== undefined);
  if (kinds.length > 1) {
    ctx.errors.push(specError("invalid_value", [...path, kinds[1]!], `A section has one layout, and this one has ${kinds.join(" and ")}`, "Nest one inside the other."));
    return y;
  }
  let cursor = y;
  if (node.title !== undefined || node.text !== undefined) {
    if (node.title !== undefined && typeof node.title !== "string") ctx.errors.push(specError("invalid_type", [...path, "title"], "A section title is text", "Quote it."));
    else ctx.checkText(node.title as string | undefined, [...path, "title"]);
    cursor = node.text !== undefined
      ? placeText(node.text, node.title as string | undefined, x, w, cursor, [...path, "text"], ctx, items)
      : placeText("", node.title as string, x, w, cursor, [...path, "title"], ctx, items);
  }
  const kind = kinds[0];
  if (!kind) return cursor;
  const children = node[kind];
  const at = [...path, kind];
  if (kind === "grid") return placeGrid(children, x, w, cursor, at, ctx, items);
  if (!Array.isArray(children)) {
    ctx.errors.push(specError("invalid_type", at, `\`${kind}:\` is a list`, `Write \`${kind}: [chart_a, chart_b]\` or one \`- item\` per line.`));
    return cursor;
  }
  if (kind === "rows") {
    children.forEach((child, i) => (cursor = place(child, x, w, cursor, [...at, i], ctx, items)));
    return cursor;
  }
  // cols: explicit percentage widths, the rest shared equally.
  const visible = children.map((c, i) => ({ c, i })).filter(({ c }) => !(isObject(c) && c.visible === false));
  if (visible.length > w) {
    ctx.errors.push(specError("invalid_value", at, `${visible.length} columns do not fit in ${w} grid columns`, "Atrium lays boards out on a 12-column grid: use fewer columns, or rows inside them."));
    return cursor;
  }
  const widths = visible.map(({ c, i }) => (isObject(c) ? widthOf(c.width, w, [...at, i, "width"], ctx) : null));
  const fixed = widths.reduce<number>((s, v) => s + (v ?? 0), 0);
  const free = widths.filter((v) => v === null).length;
  let remaining = Math.max(free, w - fixed);
  let left = x;
  let bottom = cursor;
  visible.forEach(({ c, i }, k) => {
    const freeLeft = widths.slice(k).filter((v) => v === null).length;
    let width = widths[k] ?? Math.max(1, Math.floor(remaining / Math.max(1, freeLeft)));
    if (widths[k] === null) remaining -= width;
    const last = k === visible.length - 1;
    if (last) width = Math.max(1, x + w - left);
    width = Math.max(1, Math.min(width, x + w - left - (visible.length - 1 - k)));
    bottom = Math.max(bottom, place(c, left, width, cursor, [...at, i], ctx, items));
    left += width;
  });
  return bottom;
}

function placeGrid(value: unknown, x: number, w: number, y: number, path: PathSegment[], ctx: ConvertContext, items: Items): number {
  if (!isObject(value) || !Array.isArray(value.items)) {
    ctx.errors.push(specError("invalid_type", path, "`grid:` is a mapping with `items:`", "Write `grid: { columns: 24, items: [ { item: chart, col: 0, row: 0, width: 8 } ] }`."));
    return y;
  }
  const columns = value.columns === undefined ? COLUMNS : value.columns;
  if (typeof columns !== "number" || !Number.isInteger(columns) || columns < 1 || columns > 96) {
    ctx.errors.push(specError("invalid_value", [...path, "columns"], "`columns` is a whole number of grid columns", "Write e.g. `columns: 24`."));
    return y;
  }
  const ROW = GRID_ROW_UNITS;
  let bottom = y;
  value.items.forEach((item, i) => {
    const at = [...path, "items", i];
    if (!isObject(item) || typeof item.item !== "string") {
      ctx.errors.push(specError("missing", [...at, "item"], "A grid item names its chart in `item:`", "Write `item: revenue_trend`."));
      return;
    }
    const num = (k: string, fallback: number) => (typeof item[k] === "number" ? (item[k] as number) : fallback);
    const col = num("col", 0);
    const span = num("width", num("col_span", columns));
    const row = num("row", 0);
    const rowSpan = num("height", num("row_span", 1));
    const gx = x + Math.min(w - 1, Math.round((col / columns) * w));
    const gw = Math.max(1, Math.min(x + w - gx, Math.round((span / columns) * w)));
    const before = items.length;
    place(item.item, gx, gw, y + Math.round(row * ROW), at, ctx, items);
    if (items.length > before) {
      const placed = items[items.length - 1]!;
      placed.h = Math.min(50, Math.max(1, Math.round(rowSpan * ROW)));
      bottom = Math.max(bottom, placed.y + placed.h);
    }
  });
  return bottom;
}
