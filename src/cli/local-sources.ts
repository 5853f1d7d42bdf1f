/**
 * What `atrium sync` reads on this machine, in batches after a checkpoint:
 *
 * - a SQLite table (better-sqlite3, opened read-only): rows in (cursor column, rowid) order,
 *   the cursor being `rowid` (append-only tables) or a column such as `updated_at` (rows that
 *   change); the checkpoint is the last (cursor, rowid) sent, so a rerun reads only the delta.
 *   The table's primary key becomes the dataset's key (upsert) unless `--key` says otherwise.
 * - a CSV or JSON-lines file, read from the byte offset after the last batch (appended lines
 *   are the delta); CSV batches repeat the header. Quoted CSV fields may span lines.
 *
 * Each batch carries, per row, where it came from (`rowid 42`, `line 17`) so a refused row is
 * named in terms the person can find.
 */
import type { Database as SqliteDb } from "better-sqlite3";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { basename } from "node:path";
import type { Checkpoint } from "./config";
import { CliProblem } from "./config";

export interface LocalBatch {
  /** The body to send and its content type. */
  body: string;
  contentType: "application/x-ndjson" | "text/csv";
  rows: number;
  /** Where each row came from, by batch row (0-based). */
  origins: string[];
  /** The checkpoint once this batch is stored. */
  next: { value: string | number | null; rowid: number };
}

export interface LocalSource {
  /** `sessions (local.db)`, `events.csv`. */
  label: string;
  /** What it is called locally, for error messages ("table sessions", "file events.csv"). */
  what: string;
  dataset: string;
  keyColumns: string[] | null;
  /** Rows (SQLite) or bytes (files) left after `from`, for the progress line. */
  remaining(from: Checkpoint | null): { rows: number | null; bytes: number | null };
  batches(from: Checkpoint | null, maxRows: number, maxBytes: number): Iterable<LocalBatch>;
  close(): void;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A dataset name from a local name: `Tool Calls.csv` → `tool_calls`. */
export function datasetNameOf(name: string): string {
  let n = name
    .replace(/\.(csv|jsonl|ndjson|json)$/i, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 63);
  if (!n || /^\d/.test(n)) n = `t_${n}`;
  if (n.startsWith("pg_")) n = `t_${n}`;
  return n;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function jsonValue(v: unknown): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Buffer.isBuffer(v)) return v.toString("base64");
  return v;
}

interface SqliteOptions {
  path: string;
  table: string;
  columns: string[] | null;
  cursor: string;
  key: string[] | null;
  dataset: string | null;
}


export async function sqliteSource(options: SqliteOptions): Promise<LocalSource> {
  const { default: Database } = await import("better-sqlite3");
  let db: SqliteDb;
  try {
    db = new Database(options.path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new CliProblem(`Cannot open the SQLite database ${options.path}: ${(err as Error).message}`, 2);
  }
  const table = options.table;
  const exists = db.prepare("select name from sqlite_master where type in ('table','view') and name = ?").get(table);
  if (!exists) {
    db.close();
    throw new CliProblem(`${options.path} has no table "${table}".`, 2);
  }
  const info = db.prepare(`pragma table_info(${quoteIdent(table)})`).all() as Array<{ name: string; pk: number }>;
  const all = info.map((c) => c.name);
  const columns = options.columns ?? all;
  for (const c of [...columns, ...(options.key ?? [])]) {
    if (!all.includes(c)) {
      db.close();
      throw new CliProblem(`Table "${table}" has no column "${c}" (it has ${all.join(", ")}).`, 2);
    }
  }
  if (options.cursor !== "rowid" && !all.includes(options.cursor)) {
    db.close();
    throw new CliProblem(`Table "${table}" has no cursor column "${options.cursor}": use a column that grows when a row changes (updated_at) or rowid.`, 2);
  }
  const pk = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  const keyColumns = options.key ?? (pk.length && pk.every((k) => columns.includes(k)) ? pk : null);
  const cols = columns.map(quoteIdent).join(", ");
  const t = quoteIdent(table);
  const byRowid = options.cursor === "rowid";
  const c = byRowid ? "rowid" : quoteIdent(options.cursor);
  const after = (from: Checkpoint | null) => {
    if (byRowid) return { where: "rowid > @r", params: { r: from?.rowid ?? 0 } };
    if (!from || from.value === null) return { where: `((${c} is null and rowid > @r) or ${c} is not null)`, params: { r: from?.rowid ?? 0 } };
    return { where: `(${c} > @v or (${c} = @v and rowid > @r))`, params: { v: from.value, r: from.rowid } };
  };
  return {
    label: `${table} (${basename(options.path)})`,
    what: `table "${table}"`,
    dataset: options.dataset ?? datasetNameOf(table),
    keyColumns,
    remaining(from) {
      const a = after(from);
      const row = db.prepare(`select count(*) as n from ${t} where ${a.where}`).get(a.params) as { n: number };
      return { rows: row.n, bytes: null };
    },
    *batches(from, maxRows, maxBytes) {
      let position = from;
      for (;;) {
        const a = after(position);
        const stmt = db.prepare(`select rowid as __atrium_rowid, ${byRowid ? "" : `${c} as __atrium_cursor, `}${cols} from ${t} where ${a.where} order by ${byRowid ? "rowid" : `${c}, rowid`} limit @limit`);
        const lines: string[] = [];
        const origins: string[] = [];
        let bytes = 0;
        let last: { value: string | number | null; rowid: number } | null = null;
        for (const raw of stmt.iterate({ ...a.params, limit: maxRows }) as Iterable<Record<string, unknown>>) {
          const out: Record<string, unknown> = {};
          for (const name of columns) out[name] = jsonValue(raw[name]);
          const line = JSON.stringify(out);
          lines.push(line);
          bytes += line.length + 1;
          const rowid = Number(raw.__atrium_rowid);
          origins.push(`rowid ${rowid}`);
          last = { value: byRowid ? null : (jsonValue(raw.__atrium_cursor) as string | number | null), rowid };
          if (bytes >= maxBytes) break;
        }
        if (!last) return;
        yield { body: lines.join("\n") + "\n", contentType: "application/x-ndjson", rows: lines.length, origins, next: last };
        position = { ...last, rowsSent: 0, at: "" };
      }
    },
    close: () => db.close(),
  };
}

/** Reads complete records (CSV: quotes balanced; JSONL: lines) from a byte offset. */
function* records(path: string, start: number, csv: boolean): Generator<{ text: string; end: number; line: number }> {
  const fd = openSync(path, "r");
  try {
    const chunk = Buffer.alloc(1 << 20);
    let offset = start;
    let pending = Buffer.alloc(0);
    let pendingStart = start;
    let line = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, offset);
      if (n === 0) break;
      offset += n;
      pending = Buffer.concat([pending, chunk.subarray(0, n)]);
      let from = 0;
      let quotes = 0;
      for (let i = 0; i < pending.length; i++) {
        const b = pending[i]!;
        if (csv && b === 0x22) quotes++;
        if (b === 0x0a && quotes % 2 === 0) {
          line++;
          yield { text: pending.subarray(from, i).toString("utf8").replace(/\r$/, ""), end: pendingStart + i + 1, line };
          from = i + 1;
          quotes = 0;
        }
      }
      pendingStart += from;
      pending = pending.subarray(from);
    }
    // A last record without a newline is left for the next run (it may still be being written).
  } finally {
    closeSync(fd);
  }
}

