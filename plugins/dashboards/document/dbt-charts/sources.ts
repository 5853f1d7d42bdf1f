/**
 * The source names a dbt Charts board reads from (its `source:` and its queries' `source:`),
 * read leniently: a board with errors still names its sources, so the project's mapping page can
 * list them before the board is fixed. Browser-safe, pure.
 */
import { parse } from "yaml";

/** What a board source name may be (a dbt Charts source: letters, digits, `_`, `.`, `-`). */
export const BOARD_SOURCE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

/** The board's source names, in order of first use; names that cannot be source names are skipped. */
export function boardSourceNames(text: string): string[] {
  let value: unknown;
  try {
    value = parse(text, { maxAliasCount: 10 });
  } catch {
    return [];
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return [];
  const board = value as { source?: unknown; queries?: unknown };
  const names: unknown[] = [board.source];
  if (board.queries && typeof board.queries === "object" && !Array.isArray(board.queries)) {
    for (const q of Object.values(board.queries)) if (q && typeof q === "object" && !Array.isArray(q)) names.push((q as { source?: unknown }).source);
  }
  return [...new Set(names.filter((n): n is string => typeof n === "string" && BOARD_SOURCE_NAME.test(n)))];
}
