/** Output names of visual queries (shared by the compiler and the document's reference checks). Browser-safe. */
import type { VisualDimension, VisualMeasure, VisualQuery } from "./schema";

/** Output alias of a dimension or measure when `as` is absent. */
export function dimensionAlias(d: VisualDimension): string {
  return d.as ?? aliasFromColumn(d.column);
}
export function measureAlias(m: VisualMeasure): string {
  if (m.as) return m.as;
  return m.column ? `${m.fn}_${aliasFromColumn(m.column)}` : m.fn;
}
function aliasFromColumn(column: string): string {
  const cleaned = column.toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^([^a-z_])/, "_$1");
  return cleaned.slice(0, 63) || "_";
}

/** The output column names a visual query produces, in order. */
export function visualOutputColumns(q: VisualQuery): string[] {
  return [...(q.dimensions ?? []).map(dimensionAlias), ...(q.measures ?? []).map(measureAlias)];
}
