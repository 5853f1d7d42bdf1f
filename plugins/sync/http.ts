/**
 * The ingestion API, under `/api/v1`, for the `atrium` CLI and any script with a token:
 *
 *   POST /api/v1/datasets/:name/rows   a batch (JSON lines or CSV, gzip accepted) → the answer
 *   GET  /api/v1/datasets              the org's synced datasets
 *   POST /api/v1/sources               register this machine's local project (idempotent)
 *   GET  /api/v1/sources               the org's machines, last sync and lag
 *
 * Personal access tokens (`Authorization: Bearer atr_…`), or OAuth access tokens issued for
 * this API (`<PUBLIC_URL>/api/v1`: what `atrium login` asks for with the device grant) and
 * granted every project: the org is the token's, never the request's, so a token of one org
 * cannot name another's warehouse. Sending rows needs the
 * `write` scope and the `sync.write` capability. A batch, in order: the body's limit (413), its
 * format (415), inflating under a cap (413), the rows (413 past SYNC_MAX_BATCH_ROWS), an
 * idempotent replay, the org's rows-per-minute budget (429 + Retry-After), then one warehouse
 * transaction (./ingest.ts): 200 with `{accepted, duplicates, rejected, cursor}`, or 409/422 with
 * nothing written.
 */
import { createHash } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { writeAudit } from "~/kernel/audit";
import { httpProblem } from "~/kernel/http/dispatch";
import type { HttpContext, HttpRoute } from "~/kernel/http/routes";
import type { Kernel } from "~/kernel/kernel";
import { ensureWarehouse, invalidateWarehouse, tableNameProblem } from "../data/engine";
import { ingestBatch, peekReplay, type IngestAnswer, type IngestOutcome } from "./ingest";
import { BodyProblem, columnNameOf, formatOf, inflate, parseBatch } from "./parse";
import { recordBatch, sourceInOrg, takeRows } from "./service";
import { syncSettings } from "./settings";
import { syncWrite } from "./capabilities";
import { listDatasetsOperation, postRowsOperation, sourcesOperations } from "./openapi";

export const API_PREFIX = "/api/v1";
export const IDEMPOTENCY_HEADER = "idempotency-key";
export const KEY_HEADER = "atrium-key";
export const SOURCE_HEADER = "atrium-source";
export const CURSOR_HEADER = "atrium-cursor";
export const AFTER_HEADER = "atrium-after";

interface TokenCaller {
  userId: string;
  tokenId: string;
  orgId: string;
  scopes: readonly string[];
}

type Answer = Response;