export function fileSource(options: { path: string; dataset: string | null; key: string[] | null }): LocalSource {
  const csv = /\.csv$/i.test(options.path);
  if (!csv && !/\.(jsonl|ndjson)$/i.test(options.path)) throw new CliProblem(`${options.path}: sync reads .csv, .jsonl or .ndjson files.`, 2);
  let size: number;
  try {
    size = statSync(options.path).size;
  } catch {
    throw new CliProblem(`No file ${options.path}.`, 2);
  }
  let header: { text: string; end: number } | null = null;
  if (csv) {
    for (const r of records(options.path, 0, true)) {
      header = r;
      break;
    }
    if (!header) throw new CliProblem(`${options.path} has no header line.`, 2);
  }
  const name = basename(options.path);
  return {
    label: name,
    what: `file ${name}`,
    dataset: options.dataset ?? datasetNameOf(name),
    keyColumns: options.key,
    remaining(from) {
      const at = typeof from?.value === "number" ? from.value : (header?.end ?? 0);
      return { rows: null, bytes: Math.max(0, size - at) };
    },
    *batches(from, maxRows, maxBytes) {
      const start = typeof from?.value === "number" ? from.value : (header?.end ?? 0);
      let rowsBefore = from?.rowid ?? 0;
      let lines: string[] = [];
      let origins: string[] = [];
      let bytes = 0;
      let end = start;
      const make = (): LocalBatch => {
        const body = (header ? header.text + "\n" : "") + lines.join("\n") + "\n";
        const batch: LocalBatch = { body, contentType: csv ? "text/csv" : "application/x-ndjson", rows: lines.length, origins, next: { value: end, rowid: rowsBefore + lines.length } };
        rowsBefore += lines.length;
        lines = [];
        origins = [];
        bytes = 0;
        return batch;
      };
      const headerLines = header ? 1 : 0;
      for (const r of records(options.path, start, csv)) {
        end = r.end;
        if (!r.text.trim()) continue;
        lines.push(r.text);
        origins.push(`record ${rowsBefore + lines.length + headerLines}${csv ? " (counting the header)" : ""}`);
        bytes += r.text.length + 1;
        if (lines.length >= maxRows || bytes >= maxBytes) yield make();
      }
      if (lines.length) yield make();
      else if (end > start) {
        // Only blank lines: move the checkpoint past them.
        yield { body: "", contentType: csv ? "text/csv" : "application/x-ndjson", rows: 0, origins: [], next: { value: end, rowid: rowsBefore } };
      }
    },
    close() {},
  };
}

export const IDENTIFIER = IDENT;
