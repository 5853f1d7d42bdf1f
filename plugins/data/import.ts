/**
 * CSV import into an org's warehouse: one code path for the upload procedure and the CLI.
 *
 * The CSV streams through the parser into a temporary staging table (all text) on an admin
 * connection to the org's warehouse, while column types are inferred from every value (replace)
 * or each value is checked against the existing column (append). Rows with the wrong number of
 * fields or a value that does not fit are reported by line and skipped. Then, in one
 * transaction, the target table is replaced (drop + create + insert) or appended to, so readers
 * see the old data or the new, never half. Progress goes out as `data.import.progress` events.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { columnNames, columnTypeOf, fitsType, parseCsv, tableNameProblem, TypeInference, type ColumnType } from "./csv";
import { invalidateWarehouse } from "./service";
import { ensureWarehouse, withWarehouseAdmin } from "./warehouse";

import "./events";

export const PROGRESS_EVERY = 10_000;
/** At most this many bad rows are listed (all are counted). */
export const MAX_REPORTED_ERRORS = 100;
const BATCH_ROWS = 5_000;

/** A problem with the import as a whole (not one row); `field` is the input it concerns. */
export class ImportProblem extends Error {
  override name = "ImportProblem";
  constructor(
    readonly field: "table" | "csv" | "mode",
    message: string,
  ) {
    super(message);
  }
}

export interface ImportOptions {
  orgId: string;
  table: string;
  mode: "replace" | "append";
  /** Scoped database for reading the warehouse record (the owner's for the CLI). */
  db: Kysely<KernelDatabase>;
  /** Chosen by the caller to follow progress events; generated otherwise. */
  importId?: string;
  /** Stop with an error past this many bytes of input. */
  maxBytes?: number;
}

export interface ImportedColumn {
  name: string;
  /** The header cell it came from. */
  sourceName: string;
  type: string;
}

export interface ImportResult {
  importId: string;
  table: string;
  mode: "replace" | "append";
  /** True when the table did not exist before. */
  created: boolean;
  rowsImported: number;
  rowsRejected: number;
  /** The first MAX_REPORTED_ERRORS bad rows, by line (1-based, the header is line 1). */
  errors: Array<{ line: number; message: string }>;
  columns: ImportedColumn[];
  bytes: number;
  elapsedMs: number;
}

const SQL_TYPE: Record<ColumnType, string> = {
  integer: "integer",
  bigint: "bigint",
  numeric: "numeric",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamp",
  timestamptz: "timestamptz",
  text: "text",
};

function describeValue(v: string): string {
  return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
}

const TYPE_WORDS: Record<ColumnType, string> = {
  integer: "an integer",
  bigint: "an integer",
  numeric: "a number",
  boolean: "true or false",
  date: "a date (YYYY-MM-DD)",
  timestamp: "a timestamp (YYYY-MM-DD HH:MM:SS)",
  timestamptz: "a timestamp with time zone",
  text: "text",
};

