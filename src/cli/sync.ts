/**
 * `atrium sync`: registers this machine's local project once (idempotent on the server), then
 * sends each local source's delta in batches. Every batch carries an `Idempotency-Key` derived
 * from where it starts and ends, and the checkpoint is saved only after the server's answer:
 * killed mid-batch, the rerun sends the same batch with the same key and gets the stored
 * answer (and rows have identities besides), so every row arrives exactly once.
 */
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { codeOf, messageOf, type RemoteClient } from "./client";
import { CliProblem, readState, writeState, type SyncState } from "./config";
import type { LocalBatch, LocalSource } from "./local-sources";
import type { Reporter } from "./progress";

export interface SyncSummary {
  dataset: string;
  source: string;
  rows: number;
  accepted: number;
  duplicates: number;
  batches: number;
  dryRun: boolean;
  /** Rows that would be sent (dry run) or were left (none after a finished sync). */
  pending: number | null;
}

interface BatchAnswer {
  accepted: number;
  duplicates: number;
  rejected: Array<{ row: number; field: string | null; message: string }>;
  cursor: string | null;
}

/** The source id this machine's project got from the server before, if any (for a dry run). */
export function knownSource(server: string, input: { projectKey: string; machineId: string }, env: NodeJS.ProcessEnv): string | null {
  return readState(env).sources[`${server}|${input.projectKey}|${input.machineId}`] ?? null;
}

export async function registerSource(client: RemoteClient, input: { projectKey: string; machineId: string }, env: NodeJS.ProcessEnv): Promise<string> {
  const state = readState(env);
  const stateKey = `${client.server}|${input.projectKey}|${input.machineId}`;
  const known = state.sources[stateKey];
  if (known) return known;
  const res = await client.request<{ id: string } | { error: { message: string } }>("POST", "/api/v1/sources", {
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ projectKey: input.projectKey, machineId: input.machineId, name: hostname().slice(0, 120) || "machine" }),
  });
  if (res.status !== 200 || !("id" in res.body)) throw new CliProblem(`${client.server} refused to register this machine: ${messageOf(res.body) ?? `HTTP ${res.status}`}`);
  const fresh = readState(env);
  fresh.sources[stateKey] = res.body.id;
  writeState(fresh, env);
  return res.body.id;
}

const gzipAsync = promisify(gzip);

/** Batches sent before the first one's answer is read: the server reads and checks some while it writes another. */
const IN_FLIGHT = 3;

/** A batch read and compressed, ready to send. */
interface Prepared {
  batch: LocalBatch;
  raw: Buffer;
  gzipped: Buffer | null;
}

/**
 * The batches of `local` from `from`, each read and compressed one step ahead: while a batch is
 * on the wire, the next is read from the source and gzipped (level 1: on the way to a server
 * the bytes saved by a higher level cost more time than they save). Sending stays one batch at
 * a time, in order.
 */
function preparedBatches(local: LocalSource, from: Parameters<LocalSource["batches"]>[0], batchRows: number, batchBytes: number) {
  const iterator = local.batches(from, batchRows, batchBytes)[Symbol.iterator]();
  return async (): Promise<Prepared | null> => {
    // Let the request just started go out before the synchronous read of the next batch.
    await new Promise((resolve) => setImmediate(resolve));
    const step = iterator.next();
    if (step.done) return null;
    const raw = Buffer.from(step.value.body);
    return { batch: step.value, raw, gzipped: step.value.rows > 0 ? await gzipAsync(raw, { level: 1 }) : null };
  };
}

export function checkpointKey(server: string, sourceId: string, local: LocalSource): string {
  return `${server}|${sourceId}|${local.label}|${local.dataset}`;
}

