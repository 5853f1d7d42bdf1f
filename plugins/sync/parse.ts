/**
 * A batch's body into rows: gzip inflated under a cap, then JSON lines (one object per line) or
 * CSV (a header line, then records). Column names are normalized the same way for both
 * (`updatedAt`, `Updated At` → `updated_at`), so a dataset fed by both keeps one set of columns.
 * Pure and synchronous past the inflating: the ingest path and its tests share it.
 */
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { parseCsv } from "../data/engine";

const gunzipAsync = promisify(gunzip);

/** A value as it came: CSV fields are strings; JSON keeps its types. */
export type RowValue = string | number | boolean | null | Record<string, unknown> | unknown[];
export type Row = Record<string, RowValue>;

export interface BatchProblem {
  /** 1-based row of the batch (the header of a CSV is not a row); 0 for the batch as a whole. */
  row: number;
  /** The column it concerns (normalized name), or null. */
  field: string | null;
  message: string;
}

export interface ParsedBatch {
  format: "jsonl" | "csv";
  /** Every column seen, in order of first appearance. */
  columns: string[];
  rows: Row[];
  problems: BatchProblem[];
  /** Bytes after inflating. */
  bytes: number;
}

/** Thrown for a body that cannot be a batch at all (status and code for the answer). */
export class BodyProblem extends Error {
  override name = "BodyProblem";
  constructor(
    readonly status: 400 | 413 | 415 | 422,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_REPORTED_PROBLEMS = 100;

/** `updatedAt`, `Updated At`, `updated-at` → `updated_at`; null when nothing is left. */
/** How many distinct keys of a JSON lines batch have their column name remembered. */
const NAME_CACHE_MAX = 1024;

export function columnNameOf(raw: string): string | null {
  let name = raw
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 60);
  if (!name) return null;
  if (/^\d/.test(name)) name = `c_${name}`;
  if (name.startsWith("pg_")) name = `c_${name}`;
  return name;
}

/** The body's bytes, inflated when `Content-Encoding: gzip`, at most `maxInflated` bytes. */
export async function inflate(body: Uint8Array, encoding: string | null, maxInflated: number): Promise<Buffer> {
  const enc = (encoding ?? "identity").trim().toLowerCase();
  if (enc === "identity" || enc === "") {
    if (body.byteLength > maxInflated) throw new BodyProblem(413, "PAYLOAD_TOO_LARGE", `The batch is larger than ${maxInflated} bytes.`);
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }
  if (enc !== "gzip" && enc !== "x-gzip") throw new BodyProblem(415, "UNSUPPORTED_ENCODING", `Content-Encoding "${enc}" is not supported: send gzip or nothing.`);
  try {
    return await gunzipAsync(body, { maxOutputLength: maxInflated });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) {
      throw new BodyProblem(413, "PAYLOAD_TOO_LARGE", `The batch inflates to more than ${maxInflated} bytes.`);
    }
    throw new BodyProblem(400, "BAD_GZIP", "The body is not valid gzip.");
  }
}

/** The batch format a Content-Type names. */
export function formatOf(contentType: string | null): "jsonl" | "csv" {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (["application/x-ndjson", "application/jsonl", "application/json-lines", "application/jsonlines", "application/ndjson"].includes(type)) return "jsonl";
  if (type === "text/csv") return "csv";
  throw new BodyProblem(415, "UNSUPPORTED_MEDIA_TYPE", 'Send rows as JSON lines ("Content-Type: application/x-ndjson") or CSV ("Content-Type: text/csv").');
}

function addColumn(columns: string[], seen: Set<string>, name: string): void {
  if (!seen.has(name)) {
    seen.add(name);
    columns.push(name);
  }
}

