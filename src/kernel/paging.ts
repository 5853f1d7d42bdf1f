/**
 * Keyset paging for list procedures: a page is `limit` rows after the cursor, and the cursor is
 * the sort key of the page's last row (opaque to callers, base64url of a JSON pair). Page 1 and
 * page 1,000 cost the same on an index that fits the sort, however long the list is.
 */
import { z } from "zod";
import { fieldError } from "./errors";
import { safeString } from "./schemas";

/** The largest page any list answers. */
export const PAGE_MAX = 200;

/** Input fields of a paged list: `limit` (1–200, default `defaultLimit`) and `cursor`. */
export function pageInput(defaultLimit = 100) {
  return {
    limit: z.number().int().min(1).max(PAGE_MAX).default(defaultLimit),
    // A text cursor carries its sort key (a name of up to 100 characters, 4 bytes each at most).
    cursor: safeString().max(1000).optional(),
  };
}

/** A sort key: a timestamp as PostgreSQL prints it (exact to the microsecond) and a tie-breaking id. */
export interface KeysetCursor {
  at: string;
  id: string;
}

export function encodeKeyset(c: KeysetCursor): string {
  return Buffer.from(JSON.stringify([c.at, c.id])).toString("base64url");
}

/** The cursor a list returned, or a 422 on `cursor` for anything else. */
export function decodeKeyset(text: string): KeysetCursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown[];
    if (typeof at === "string" && typeof id === "string" && !Number.isNaN(Date.parse(at)) && /^[0-9a-f-]{36}$/i.test(id)) return { at, id };
  } catch {
    // falls through to the field error
  }
  throw fieldError("UNPROCESSABLE_CONTENT", "cursor", "This cursor is not one a list returned; start again without it.");
}

/** A sort key of text (a name, as the database collates it) and a tie-breaking id. */
export interface TextKeysetCursor {
  key: string;
  id: string;
}

export function encodeTextKeyset(c: TextKeysetCursor): string {
  return Buffer.from(JSON.stringify(["t", c.key, c.id])).toString("base64url");
}

/** The cursor a list sorted by text returned, or a 422 on `cursor` for anything else. */
export function decodeTextKeyset(text: string): TextKeysetCursor {
  try {
    const [tag, key, id] = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown[];
    if (tag === "t" && typeof key === "string" && !key.includes("\0") && typeof id === "string" && /^[0-9a-f-]{36}$/i.test(id)) return { key, id };
  } catch {
    // falls through to the field error
  }
  throw fieldError("UNPROCESSABLE_CONTENT", "cursor", "This cursor is not one a list returned; start again without it.");
}

/** The page (at most `limit` of `rows`, which were read with `limit + 1`) and the next page's cursor (its last row's key, encoded). */
function pageWith<Row, Key>(rows: Row[], limit: number, cursorOf: (key: Key) => string, keyOf: (row: Row) => Key): { items: Row[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? cursorOf(keyOf(last)) : null };
}

/** A page of a list sorted by time then id. */
export function pageOf<Row>(rows: Row[], limit: number, keyOf: (row: Row) => KeysetCursor): { items: Row[]; nextCursor: string | null } {
  return pageWith(rows, limit, encodeKeyset, keyOf);
}

/** A page of a list sorted by text then id. */
export function textPageOf<Row>(rows: Row[], limit: number, keyOf: (row: Row) => TextKeysetCursor): { items: Row[]; nextCursor: string | null } {
  return pageWith(rows, limit, encodeTextKeyset, keyOf);
}

/** `%text%` for ILIKE, with the pattern characters in `text` matched literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, "\\$&")}%`;
}
