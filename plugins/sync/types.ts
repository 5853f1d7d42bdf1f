/**
 * Column types of a synced dataset: what a new column becomes from a batch's values, and
 * whether a value fits an existing column (a type conflict is refused, naming column and row).
 *
 * JSON keeps its types: integers → bigint, other numbers → double precision, true/false →
 * boolean, objects and arrays → jsonb, strings → a date or timestamp when every value reads as
 * one, else text. CSV fields are strings and are read as the CSV import reads them (integers,
 * numbers, booleans, dates, timestamps, text). A column seen with mixed kinds widens: numbers to
 * double precision, dates to timestamps, strings win as text; anything else mixed is jsonb.
 */
import { fitsType, type ColumnType } from "../data/engine";
import type { RowValue } from "./parse";

export type SyncType = "bigint" | "double precision" | "numeric" | "integer" | "boolean" | "date" | "timestamp" | "timestamptz" | "text" | "jsonb";

const STRING_TYPES: ColumnType[] = ["date", "timestamp", "timestamptz"];
const CSV_TYPES: ColumnType[] = ["bigint", "numeric", "boolean", "date", "timestamp", "timestamptz"];

/** The narrowest type of one non-null value. */
export function kindOf(value: RowValue, csv: boolean): SyncType {
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isSafeInteger(value) ? "bigint" : "double precision";
  if (typeof value === "string") {
    const v = value.trim();
    for (const t of csv ? CSV_TYPES : STRING_TYPES) {
      if (fitsType(v, t)) return t === "numeric" ? "double precision" : (t as SyncType);
    }
    return "text";
  }
  return "jsonb";
}

const NUMBERS = new Set<SyncType>(["bigint", "double precision"]);
const TIMES: SyncType[] = ["date", "timestamp", "timestamptz"];

/** The type a new column takes to hold every kind seen. */
export function widen(kinds: Set<SyncType>): SyncType {
  if (kinds.size === 0) return "text";
  if (kinds.size === 1) return [...kinds][0]!;
  if ([...kinds].every((k) => NUMBERS.has(k))) return "double precision";
  if ([...kinds].every((k) => TIMES.includes(k))) return kinds.has("timestamptz") ? "timestamptz" : "timestamp";
  if (kinds.has("jsonb")) return "jsonb";
  return "text";
}

const WORDS: Record<string, string> = {
  bigint: "an integer",
  integer: "an integer",
  smallint: "an integer",
  "double precision": "a number",
  real: "a number",
  numeric: "a number",
  boolean: "true or false",
  date: "a date (YYYY-MM-DD)",
  "timestamp without time zone": "a timestamp",
  timestamp: "a timestamp",
  "timestamp with time zone": "a timestamp",
  timestamptz: "a timestamp",
};

/** A problem when `value` does not fit an existing column of PostgreSQL type `pgType`, else null. */
export function misfit(value: RowValue, pgType: string): string | null {
  const t = pgType.endsWith(")") ? pgType.replace(/\(.*\)$/, "") : pgType;
  if (fits(value, t)) return null;
  const s = typeof value === "string" ? value : JSON.stringify(value);
  const shown = JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
  return `${shown} is not ${WORDS[t] ?? `a ${t}`}: the column holds ${WORDS[t] ? `${t} values` : t}`;
}

/** Whether a non-null value fits a column of type `t` (its modifiers left out). */
function fits(value: RowValue, t: string): boolean {
  switch (t) {
    case "text":
    case "character varying":
    case "jsonb":
    case "json":
      return true;
    case "bigint":
    case "integer":
    case "smallint":
      if (typeof value === "number") return Number.isSafeInteger(value) && (t === "bigint" || Math.abs(value) <= 2147483647) && (t !== "smallint" || Math.abs(value) <= 32767);
      return typeof value === "string" && fitsType(value.trim(), t === "bigint" ? "bigint" : "integer");
    case "double precision":
    case "real":
    case "numeric":
      if (typeof value === "number") return Number.isFinite(value);
      return typeof value === "string" && fitsType(value.trim(), "numeric");
    case "boolean":
      return typeof value === "boolean" || (typeof value === "string" && fitsType(value.trim(), "boolean"));
    case "date":
      return typeof value === "string" && fitsType(value.trim(), "date");
    case "timestamp without time zone":
    case "timestamp":
      return typeof value === "string" && fitsType(value.trim(), "timestamp");
    case "timestamp with time zone":
    case "timestamptz":
      return typeof value === "string" && fitsType(value.trim(), "timestamptz");
    default:
      // A type the sync never creates (a CSV import's table): the database decides.
      return typeof value !== "object";
  }
}

/** A field of COPY's text format: backslash, tab, newline and carriage return escaped. */
function escapeCopy(text: string): string {
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : text;
}

/**
 * The value as a field of `COPY … FROM STDIN` (text format) for a column of type `pgType`: what
 * the column's input function reads (`\N` for null; a jsonb column gets the value as JSON).
 */
export function copyText(value: RowValue, pgType: string): string {
  if (value === null) return "\\N";
  if (pgType === "jsonb" || pgType === "json") return escapeCopy(JSON.stringify(value));
  if (typeof value === "object") return escapeCopy(JSON.stringify(value));
  if (typeof value === "string") return escapeCopy(pgType === "text" ? value : value.trim());
  return String(value);
}