function parseJsonLines(text: string, maxRows: number): ParsedBatch {
  const lines: string[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (!line) continue;
    if (lines.length === maxRows) throw new BodyProblem(413, "TOO_MANY_ROWS", `A batch may carry at most ${maxRows} rows: split it.`);
    lines.push(line);
  }
  // Every line at once, as one JSON array (one parse instead of one per line); a batch with a
  // line that is not JSON is parsed line by line to say which.
  let values: unknown[] | null = null;
  try {
    values = JSON.parse(`[${lines.join(",")}]`) as unknown[];
    if (values.length !== lines.length) values = null;
  } catch {
    values = null;
  }
  const rows: Row[] = [];
  const problems: BatchProblem[] = [];
  const columns: string[] = [];
  const seen = new Set<string>();
  // Every row names the same few keys: each is normalized once per batch (a batch of many
  // distinct keys stops caching past NAME_CACHE_MAX and normalizes the rest as it goes).
  const names = new Map<string, string | null>();
  const nameOf = (raw: string): string | null => {
    const known = names.get(raw);
    if (known !== undefined || names.has(raw)) return known ?? null;
    const name = columnNameOf(raw);
    if (names.size < NAME_CACHE_MAX) names.set(raw, name);
    return name;
  };
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    let value: unknown;
    if (values) value = values[i];
    else {
      try {
        value = JSON.parse(lines[i]!);
      } catch {
        problems.push({ row: n, field: null, message: "The line is not JSON" });
        rows.push({});
        continue;
      }
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      problems.push({ row: n, field: null, message: "Each line must be a JSON object ({\"column\": value, …})" });
      rows.push({});
      continue;
    }
    const object = value as Record<string, unknown>;
    // Keys already in column form (what the CLI sends): the parsed object is the row.
    let asIs = true;
    for (const raw in object) {
      if (nameOf(raw) !== raw) {
        asIs = false;
        break;
      }
    }
    if (asIs) {
      for (const raw in object) addColumn(columns, seen, raw);
      rows.push(object as Row);
      continue;
    }
    const row: Row = {};
    for (const raw in object) {
      const v = object[raw];
      const name = nameOf(raw);
      if (!name) {
        problems.push({ row: n, field: raw.slice(0, 60), message: "A column name needs at least one letter or digit" });
        continue;
      }
      if (Object.hasOwn(row, name)) {
        problems.push({ row: n, field: name, message: `Two keys of the row become the column "${name}"` });
        continue;
      }
      row[name] = v === undefined ? null : (v as RowValue);
      addColumn(columns, seen, name);
    }
    rows.push(row);
  }
  return { format: "jsonl", columns, rows, problems, bytes: 0 };
}

async function parseCsvBatch(text: string, maxRows: number): Promise<ParsedBatch> {
  const rows: Row[] = [];
  const problems: BatchProblem[] = [];
  let header: string[] | null = null;
  async function* one() {
    yield text;
  }
  let n = 0;
  for await (const record of parseCsv(one())) {
    if (!header) {
      if (!record.fields.some((f) => f.trim())) throw new BodyProblem(422, "EMPTY_HEADER", "The first line of a CSV batch must name the columns.");
      header = [];
      const used = new Set<string>();
      for (const [i, raw] of record.fields.entries()) {
        const name = columnNameOf(raw);
        if (!name) throw new BodyProblem(422, "BAD_COLUMN", `Column ${i + 1} of the header has no name`);
        if (used.has(name)) throw new BodyProblem(422, "BAD_COLUMN", `Two header cells become the column "${name}"`);
        used.add(name);
        header.push(name);
      }
      continue;
    }
    n++;
    if (n > maxRows) throw new BodyProblem(413, "TOO_MANY_ROWS", `A batch may carry at most ${maxRows} rows: split it.`);
    if (record.unterminated) {
      problems.push({ row: n, field: null, message: `Line ${record.line}: a quoted field is never closed` });
      rows.push({});
      continue;
    }
    if (record.fields.length !== header.length) {
      problems.push({ row: n, field: null, message: `Line ${record.line}: expected ${header.length} fields, found ${record.fields.length}` });
      rows.push({});
      continue;
    }
    const row: Row = {};
    header.forEach((name, i) => {
      const v = record.fields[i]!;
      row[name] = v === "" ? null : v;
    });
    rows.push(row);
  }
  return { format: "csv", columns: header ?? [], rows, problems, bytes: 0 };
}

/** The rows of an inflated body. */
export async function parseBatch(body: Buffer, format: "jsonl" | "csv", maxRows: number): Promise<ParsedBatch> {
  const text = body.toString("utf8");
  const batch = format === "jsonl" ? parseJsonLines(text, maxRows) : await parseCsvBatch(text, maxRows);
  batch.bytes = body.byteLength;
  return batch;
}
