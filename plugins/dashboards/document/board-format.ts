/**
 * A dashboard's YAML is written in one of two formats: Atrium's own document, or a dbt Charts
 * board (converted to Atrium's document to run). Browser-safe.
 */
import { parse } from "yaml";
import { readDbtCharts } from "./dbt-charts/read";
import type { SpecError } from "./errors";
import { parseDashboard } from "./parse";
import type { Dashboard } from "./schema";

export const BOARD_FORMATS = ["atrium", "dbt-charts"] as const;
export type BoardFormat = (typeof BOARD_FORMATS)[number];

export type BoardParseResult =
  | { ok: true; doc: Dashboard; notices: SpecError[]; unmappedSources: string[] }
  | { ok: false; errors: SpecError[]; notices: SpecError[] };

/**
 * Parses a dashboard's YAML in its format. A dbt Charts board's source names map through
 * `sources` (name → Atrium data source id); the names it leaves out are `unmappedSources`.
 */
export function parseBoard(text: string, format: BoardFormat, options: { sources?: Readonly<Record<string, string>> } = {}): BoardParseResult {
  if (format === "dbt-charts") {
    const r = readDbtCharts(text, options);
    return r.ok ? { ok: true, doc: r.doc, notices: r.notices, unmappedSources: r.unmappedSources } : r;
  }
  const r = parseDashboard(text);
  return r.ok ? { ok: true, doc: r.doc, notices: [], unmappedSources: [] } : { ok: false, errors: r.errors, notices: [] };
}

/**
 * Whether a YAML text looks like a dbt Charts board rather than an Atrium document: charts or
 * variables as a mapping, or a top-level `rows` / `cols` / `grid` / `tabs` layout.
 */
export function looksLikeDbtCharts(text: string): boolean {
  let value: unknown;
  try {
    value = parse(text, { maxAliasCount: 10 });
  } catch {
    return false;
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const isMapping = (x: unknown) => x !== null && typeof x === "object" && !Array.isArray(x);
  return isMapping(v.charts) || isMapping(v.variables) || ["rows", "cols", "grid", "tabs", "notes"].some((k) => k in v);
}
