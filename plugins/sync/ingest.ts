/**
 * One batch into an org's warehouse, whole or not at all.
 *
 * The rows, the schema change and the idempotency record commit in ONE transaction of the
 * warehouse database: `public.<dataset>` holds the rows (readable by the org's query role, so
 * dashboards chart them), and a private schema `atrium_sync` (no grant to the org role) holds
 * each dataset's identity rule and count, and the answers of batches sent with an
 * `Idempotency-Key`, kept 24 hours. So a crash anywhere leaves either the batch and its answer,
 * or neither, and a retry with the same key gets the stored answer.
 *
 * Locks, always in this order: the idempotency key (a concurrent retry waits, then reads the
 * stored answer), then the dataset (schema changes and counts are serialized per dataset).
 *
 * Row identity: with key columns, `_atrium_key` is the hash of the key values and a batch
 * upserts (a changed row is updated, an identical one is a duplicate); without, it is the hash
 * of the row's content (non-null values, by column name) and a row is inserted once.
 */
import { hash as digest } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Kernel } from "~/kernel/kernel";
import { ensureWarehouse, withWarehouseAdmin, type WarehouseInfo } from "../data/engine";
import type { Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import { MAX_REPORTED_PROBLEMS, type BatchProblem, type ParsedBatch, type Row, type RowValue } from "./parse";
import { copyText, kindOf, misfit, widen, type SyncType } from "./types";

export const META_SCHEMA = "atrium_sync";
export const KEY_COLUMN = "_atrium_key";
export const SYNCED_AT_COLUMN = "_atrium_synced_at";
export const IDEMPOTENCY_TTL_HOURS = 24;

/** The answer to a batch (also stored for an idempotent replay). */
export interface IngestAnswer {
  dataset: string;
  accepted: number;
  duplicates: number;
  rejected: BatchProblem[];
  /** The source's checkpoint after this batch (the `Atrium-Cursor` sent with it), or null. */
  cursor: string | null;
}

export type IngestOutcome =
  | { status: 200; answer: IngestAnswer; replayed: boolean; created: boolean; newColumns: string[]; rowCount: number; keyColumns: string[] | null; columnCount: number }
  | { status: 409 | 422; code: string; message: string; answer: IngestAnswer };

export interface IngestInput {
  orgId: string;
  dataset: string;
  batch: ParsedBatch;
  /** Declared key columns (normalized), or null to keep the dataset's rule. */
  keyColumns: string[] | null;
  idempotency: { key: string; requestHash: string } | null;
  /**
   * The Idempotency-Key of the batch sent just before this one, when a client keeps two in
   * flight (`Atrium-After`): this one waits until that one is written, so batches apply in the
   * order they were sent.
   */
  after: string | null;
  /** Aborted when the client goes away (stops waiting for the batch before). */
  signal?: AbortSignal;
  /** How long to wait for the batch named by `after` before refusing this one. */
  afterWaitMs: number;
  sourceId: string | null;
  cursor: string | null;
  maxColumns: number;
}

function hash(text: string): string {
  return digest("sha256", text, "base64url");
}

/** A row's own value for `column` (a column named `constructor` is not Object's), or null. */
function valueIn(row: Row, column: string): RowValue {
  return Object.hasOwn(row, column) ? (row[column] ?? null) : null;
}

function canonical(value: RowValue): string {
  if (value === null) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The identity of a row: its key values, or its content (null values left out, so a new column changes nothing). */
export function rowIdentity(row: Row, keyColumns: readonly string[] | null): string {
  if (keyColumns) return hash(JSON.stringify(keyColumns.map((k) => canonical(valueIn(row, k)))));
  const entries = Object.keys(row)
    .filter((k) => row[k] !== null)
    .sort()
    .map((k) => [k, canonical(row[k]!)]);
  return hash(JSON.stringify(entries));
}

const prepared = Symbol.for("atrium.sync.preparedWarehouses");
type WithPrepared = Kernel & { [prepared]?: Set<string> };

/** The private bookkeeping schema in the org's warehouse (once per process and warehouse). */
async function ensureMeta(kernel: Kernel, info: WarehouseInfo, client: pg.Client): Promise<void> {
  const done = ((kernel as WithPrepared)[prepared] ??= new Set());
  if (done.has(info.database)) return;
  await client.query("select pg_advisory_lock(hashtextextended('atrium.sync.meta', 0))");
  try {
    await client.query(`create schema if not exists ${META_SCHEMA}`);
    await client.query(`revoke all on schema ${META_SCHEMA} from public`);
    await client.query(`create table if not exists ${META_SCHEMA}.datasets (
      name text primary key, key_columns text[], row_count bigint not null default 0, batches bigint not null default 0,
      last_sync_at timestamptz, last_source_id uuid, created_at timestamptz not null default now())`);
    await client.query(`create table if not exists ${META_SCHEMA}.batches (
      key text primary key, request_hash text not null, dataset text not null, answer jsonb not null,
      created_at timestamptz not null default now())`);
    await client.query(`create index if not exists batches_created_at on ${META_SCHEMA}.batches (created_at)`);
  } finally {
    await client.query("select pg_advisory_unlock(hashtextextended('atrium.sync.meta', 0))");
  }
  done.add(info.database);
}

interface StoredBatch {
  request_hash: string;
  answer: IngestAnswer;
}

/** A stored answer for `key` younger than 24 h, if any. */
async function storedBatch(client: pg.Client, key: string): Promise<StoredBatch | null> {
  const { rows } = await client.query<StoredBatch>(
    `select request_hash, answer from ${META_SCHEMA}.batches where key = $1 and created_at > now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`,
    [key],
  );
  return rows[0] ?? null;
}

function replayOrConflict(stored: StoredBatch, requestHash: string): IngestOutcome {
  if (stored.request_hash === requestHash) {
    return { status: 200, answer: stored.answer, replayed: true, created: false, newColumns: [], rowCount: -1, keyColumns: null, columnCount: -1 };
  }
  return {
    status: 409,
    code: "IDEMPOTENCY_KEY_REUSED",
    message: "This Idempotency-Key was used in the last 24 hours for a different batch: send a new key for new rows.",
    answer: emptyAnswer(""),
  };
}

function emptyAnswer(dataset: string, rejected: BatchProblem[] = []): IngestAnswer {
  return { dataset, accepted: 0, duplicates: 0, rejected, cursor: null };
}

/** A stored answer for the batch's key, read without a lock (a replay needs no rate limit). */
export async function peekReplay(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string, idempotency: { key: string; requestHash: string }): Promise<IngestOutcome | null> {
  const info = await ensureWarehouse(kernel, db, orgId);
  return withWarehouseAdmin(kernel, info, async (client) => {
    await ensureMeta(kernel, info, client);
    const stored = await storedBatch(client, idempotency.key);
    return stored ? replayOrConflict(stored, idempotency.requestHash) : null;
  });
}

const WAITING = Symbol("waiting for the batch before");

/**
 * Writes one batch into the org's warehouse `info` (from `ensureWarehouse`, read in a scoped
 * transaction that need not stay open meanwhile); see the module comment.
 */
export async function ingestBatch(kernel: Kernel, info: WarehouseInfo, input: IngestInput): Promise<IngestOutcome> {
  const deadline = Date.now() + input.afterWaitMs;
  for (let pause = 2; ; pause = Math.min(pause * 2, 25)) {
    const outcome = await ingestOnce(kernel, info, input);
    if (outcome !== WAITING) return outcome;
    if (Date.now() >= deadline || input.signal?.aborted) {
      return reject(
        input.dataset,
        "PREVIOUS_BATCH_MISSING",
        `Nothing was written: the batch before this one (Atrium-After: ${input.after}) has not been written. Send it first, or send this batch without Atrium-After.`,
        [{ row: 0, field: "Atrium-After", message: "The batch named here has not been written" }],
        409,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

async function ingestOnce(kernel: Kernel, info: WarehouseInfo, input: IngestInput): Promise<IngestOutcome | typeof WAITING> {
  const { dataset, batch } = input;
  return withWarehouseAdmin(kernel, info, async (client) => {
    await ensureMeta(kernel, info, client);
    await client.query("set timezone = 'UTC'");
    await client.query("begin");
    let committed = false;
    try {
      await client.query("set local lock_timeout = '60s'");
      if (input.idempotency) {
        await client.query("select pg_advisory_xact_lock(hashtextextended($1, 0))", [`atrium.sync.idempotency:${input.idempotency.key}`]);
        const stored = await storedBatch(client, input.idempotency.key);
        if (stored) return replayOrConflict(stored, input.idempotency.requestHash);
      }
      // The batch before must be written first: if it is not yet, this transaction ends (its
      // connection goes back to the pool: waiting batches never hold the ones they wait for) and
      // the batch tries again shortly.
      if (input.after && input.after !== input.idempotency?.key) {
        if (!(await storedBatch(client, input.after))) return WAITING;
      }
      await client.query("select pg_advisory_xact_lock(hashtextextended($1, 0))", [`atrium.sync.dataset:${dataset}`]);
      const target = `public.${pg.escapeIdentifier(dataset)}`;
      const meta = (
        await client.query<{ key_columns: string[] | null; row_count: string }>(`select key_columns, row_count from ${META_SCHEMA}.datasets where name = $1`, [dataset])
      ).rows[0];
      const existing = await client.query<{ name: string; type: string }>(
        `select a.attname::text as name, format_type(a.atttypid, null) as type
         from pg_attribute a where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped order by a.attnum`,
        [target],
      );
      const tableExists = existing.rowCount! > 0;
      if (tableExists && !meta) {
        return {
          status: 409,
          code: "NOT_A_DATASET",
          message: `The warehouse already has a table "${dataset}" that is not a synced dataset (an imported CSV?): choose another dataset name.`,
          answer: emptyAnswer(dataset),
        };
      }

      // The identity rule: the dataset's, or the one this first batch declares.
      let keyColumns = meta ? meta.key_columns : input.keyColumns;
      if (meta && input.keyColumns) {
        const same = JSON.stringify(meta.key_columns ?? []) === JSON.stringify(input.keyColumns);
        if (!same) {
          const had = meta.key_columns ? `key columns ${meta.key_columns.join(", ")}` : "no key columns (rows are identified by their content)";
          return reject(dataset, "KEY_MISMATCH", `Dataset "${dataset}" has ${had}; a batch cannot change them.`, [{ row: 0, field: "Atrium-Key", message: `The dataset has ${had}` }]);
        }
      }
      if (keyColumns && !keyColumns.length) keyColumns = null;

      // Every row checked against the existing columns; new columns typed from the batch.
      const types = new Map(existing.rows.map((r) => [r.name, r.type]));
      const kinds = new Map<string, Set<SyncType>>();
      const problems: BatchProblem[] = [...batch.problems];
      const note = (p: BatchProblem) => {
        if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(p);
      };
      batch.rows.forEach((row, i) => {
        for (const k of keyColumns ?? []) {
          if (valueIn(row, k) === null) note({ row: i + 1, field: k, message: `The key column "${k}" has no value` });
        }
        for (const name in row) {
          const value = row[name]!;
          if (value === null) continue;
          const type = types.get(name);
          if (type) {
            const problem = misfit(value, type);
            if (problem) note({ row: i + 1, field: name, message: `Column "${name}": ${problem}` });
          } else {
            let set = kinds.get(name);
            if (!set) kinds.set(name, (set = new Set()));
            set.add(kindOf(value, batch.format === "csv"));
          }
        }
      });
      const newColumns = batch.columns.filter((c) => !types.has(c));
      for (const k of keyColumns ?? []) {
        if (!types.has(k) && !batch.columns.includes(k)) note({ row: 0, field: k, message: `The key column "${k}" is not a column of the batch` });
      }
      if (types.size + newColumns.length > input.maxColumns + (tableExists ? 2 : 0)) {
        note({ row: 0, field: null, message: `A dataset may have at most ${input.maxColumns} columns` });
      }
      if (problems.length) {
        problems.sort((a, b) => a.row - b.row);
        const first = problems[0]!;
        const typeConflict = problems.some((p) => p.message.includes(": the column holds"));
        const where = first.row ? `row ${first.row}` : "the batch";
        return reject(
          dataset,
          typeConflict ? "SCHEMA_CONFLICT" : "INVALID_ROWS",
          `Nothing was written: ${where}${first.field ? `, column "${first.field}"` : ""}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}.`,
          problems,
        );
      }

      // Additive schema evolution, in the batch's transaction.
      const newTypes = new Map(newColumns.map((c) => [c, widen(kinds.get(c) ?? new Set())]));
      if (!tableExists) {
        await client.query(
          `create table ${target} (${pg.escapeIdentifier(KEY_COLUMN)} text primary key, ${pg.escapeIdentifier(SYNCED_AT_COLUMN)} timestamptz not null default now()${newColumns
            .map((c) => `, ${pg.escapeIdentifier(c)} ${newTypes.get(c)}`)
            .join("")})`,
        );
        await client.query(`insert into ${META_SCHEMA}.datasets (name, key_columns) values ($1, $2)`, [dataset, keyColumns]);
      } else {
        for (const c of newColumns) await client.query(`alter table ${target} add column ${pg.escapeIdentifier(c)} ${newTypes.get(c)}`);
      }
      for (const [c, t] of newTypes) types.set(c, t);

      // In-batch duplicates: a keyed row's last version wins; identical content counts once.
      const byIdentity = new Map<string, Row>();
      for (const row of batch.rows) {
        const id = rowIdentity(row, keyColumns);
        if (keyColumns || !byIdentity.has(id)) {
          byIdentity.delete(id);
          byIdentity.set(id, row);
        }
      }
      const columns = batch.columns;
      const lines = [...byIdentity].map(([id, row]) => copyLine(id, row, columns, types));
      const { accepted, inserted } = await writeRows(client, { database: info.database, dataset, target, columns, types, keyColumns, lines });
      const answer: IngestAnswer = { dataset, accepted, duplicates: batch.rows.length - accepted, rejected: [], cursor: input.cursor };
      const counted = await client.query<{ row_count: string }>(
        `update ${META_SCHEMA}.datasets set row_count = row_count + $2, batches = batches + 1, last_sync_at = now(), last_source_id = coalesce($3, last_source_id)
         where name = $1 returning row_count`,
        [dataset, inserted, input.sourceId],
      );
      if (input.idempotency) {
        await client.query(`delete from ${META_SCHEMA}.batches where created_at <= now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`);
        await client.query(
          `insert into ${META_SCHEMA}.batches (key, request_hash, dataset, answer) values ($1, $2, $3, $4)
           on conflict (key) do update set request_hash = excluded.request_hash, dataset = excluded.dataset, answer = excluded.answer, created_at = now()`,
          [input.idempotency.key, input.idempotency.requestHash, dataset, JSON.stringify(answer)],
        );
      }
      await client.query("commit");
      committed = true;
      if (newColumns.length || !tableExists) await client.query(`analyze ${target}`).catch(() => {});
      return {
        status: 200,
        answer,
        replayed: false,
        created: !tableExists,
        newColumns,
        rowCount: Number(counted.rows[0]!.row_count),
        keyColumns,
        columnCount: types.size - (tableExists ? 2 : 0),
      };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (e.code && /^(22|23)/.test(e.code)) {
        return reject(dataset, "SCHEMA_CONFLICT", `Nothing was written: the rows do not fit the dataset (${e.message}).`, [{ row: 0, field: null, message: e.message ?? "" }]);
      }
      throw err;
    } finally {
      if (!committed) await client.query("rollback").catch(() => {});
    }
  });
}

/** One row as a line of COPY's text format: its identity, then the batch's columns. */
function copyLine(id: string, row: Row, columns: readonly string[], types: ReadonlyMap<string, string>): string {
  let line = id;
  for (const c of columns) line += "\t" + copyText(valueIn(row, c), types.get(c)!);
  return line + "\n";
}

/** COPY's text lines as a stream of chunks of about 1 MiB. */
function copyBody(lines: readonly string[]): Readable {
  return Readable.from(
    (function* () {
      let chunk = "";
      for (const line of lines) {
        chunk += line;
        if (chunk.length >= 1 << 20) {
          yield chunk;
          chunk = "";
        }
      }
      if (chunk) yield chunk;
    })(),
  );
}

async function copyInto(client: pg.Client, table: string, columns: readonly string[], lines: readonly string[]): Promise<number> {
  const stream = client.query(copyFrom(`copy ${table} (${columns.join(", ")}) from stdin`));
  await pipeline(copyBody(lines), stream);
  return stream.rowCount;
}

/**
 * Datasets (per warehouse) whose last batch held rows they already had: their next batch goes
 * straight to the merge instead of trying the plain COPY first.
 */
const merging = new Set<string>();

/**
 * Writes the batch's distinct rows (COPY text lines, identity first) into the dataset, in the
 * caller's transaction. Most batches carry only new rows (a first sync, a cursor moving on):
 * they are COPied straight into the table under a savepoint, as fast as PostgreSQL loads
 * anything. A row whose identity the table already holds makes that COPY fail (unique
 * violation) and roll back to the savepoint; the batch is then COPied into a temporary table
 * and merged: new rows inserted, changed keyed rows updated, identical ones left as duplicates.
 */
async function writeRows(
  client: pg.Client,
  w: { database: string; dataset: string; target: string; columns: readonly string[]; types: ReadonlyMap<string, string>; keyColumns: readonly string[] | null; lines: readonly string[] },
): Promise<{ accepted: number; inserted: number }> {
  if (!w.lines.length) return { accepted: 0, inserted: 0 };
  const q = (c: string) => pg.escapeIdentifier(c);
  const insertCols = [KEY_COLUMN, ...w.columns].map(q);
  const hint = `${w.database}\u0000${w.dataset}`;
  if (!merging.has(hint)) {
    await client.query("savepoint atrium_plain_copy");
    try {
      const copied = await copyInto(client, w.target, insertCols, w.lines);
      await client.query("release savepoint atrium_plain_copy");
      return { accepted: copied, inserted: copied };
    } catch (err) {
      await client.query("rollback to savepoint atrium_plain_copy");
      if ((err as { code?: string }).code !== "23505") throw err;
    }
  }
  const stage = "pg_temp.atrium_sync_stage";
  await client.query(`drop table if exists ${stage}`);
  await client.query(`create temp table atrium_sync_stage (${[`${q(KEY_COLUMN)} text`, ...w.columns.map((c) => `${q(c)} ${w.types.get(c)}`)].join(", ")}) on commit drop`);
  await copyInto(client, stage, insertCols, w.lines);
  const valueCols = w.columns.filter((c) => !(w.keyColumns ?? []).includes(c));
  const onConflict =
    w.keyColumns && valueCols.length
      ? `on conflict (${q(KEY_COLUMN)}) do update set ${valueCols.map((c) => `${q(c)} = excluded.${q(c)}`).join(", ")}, ${q(SYNCED_AT_COLUMN)} = now()
         where (${valueCols.map((c) => `t.${q(c)}`).join(", ")}, null) is distinct from (${valueCols.map((c) => `excluded.${q(c)}`).join(", ")}, null)`
      : `on conflict (${q(KEY_COLUMN)}) do nothing`;
  const { rows } = await client.query<{ accepted: string; inserted: string }>(
    `with written as (insert into ${w.target} as t (${insertCols.join(", ")}) select ${insertCols.join(", ")} from ${stage} ${onConflict} returning (xmax = 0) as inserted)
     select count(*) as accepted, count(*) filter (where inserted) as inserted from written`,
  );
  const accepted = Number(rows[0]!.accepted);
  const inserted = Number(rows[0]!.inserted);
  // Every row new after all: the next batch tries the plain COPY again.
  if (inserted === w.lines.length) merging.delete(hint);
  else {
    if (merging.size >= 10_000) merging.clear();
    merging.add(hint);
  }
  return { accepted, inserted };
}

function reject(dataset: string, code: string, message: string, problems: BatchProblem[], status: 409 | 422 = 422): IngestOutcome {
  return { status, code, message, answer: emptyAnswer(dataset, problems) };
}