function problem(ctx: HttpContext, status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Answer {
  return Response.json({ error: { code, message, requestId: ctx.requestId }, ...extra }, { status, headers: { "cache-control": "no-store", ...headers } });
}

/** The token calling, or the 401/403 to answer. */
async function tokenCaller(ctx: HttpContext, needs: "read" | "write"): Promise<TokenCaller | Answer> {
  let actor;
  try {
    actor = await ctx.caller();
  } catch (err) {
    if (err instanceof TRPCError) return problem(ctx, getHTTPStatusCodeFromError(err), err.code, err.message, {}, { "www-authenticate": 'Bearer error="invalid_token"' });
    throw err;
  }
  if (actor.kind !== "token") {
    return problem(ctx, 401, "UNAUTHORIZED", "Send a personal access token: `Authorization: Bearer atr_…` (create one under Account › Access tokens).", {}, { "www-authenticate": "Bearer" });
  }
  // The datasets are the org's, not a project's: a grant narrowed to some projects cannot reach them.
  if (actor.projectIds) return problem(ctx, 403, "FORBIDDEN", "This connection is limited to some projects; the ingestion API writes the organization's datasets. Approve it for every project (run `atrium login` again).");
  const has = actor.scopes.includes(needs) || (needs === "read" && actor.scopes.includes("write"));
  if (!has) return problem(ctx, 403, "FORBIDDEN", `This token lacks the "${needs}" scope.`, {}, { "www-authenticate": `Bearer error="insufficient_scope", scope="${needs}"` });
  return { userId: actor.userId, tokenId: actor.tokenId, orgId: actor.orgId, scopes: actor.scopes };
}

/** 403 unless the token's person may send rows in its org (404 when no longer a member). */
async function mayWrite(kernel: Kernel, ctx: HttpContext, caller: TokenCaller): Promise<Answer | null> {
  const role = await kernel.withScope({ userId: caller.userId, orgId: caller.orgId }, (trx) => kernel.tenancy.memberRoleOf(caller.userId, caller.orgId, trx));
  if (!role) return problem(ctx, 404, "NOT_FOUND", "Organization not found.");
  if (!kernel.capabilities.allows(role, syncWrite.id)) return problem(ctx, 403, "FORBIDDEN", `Your role (${role}) does not allow this: ${syncWrite.description}.`);
  return null;
}

function headerValue(request: Request, name: string, max: number): string | null | "bad" {
  const v = request.headers.get(name);
  if (v === null) return null;
  const t = v.trim();
  if (!t || t.length > max || !/^[\x20-\x7e]+$/.test(t)) return "bad";
  return t;
}

async function readBytes(request: Request): Promise<Uint8Array> {
  return new Uint8Array(await request.arrayBuffer());
}

function answerBody(answer: IngestAnswer) {
  return { accepted: answer.accepted, duplicates: answer.duplicates, rejected: answer.rejected, cursor: answer.cursor };
}

async function postRows(request: Request, ctx: HttpContext): Promise<Answer> {
  const { kernel } = ctx;
  const settings = syncSettings(kernel);
  const caller = await tokenCaller(ctx, "write");
  if (caller instanceof Response) return caller;
  const denied = await mayWrite(kernel, ctx, caller);
  if (denied) return denied;

  const dataset = ctx.params.name ?? "";
  const nameProblem = tableNameProblem(dataset);
  if (nameProblem) return problem(ctx, 422, "INVALID_DATASET", `Dataset name ${JSON.stringify(dataset.slice(0, 80))}: ${nameProblem}.`, { fieldErrors: { name: [nameProblem] } });

  const key = headerValue(request, IDEMPOTENCY_HEADER, 255);
  if (key === "bad") return problem(ctx, 422, "INVALID_IDEMPOTENCY_KEY", "Idempotency-Key must be 1 to 255 printable characters.", { fieldErrors: { "Idempotency-Key": ["1 to 255 printable characters"] } });
  const after = headerValue(request, AFTER_HEADER, 255);
  if (after === "bad") return problem(ctx, 422, "INVALID_AFTER", "Atrium-After must be 1 to 255 printable characters: the Idempotency-Key of the batch sent before.", { fieldErrors: { "Atrium-After": ["1 to 255 printable characters"] } });
  if (after && !key) return problem(ctx, 422, "INVALID_AFTER", "Atrium-After orders batches by their Idempotency-Key: send one with this batch too.", { fieldErrors: { "Idempotency-Key": ["Required with Atrium-After"] } });
  const cursor = headerValue(request, CURSOR_HEADER, 500);
  if (cursor === "bad") return problem(ctx, 422, "INVALID_CURSOR", "Atrium-Cursor must be 1 to 500 printable characters.", { fieldErrors: { "Atrium-Cursor": ["1 to 500 printable characters"] } });
  const source = headerValue(request, SOURCE_HEADER, 36);
  if (source === "bad" || (source && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(source))) {
    return problem(ctx, 422, "INVALID_SOURCE", "Atrium-Source must be the id POST /api/v1/sources returned.", { fieldErrors: { "Atrium-Source": ["A source id (UUID)"] } });
  }
  const rawKeys = headerValue(request, KEY_HEADER, 1000);
  if (rawKeys === "bad") return problem(ctx, 422, "INVALID_KEY", "Atrium-Key must name key columns, separated by commas.", { fieldErrors: { "Atrium-Key": ["Column names separated by commas"] } });
  let keyColumns: string[] | null = null;
  if (rawKeys) {
    keyColumns = [];
    for (const raw of rawKeys.split(",")) {
      const name = columnNameOf(raw);
      if (!name || keyColumns.includes(name) || keyColumns.length >= 16) {
        return problem(ctx, 422, "INVALID_KEY", `Atrium-Key: ${JSON.stringify(raw.trim())} is not a usable key column (at most 16 distinct names).`, { fieldErrors: { "Atrium-Key": ["Column names separated by commas"] } });
      }
      keyColumns.push(name);
    }
  }

  let outcome: IngestOutcome;
  let batchRows = 0;
  try {
    const format = formatOf(request.headers.get("content-type"));
    const body = await inflate(await readBytes(request), request.headers.get("content-encoding"), settings.maxInflatedBytes);
    const batch = await parseBatch(body, format, settings.maxBatchRows);
    batchRows = batch.rows.length;
    if (source) await kernel.withScope({ userId: caller.userId, orgId: caller.orgId }, (trx) => sourceInOrg(trx, caller.orgId, source));
    const idempotency = key
      ? {
          key,
          requestHash: createHash("sha256")
            .update(JSON.stringify([dataset, keyColumns, source, cursor, format]))
            .update("\n")
            .update(body)
            .digest("hex"),
        }
      : null;
    const replay = idempotency ? await kernel.withScope({ userId: caller.userId, orgId: caller.orgId }, (trx) => peekReplay(kernel, trx, caller.orgId, idempotency)) : null;
    if (replay) outcome = replay;
    else {
      if (batchRows > settings.rowsPerMinute) {
        return problem(ctx, 413, "TOO_MANY_ROWS", `A batch may carry at most ${settings.rowsPerMinute} rows (the organization's budget per minute): split it.`, answerBody({ dataset, accepted: 0, duplicates: 0, rejected: [], cursor: null }));
      }
      const budget = await takeRows(kernel.db, caller.orgId, batchRows, settings.rowsPerMinute);
      if (!budget.allowed) {
        return problem(
          ctx,
          429,
          "TOO_MANY_REQUESTS",
          `The organization sent more than ${settings.rowsPerMinute} rows this minute; retry in ${budget.retryAfterSeconds} s.`,
          answerBody({ dataset, accepted: 0, duplicates: 0, rejected: [], cursor: null }),
          { "retry-after": String(budget.retryAfterSeconds) },
        );
      }
      const warehouse = await kernel.withScope({ userId: caller.userId, orgId: caller.orgId }, (trx) => ensureWarehouse(kernel, trx, caller.orgId));
      outcome = await ingestBatch(kernel, warehouse, { orgId: caller.orgId, dataset, batch, keyColumns, idempotency, after, signal: ctx.signal, afterWaitMs: settings.afterWaitMs, sourceId: source, cursor, maxColumns: settings.maxColumns });
    }
  } catch (err) {
    if (err instanceof BodyProblem) return problem(ctx, err.status, err.code, err.message, answerBody({ dataset, accepted: 0, duplicates: 0, rejected: [], cursor: null }));
    throw err;
  }

  if (outcome.status !== 200) {
    return problem(ctx, outcome.status, outcome.code, outcome.message, { ...answerBody(outcome.answer), fieldErrors: fieldErrorsOf(outcome.answer) });
  }
  if (outcome.replayed) {
    return Response.json(answerBody(outcome.answer), { headers: { "cache-control": "no-store", "idempotent-replayed": "true" } });
  }
  // The warehouse committed: what the app shows, the audit entry, cached results.
  await kernel.withScope({ userId: caller.userId, orgId: caller.orgId }, async (trx) => {
    await recordBatch(trx, caller.orgId, {
      dataset,
      keyColumns: outcome.keyColumns,
      columnCount: outcome.columnCount,
      rowCount: outcome.rowCount,
      accepted: outcome.answer.accepted,
      sourceId: source,
      cursor,
    });
    await writeAudit(
      trx,
      { kind: "token", userId: caller.userId, tokenId: caller.tokenId },
      {
        action: "sync.rows.ingest",
        orgId: caller.orgId,
        target: { type: "sync_dataset", id: dataset },
        data: { rows: batchRows, accepted: outcome.answer.accepted, duplicates: outcome.answer.duplicates, newColumns: outcome.newColumns, created: outcome.created },
      },
      { ip: ctx.ip, requestId: ctx.requestId },
    );
  }).catch((err: unknown) => kernel.log.warn({ err: (err as Error).message, requestId: ctx.requestId }, "could not record a synced batch in the app database"));
  invalidateWarehouse(kernel, caller.orgId);
  await kernel.events.emit("data.warehouse.changed", { table: dataset }, { orgId: caller.orgId }).catch(() => {});
  return Response.json(answerBody(outcome.answer), { headers: { "cache-control": "no-store" } });
}

function fieldErrorsOf(answer: IngestAnswer): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of answer.rejected) {
    if (!p.field) continue;
    (out[p.field] ??= []).push(p.row ? `Row ${p.row}: ${p.message}` : p.message);
  }
  return out;
}

