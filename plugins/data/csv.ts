/**
 * A streaming CSV parser (RFC 4180) and the column type inference for imports.
 *
 * `csv-parse` is not a dependency, and the format is small: fields separated by commas, records
 * by CRLF or LF, fields optionally quoted with `"` (a quote inside doubled), quoted fields may
 * hold commas and line breaks. A leading UTF-8 BOM is dropped. Every record carries the
 * physical line it starts on, so errors point at the line a person sees in an editor.
 */

export interface CsvRecord {
  /** 1-based line the record starts on. */
  line: number;
  fields: string[];
  /** Whether a quoted field ran to the end of the input without its closing quote. */
  unterminated?: boolean;
}

/** Parses CSV from chunks (strings or UTF-8 bytes), yielding records as they complete. */
export async function* parseCsv(chunks: AsyncIterable<string | Uint8Array>, onBytes?: (bytes: number) => void): AsyncGenerator<CsvRecord> {
  const decoder = new TextDecoder("utf-8");
  let field = "";
  let fields: string[] = [];
  let inQuotes = false;
  let quoteSeen = false; // just read a quote inside a quoted field: "" or the closing one
  let line = 1;
  let recordLine = 1;
  let pendingCR = false;
  let first = true;
  let fieldStarted = false;

  const endRecord = (): CsvRecord | null => {
    fields.push(field);
    const record = { line: recordLine, fields };
    field = "";
    fields = [];
    fieldStarted = false;
    // A blank line is no record.
    if (record.fields.length === 1 && record.fields[0] === "") return null;
    return record;
  };

  for await (const chunk of chunks) {
    let text: string;
    if (typeof chunk === "string") {
      text = chunk;
      onBytes?.(Buffer.byteLength(chunk));
    } else {
      text = decoder.decode(chunk, { stream: true });
      onBytes?.(chunk.byteLength);
    }
    if (first && text.length) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const out: CsvRecord[] = [];
    let start = 0; // start of a run of plain characters to append in one go
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (pendingCR) {
        pendingCR = false;
        if (c === 10) {
          start = i + 1;
          continue;
        }
      }
      if (inQuotes) {
        if (quoteSeen) {
          quoteSeen = false;
          if (c === 34) {
            field += '"';
            start = i + 1;
            continue;
          }
          inQuotes = false; // that quote closed the field; fall through to the unquoted handling
        } else if (c === 34) {
          field += text.slice(start, i);
          quoteSeen = true;
          start = i + 1;
          continue;
        } else {
          if (c === 10) line++;
          else if (c === 13 && text.charCodeAt(i + 1) !== 10) line++;
          continue;
        }
      }
      // Outside quotes.
      if (c === 44) {
        field += text.slice(start, i);
        fields.push(field);
        field = "";
        fieldStarted = true;
        start = i + 1;
      } else if (c === 10 || c === 13) {
        field += text.slice(start, i);
        const record = endRecord();
        if (record) out.push(record);
        line++;
        recordLine = line;
        if (c === 13) pendingCR = true;
        start = i + 1;
      } else if (c === 34 && field === "" && start === i) {
        inQuotes = true;
        fieldStarted = true;
        start = i + 1;
      } else {
        fieldStarted = true;
      }
    }
    field += text.slice(start);
    for (const record of out) yield record;
  }
  const tail = decoder.decode();
  if (tail) field += tail;
  if (inQuotes && !quoteSeen) {
    fields.push(field);
    yield { line: recordLine, fields, unterminated: true };
    return;
  }
  if (field !== "" || fields.length || fieldStarted) {
    const record = endRecord();
    if (record) yield record;
  }
}

/* ---------------------------------------------------------------------------------------------
 * Type inference and checks
 * ------------------------------------------------------------------------------------------ */

export type ColumnType = "integer" | "bigint" | "numeric" | "boolean" | "date" | "timestamp" | "timestamptz" | "text";

const INTEGER = /^[+-]?\d{1,19}$/;
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?$/;
const BOOLEAN = /^(?:true|false|t|f|yes|no)$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?$/;
const TIMESTAMPTZ = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

function validDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

function validTime(h: string, mi: string, s: string | undefined): boolean {
  return Number(h) <= 23 && Number(mi) <= 59 && (s === undefined || Number(s) <= 59);
}

/** Leading zeros ("007", a zip code) mean text: a number would lose them. */
function hasLeadingZero(v: string): boolean {
  return /^[+-]?0\d/.test(v);
}