/** Imports CSV from `source` into the org's warehouse table. */
export async function importCsv(kernel: Kernel, source: AsyncIterable<string | Uint8Array>, options: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const table = options.table;
  const problem = tableNameProblem(table);
  if (problem) throw new ImportProblem("table", problem);
  const importId = options.importId ?? randomUUID();
  const info = await ensureWarehouse(kernel, options.db, options.orgId);

  return withWarehouseAdmin(kernel, info, async (client) => {
    await client.query("set timezone = 'UTC'");
    let bytes = 0;
    const records = parseCsv(source, (n) => {
      bytes += n;
      if (options.maxBytes && bytes > options.maxBytes) throw new ImportProblem("csv", `The file is larger than ${options.maxBytes} bytes`);
    });
    const iterator = records[Symbol.asyncIterator]();
    const head = await iterator.next();
    if (head.done || !head.value.fields.some((f) => f.trim())) throw new ImportProblem("csv", "The file is empty: the first line must name the columns");
    const header = head.value.fields;
    const names = columnNames(header);
    const width = header.length;

    // Append: the values must fit the existing columns, matched by name.
    const existing = await client.query<{ column_name: string; data_type: string; formatted: string }>(
      `select a.attname::text as column_name, format_type(a.atttypid, null) as data_type, format_type(a.atttypid, a.atttypmod) as formatted
       from pg_attribute a where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped order by a.attnum`,
      [`public.${table}`],
    );
    const appending = options.mode === "append" && existing.rowCount! > 0;
    let targetTypes: ColumnType[] | null = null;
    let targetSql: string[] = [];
    if (appending) {
      const byName = new Map(existing.rows.map((r) => [r.column_name, r]));
      const unknown = names.filter((n) => !byName.has(n));
      if (unknown.length) {
        throw new ImportProblem("csv", `Table "${table}" has no column ${unknown.map((n) => `"${n}"`).join(", ")}; append needs the same columns (or choose replace)`);
      }
      targetTypes = names.map((n) => columnTypeOf(byName.get(n)!.data_type));
      targetSql = names.map((n) => byName.get(n)!.formatted);
    }

    const staging = `atrium_import_${randomUUID().replace(/-/g, "")}`;
    const stagingColumns = names.map((_, i) => `c${i}`);
    await client.query(`create temporary table ${staging} (line bigint not null, ${stagingColumns.map((c) => `${c} text`).join(", ")}) on commit preserve rows`);
    const insertSql = `insert into ${staging} (line, ${stagingColumns.join(", ")}) select * from unnest($1::bigint[], ${stagingColumns.map((_, i) => `$${i + 2}::text[]`).join(", ")})`;

    const inference = new TypeInference(width);
    const errors: ImportResult["errors"] = [];
    let rejected = 0;
    let accepted = 0;
    let lines: number[] = [];
    let columns: Array<Array<string | null>> = names.map(() => []);
    const reject = (line: number, message: string) => {
      rejected++;
      if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, message });
    };
    const flush = async () => {
      if (!lines.length) return;
      await client.query(insertSql, [lines, ...columns]);
      lines = [];
      columns = names.map(() => []);
    };
    const progress = (done: boolean) =>
      kernel.events
        .emit("data.import.progress", { importId, table, rows: accepted, rejected, bytes, done }, { orgId: options.orgId })
        .catch((err: Error) => kernel.log.warn({ err: err.message }, "could not emit import progress"));

    let nextProgress = PROGRESS_EVERY;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const record = next.value;
      if (record.unterminated) {
        reject(record.line, "A quoted field is never closed (a \" is missing)");
        continue;
      }
      if (record.fields.length !== width) {
        reject(record.line, `Expected ${width} fields, found ${record.fields.length}`);
        continue;
      }
      const values = record.fields.map((f) => (f === "" ? null : f));
      if (targetTypes) {
        const bad = values.findIndex((v, i) => v !== null && !fitsType(v.trim(), targetTypes![i]!));
        if (bad >= 0) {
          reject(record.line, `Column "${names[bad]}": ${describeValue(values[bad]!)} is not ${TYPE_WORDS[targetTypes[bad]!]}`);
          continue;
        }
      } else {
        inference.observe(values.map((v) => (v === null ? null : v.trim())));
      }
      lines.push(record.line);
      values.forEach((v, i) => columns[i]!.push(v));
      accepted++;
      if (lines.length >= BATCH_ROWS) await flush();
      if (accepted >= nextProgress) {
        nextProgress += PROGRESS_EVERY;
        void progress(false);
      }
    }
    await flush();
    if (!accepted) {
      const first = errors.slice(0, 3).map((e) => `line ${e.line}: ${e.message}`).join("; ");
      throw new ImportProblem("csv", rejected ? `No row could be imported (${rejected} bad): ${first}` : "The file has a header but no rows");
    }

    const types = targetTypes ?? inference.result();
    const quoted = names.map((n) => pg.escapeIdentifier(n));
    const target = `public.${pg.escapeIdentifier(table)}`;
    const casts = stagingColumns.map((c, i) => {
      const type = appending ? targetSql[i]! : SQL_TYPE[types[i]!];
      return type === "text" ? c : `cast(trim(${c}) as ${type})`;
    });
    await client.query("begin");
    try {
      await client.query("set local lock_timeout = '30s'");
      await client.query("select pg_advisory_xact_lock(hashtext($1))", [`data.import:${table}`]);
      if (!appending) {
        await client.query(`drop table if exists ${target}`);
        await client.query(`create table ${target} (${quoted.map((q, i) => `${q} ${SQL_TYPE[types[i]!]}`).join(", ")})`);
      }
      await client.query(`insert into ${target} (${quoted.join(", ")}) select ${casts.join(", ")} from ${staging} order by line`);
      await client.query("commit");
    } catch (err) {
      await client.query("rollback").catch(() => {});
      const e = err as { code?: string; message?: string };
      if (e.code && /^(22|23)/.test(e.code)) throw new ImportProblem("csv", `The data does not fit the table: ${e.message}`);
      throw err;
    }
    await client.query(`analyze ${target}`);
    await client.query(`drop table if exists ${staging}`);

    invalidateWarehouse(kernel, options.orgId);
    await kernel.events.emit("data.warehouse.changed", { table }, { orgId: options.orgId }).catch(() => {});
    await progress(true);
    return {
      importId,
      table,
      mode: options.mode,
      created: !existing.rowCount,
      rowsImported: accepted,
      rowsRejected: rejected,
      errors,
      columns: names.map((name, i) => ({ name, sourceName: header[i]!, type: appending ? targetSql[i]! : SQL_TYPE[types[i]!] })),
      bytes,
      elapsedMs: Math.round(performance.now() - started),
    };
  });
}

/** A string as a one-chunk stream, for the upload procedure. */
export async function* textChunks(text: string, chunkSize = 1 << 16): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
}
