/**
 * The local data `atrium preview` runs dashboards on: a SQLite database (opened read-only) or a
 * CSV file (loaded into an in-memory SQLite table named after the file: `sales.csv` → `sales`).
 * A dashboard's query runs as it would on the server — its `{{variables}}` bound as parameters,
 * never spliced — except that the SQL is SQLite's, and only statements that read are run.
 */
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import Database from "better-sqlite3";
import { parseBatch } from "../parse";

export interface LocalResultOk {
  ok: true;
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  truncated: boolean;
  ms: number;
  cached: false;
  ranAt: string;
}
export type LocalResult = LocalResultOk | { ok: false; error: { code: string; message: string } };

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Rows a chart gets at most (as the server's row cap). */
export const PREVIEW_ROW_CAP = 5_000;

export class LocalData {
  private constructor(
    private readonly db: Database.Database,
    /** The tables a query may name, for the page's note. */
    readonly tables: string[],
  ) {}

  static async open(path: string): Promise<LocalData> {
    const ext = extname(path).toLowerCase();
    if (ext === ".csv") {
      const table = basename(path, extname(path)).toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^(?=\d)/, "_");
      const parsed = await parseBatch(readFileSync(path), "csv", 1_000_000);
      if (parsed.problems.length) throw new Error(`${path}: row ${parsed.problems[0]!.row}: ${parsed.problems[0]!.message}`);
      const db = new Database(":memory:");
      const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
      // A column whose every value is a number holds numbers (CSV has only text).
      const numeric = new Set(parsed.columns.filter((c) => parsed.rows.every((r) => r[c] === null || r[c] === undefined || r[c] === "" || (typeof r[c] === "number") || (typeof r[c] === "string" && NUMBER.test(r[c])))));
      db.exec(`create table ${q(table)} (${parsed.columns.map((c) => `${q(c)} ${numeric.has(c) ? "numeric" : "text"}`).join(", ")})`);
      const insert = db.prepare(`insert into ${q(table)} values (${parsed.columns.map(() => "?").join(", ")})`);
      db.transaction(() => {
        for (const row of parsed.rows) insert.run(parsed.columns.map((c) => (numeric.has(c) && row[c] !== null && row[c] !== "" && row[c] !== undefined ? Number(row[c]) : sqliteValue(row[c] ?? null))));
      })();
      return new LocalData(db, [table]);
    }
    const db = new Database(path, { readonly: true, fileMustExist: true });
    const tables = db.prepare("select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%' order by name").pluck().all() as string[];
    return new LocalData(db, tables);
  }

  /** Runs one prepared query (`$1…$n` bound to `parameters`). */
  run(sql: string, parameters: readonly unknown[]): LocalResult {
    const started = performance.now();
    try {
      const statement = this.db.prepare(sql);
      if (!statement.readonly || !statement.reader) return { ok: false, error: { code: "read_only", message: "Preview runs queries that read (select) only." } };
      const bound = Object.fromEntries(parameters.map((value, i) => [String(i + 1), sqliteValue(value)]));
      const rows: Record<string, unknown>[] = [];
      let truncated = false;
      for (const row of statement.iterate(bound) as Iterable<Record<string, unknown>>) {
        if (rows.length === PREVIEW_ROW_CAP) {
          truncated = true;
          break;
        }
        rows.push(row);
      }
      const columns = statement.columns().map((c) => ({ name: c.name, type: columnType(c.type, rows, c.name) }));
      return { ok: true, columns, rows, truncated, ms: Math.round(performance.now() - started), cached: false, ranAt: new Date().toISOString() };
    } catch (err) {
      return { ok: false, error: { code: "query_failed", message: err instanceof Error ? err.message : String(err) } };
    }
  }

  close() {
    this.db.close();
  }
}

function sqliteValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number" || typeof value === "string" || typeof value === "bigint") return value;
  return JSON.stringify(value);
}

/** A column's type as the charts read it (Postgres names): declared, else from the first value. */
function columnType(declared: string | null, rows: Record<string, unknown>[], name: string): string {
  const d = (declared ?? "").toLowerCase();
  if (/int/.test(d)) return "bigint";
  if (/real|floa|doub|num|dec/.test(d)) return "double precision";
  if (/date|time/.test(d)) return d.includes("time") ? "timestamp" : "date";
  if (d) return "text";
  const sample = rows.find((r) => r[name] !== null && r[name] !== undefined)?.[name];
  if (typeof sample === "number") return Number.isInteger(sample) ? "bigint" : "double precision";
  if (typeof sample === "string" && /^\d{4}-\d{2}-\d{2}$/.test(sample)) return "date";
  if (typeof sample === "string" && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(sample)) return "timestamp";
  return "text";
}