// BigInt() rather than literals: the server bundle targets ES2019.
const INT4_MAX = BigInt("2147483647");
const INT8_MAX = BigInt("9223372036854775807");
const ZERO = BigInt(0);

function intRange(v: string): "integer" | "bigint" | null {
  if (!INTEGER.test(v) || hasLeadingZero(v)) return null;
  const n = BigInt(v);
  const abs = n < ZERO ? -n : n;
  if (abs <= INT4_MAX) return "integer";
  if (abs <= INT8_MAX) return "bigint";
  return null;
}

/** Whether `value` (non-empty) is valid for `type`, as PostgreSQL would cast it. */
export function fitsType(value: string, type: ColumnType): boolean {
  switch (type) {
    case "text":
      return true;
    case "integer":
      return intRange(value) === "integer";
    case "bigint":
      return intRange(value) !== null;
    case "numeric":
      return NUMERIC.test(value) && !hasLeadingZero(value);
    case "boolean":
      return BOOLEAN.test(value);
    case "date": {
      const m = DATE.exec(value);
      return !!m && validDate(m[1]!, m[2]!, m[3]!);
    }
    case "timestamp": {
      const d = DATE.exec(value);
      if (d) return validDate(d[1]!, d[2]!, d[3]!);
      const m = TIMESTAMP.exec(value);
      return !!m && validDate(m[1]!, m[2]!, m[3]!) && validTime(m[4]!, m[5]!, m[6]);
    }
    case "timestamptz": {
      const m = TIMESTAMPTZ.exec(value) ?? TIMESTAMP.exec(value);
      if (m) return validDate(m[1]!, m[2]!, m[3]!) && validTime(m[4]!, m[5]!, m[6]);
      const d = DATE.exec(value);
      return !!d && validDate(d[1]!, d[2]!, d[3]!);
    }
  }
}

const CANDIDATES: ColumnType[] = ["boolean", "integer", "bigint", "numeric", "date", "timestamp", "timestamptz"];

/** Tracks, per column, which types every value seen so far fits. */
export class TypeInference {
  private readonly candidates: Array<Set<ColumnType>>;
  private readonly seen: boolean[];

  constructor(columns: number) {
    this.candidates = Array.from({ length: columns }, () => new Set(CANDIDATES));
    this.seen = Array.from({ length: columns }, () => false);
  }

  observe(values: ReadonlyArray<string | null>): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      this.seen[i] = true;
      const set = this.candidates[i]!;
      if (!set.size) continue;
      for (const type of set) if (!fitsType(v, type)) set.delete(type);
    }
  }

  /** The narrowest type every value fits; text for a column with no values. */
  result(): ColumnType[] {
    return this.candidates.map((set, i) => {
      if (!this.seen[i]) return "text";
      for (const type of CANDIDATES) if (set.has(type)) return type === "timestamptz" && set.has("timestamp") ? "timestamp" : type;
      return "text";
    });
  }
}

/** The PostgreSQL type an existing column maps to for checking appended values. */
export function columnTypeOf(pgType: string): ColumnType {
  switch (pgType) {
    case "smallint":
    case "integer":
      return "integer";
    case "bigint":
      return "bigint";
    case "numeric":
    case "real":
    case "double precision":
      return "numeric";
    case "boolean":
      return "boolean";
    case "date":
      return "date";
    case "timestamp without time zone":
      return "timestamp";
    case "timestamp with time zone":
      return "timestamptz";
    default:
      return "text";
  }
}

/* ---------------------------------------------------------------------------------------------
 * Identifiers
 * ------------------------------------------------------------------------------------------ */

export const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Why `name` is not a valid table name, or null. */
export function tableNameProblem(name: string): string | null {
  if (!TABLE_NAME.test(name)) return "Use lower-case letters, digits and underscores, starting with a letter or underscore (at most 63)";
  if (name.startsWith("pg_")) return 'Names starting with "pg_" are reserved by PostgreSQL';
  return null;
}

/** Column names from a header: lower-case snake_case, unique, never empty. */
export function columnNames(header: readonly string[]): string[] {
  const used = new Set<string>();
  return header.map((raw, i) => {
    let name = raw
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 55);
    if (!name) name = `column_${i + 1}`;
    if (/^\d/.test(name)) name = `c_${name}`;
    if (name.startsWith("pg_")) name = `c_${name}`;
    let unique = name;
    for (let n = 2; used.has(unique); n++) unique = `${name}_${n}`;
    used.add(unique);
    return unique;
  });
}