export async function syncOne(
  client: RemoteClient,
  local: LocalSource,
  options: { sourceId: string; env: NodeJS.ProcessEnv; reporter: Reporter; dryRun: boolean; batchRows: number; batchBytes: number },
): Promise<SyncSummary> {
  const key = checkpointKey(client.server, options.sourceId, local);
  let state: SyncState = readState(options.env);
  const from = state.checkpoints[key] ?? null;
  const summary: SyncSummary = { dataset: local.dataset, source: local.label, rows: 0, accepted: 0, duplicates: 0, batches: 0, dryRun: options.dryRun, pending: null };
  const remaining = local.remaining(from);
  if (options.dryRun) {
    let rows = 0;
    for (const b of local.batches(from, options.batchRows, options.batchBytes)) rows += b.rows;
    summary.pending = rows;
    options.reporter.note(`${local.label}: would send ${rows} rows to dataset "${local.dataset}" (dry run: nothing sent)`);
    return summary;
  }
  options.reporter.start(`${local.label} → ${local.dataset}`, remaining);
  // Batches on the wire at once: while the server writes one, it reads the next. Each names
  // the one before (`Atrium-After`) so the server applies them in order; answers are read and
  // checkpoints saved in order.
  const inFlight: Array<{ prepared: Prepared; sending: Promise<{ status: number; body: BatchAnswer }> | null }> = [];
  let start = from ? { value: from.value, rowid: from.rowid } : null;
  let previousKey: string | null = null;
  const prepare = preparedBatches(local, from, options.batchRows, options.batchBytes);
  let upcoming: Promise<Prepared | null> | null = prepare();
  for (;;) {
    const prepared = upcoming ? await upcoming : null;
    upcoming = null;
    if (prepared) {
      const { batch, raw, gzipped } = prepared;
      let sending: (typeof inFlight)[number]["sending"] = null;
      if (gzipped) {
        // Where the batch starts and ends, and what it holds: a retry of it carries the same key.
        const idempotencyKey = createHash("sha256")
          .update(JSON.stringify([options.sourceId, local.dataset, local.label, start?.value ?? null, start?.rowid ?? 0, batch.next]))
          .update(raw)
          .digest("hex");
        sending = client.request<BatchAnswer>("POST", `/api/v1/datasets/${encodeURIComponent(local.dataset)}/rows`, {
          headers: {
            "content-type": batch.contentType,
            "content-encoding": "gzip",
            "idempotency-key": idempotencyKey,
            ...(previousKey ? { "atrium-after": previousKey } : {}),
            "atrium-source": options.sourceId,
            "atrium-cursor": JSON.stringify(batch.next).slice(0, 500),
            ...(local.keyColumns && !from && !previousKey ? { "atrium-key": local.keyColumns.join(",") } : {}),
          },
          body: gzipped,
        });
        sending.catch(() => {});
        previousKey = idempotencyKey;
      }
      start = { value: batch.next.value, rowid: batch.next.rowid };
      inFlight.push({ prepared, sending });
      // The next batch is read while these are on the wire; a failure of either is met in order.
      upcoming = prepare();
      upcoming.catch(() => {});
    }
    if (!inFlight.length) break;
    if (prepared && inFlight.length < IN_FLIGHT) continue;
    const { prepared: done, sending } = inFlight.shift()!;
    if (sending) {
      const res = await sending;
      if (res.status !== 200) throw batchProblem(local, done.batch.origins, res.status, res.body);
      summary.accepted += res.body.accepted;
      summary.duplicates += res.body.duplicates;
      summary.rows += done.batch.rows;
      summary.batches++;
      options.reporter.batch({ rows: done.batch.rows, accepted: res.body.accepted, duplicates: res.body.duplicates, bytes: done.raw.length });
    }
    // The checkpoint moves only after the server has the batch.
    state = readState(options.env);
    const previous = state.checkpoints[key];
    state.checkpoints[key] = { value: done.batch.next.value, rowid: done.batch.next.rowid, rowsSent: (previous?.rowsSent ?? 0) + done.batch.rows, at: new Date().toISOString() };
    writeState(state, options.env);
  }
  options.reporter.done();
  summary.pending = 0;
  return summary;
}

function batchProblem(local: LocalSource, origins: string[], status: number, body: unknown): CliProblem {
  const code = codeOf(body);
  const rejected = (body as BatchAnswer | null)?.rejected ?? [];
  const first = rejected.find((r) => r.row > 0) ?? rejected[0];
  if ((status === 422 || status === 409) && first) {
    const where = first.row > 0 ? origins[first.row - 1] ?? `row ${first.row}` : "the batch";
    const column = first.field ? `, column "${first.field}"` : "";
    const title = code === "SCHEMA_CONFLICT" ? "Schema conflict" : "Rows refused";
    return new CliProblem(
      `${title} in ${local.what} → dataset "${local.dataset}"${column}, ${where}: ${first.message}.${rejected.length > 1 ? ` (${rejected.length - 1} more problem(s) in this batch.)` : ""} Nothing of this batch was written; fix the rows (or send them to another dataset) and run sync again.`,
      5,
    );
  }
  if (status === 413) return new CliProblem(`${local.what}: the server refused a batch as too large (${messageOf(body) ?? "413"}). Try a smaller --batch-rows.`, 5);
  return new CliProblem(`${local.what} → dataset "${local.dataset}": the server answered ${status}${code ? ` ${code}` : ""}: ${messageOf(body) ?? "no message"}`, 5);
}