/** Runs a procedure as the token, translating its errors into this API's shape. */
async function viaProcedure(ctx: HttpContext, needs: "read" | "write", path: string, input: (caller: TokenCaller) => unknown): Promise<Answer> {
  const caller = await tokenCaller(ctx, needs);
  if (caller instanceof Response) return caller;
  try {
    const result = await ctx.call(path, input(caller));
    return Response.json(result, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    if (err instanceof TRPCError) {
      const status = getHTTPStatusCodeFromError(err);
      if (status < 500) {
        const fieldErrors = (err.cause as { fieldErrors?: unknown } | undefined)?.fieldErrors;
        return problem(ctx, status, err.code, err.message, fieldErrors ? { fieldErrors } : {});
      }
    }
    throw err;
  }
}

async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  try {
    const value: unknown = await request.json();
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch (err) {
    if ((err as Error).name === "PayloadTooLarge") throw err;
    return {};
  }
}

/** OAuth access tokens are good here when issued for this resource (RFC 8707). */
const bearerResource = API_PREFIX;

export const syncHttpRoutes: readonly HttpRoute[] = [
  {
    method: "POST",
    path: `${API_PREFIX}/datasets/:name/rows`,
    bearerResource,
    maxBodyBytes: (kernel) => syncSettings(kernel).maxBatchBytes,
    openapi: postRowsOperation,
    handle: postRows,
  },
  {
    method: "GET",
    path: `${API_PREFIX}/datasets`,
    bearerResource,
    openapi: listDatasetsOperation,
    handle: (_request, ctx) => viaProcedure(ctx, "read", "sync.datasets.list", (c) => ({ orgId: c.orgId })),
  },
  {
    method: "GET",
    path: `${API_PREFIX}/sources`,
    bearerResource,
    openapi: { get: sourcesOperations.get },
    handle: (_request, ctx) => viaProcedure(ctx, "read", "sync.sources.list", (c) => ({ orgId: c.orgId })),
  },
  {
    method: "POST",
    path: `${API_PREFIX}/sources`,
    bearerResource,
    maxBodyBytes: 4096,
    openapi: { post: sourcesOperations.post },
    handle: async (request, ctx) => {
      const body = await jsonBody(request);
      return viaProcedure(ctx, "write", "sync.sources.register", (c) => ({ ...body, orgId: c.orgId }));
    },
  },
];

export const httpProblemOf = httpProblem;
