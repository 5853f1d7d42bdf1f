/**
 * Data sources and the query engine: plain functions over a database handle, no HTTP.
 *
 * Sources live in `data_sources` (secret fields encrypted with AES-256-GCM, bound to the org and
 * the source id); the org's warehouse is a built-in source with the id "warehouse". The engine
 * wraps every connector call with the per-org concurrency limit, the result cache and the
 * error shapes the procedures answer with.
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { ColumnType, Kysely, Selectable, Updateable } from "kysely";
import { z } from "zod";
import { secretBox } from "~/kernel/crypto";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { FieldErrors, fieldError } from "~/kernel/errors";
import { lockForTransaction } from "~/kernel/db/locks";
import { ConnectionFailure, QueryFailure, connectorFor, listConnectors, type Connector, type TableInfo } from "./connectors";
import type { QueryColumn, QueryLimits, QueryValue } from "./pg-safe";
import "./postgres"; // registers the built-in connectors
import { dataRuntime } from "./runtime";
import { findWarehouse } from "./warehouse";

export const WAREHOUSE_SOURCE_ID = "warehouse";
/** Connected sources an org holds at most (the built-in warehouse is not one of them): the source list stays one short page. */
export const MAX_SOURCES_PER_ORG = 100;
const SECRETS_PURPOSE = "data.source-secrets";

// A type alias, not an interface: `withTables` needs an index-signature-compatible record.
/** The plugin's source table (migrations); the id is chosen here, so the secrets can be bound to it. */
export type DataSourceTables = {
  data_sources: {
    id: string;
    org_id: string;
    name: string;
    type: string;
    config: Record<string, unknown>;
    secrets: string | null;
    created_by: string | null;
    created_at: ColumnType<Date, Date | string | undefined, Date | string>;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
};

type SourceRow = Selectable<DataSourceTables["data_sources"]>;

/** The kernel's tables and the plugin's source table, on any kernel handle. */
function sources(db: Kysely<KernelDatabase>): Kysely<KernelDatabase & DataSourceTables> {
  return db.withTables<DataSourceTables>();
}

/** A data source as callers see it: never a secret, only whether one is set. */
export interface DataSourceView {
  id: string;
  name: string;
  type: string;
  /** The connector's label: "PostgreSQL", "Warehouse". */
  label: string;
  /** The org's warehouse: always there, cannot be changed or deleted. */
  builtIn: boolean;
  /** The configuration without its secret fields. */
  config: Record<string, unknown>;
  /** Whether a password is stored (it is never returned). */
  hasPassword: boolean;
  /** For the warehouse: whether its database exists yet (it is created on first use). */
  provisioned: boolean;
  createdAt: string | null;
  updatedAt: string | null;
}

/* ---------------------------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------------------------ */

function fieldErrorsError(code: "UNPROCESSABLE_CONTENT", fields: Record<string, string[]>, message?: string): TRPCError {
  const first = Object.entries(fields)[0];
  return new TRPCError({ code, message: message ?? (first ? `${first[0]}: ${first[1][0]}` : "Invalid input"), cause: new FieldErrors(fields) });
}

/** The TRPCError a connector failure answers with. */
export function engineError(err: unknown): unknown {
  if (err instanceof QueryFailure) {
    switch (err.kind) {
      case "cancelled":
        return new TRPCError({ code: "CLIENT_CLOSED_REQUEST", message: err.message });
      case "busy":
        return new TRPCError({ code: "TOO_MANY_REQUESTS", message: err.message });
      default:
        return fieldError("UNPROCESSABLE_CONTENT", "sql", err.message);
    }
  }
  if (err instanceof ConnectionFailure) {
    return new TRPCError({ code: "BAD_GATEWAY", message: err.message });
  }
  return err;
}

function notFound(): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message: "Data source not found." });
}

/* ---------------------------------------------------------------------------------------------
 * Sources
 * ------------------------------------------------------------------------------------------ */

function connectorOrThrow(type: string): Connector {
  const connector = connectorFor(type);
  if (!connector) throw new Error(`No connector is registered for type "${type}"`);
  return connector;
}

function viewOf(row: SourceRow): DataSourceView {
  const connector = connectorFor(row.type);
  const secretFields = connector?.secretFields ?? [];
  const config = Object.fromEntries(Object.entries(row.config).filter(([k]) => !secretFields.includes(k)));
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    label: connector?.label ?? row.type,
    builtIn: false,
    config,
    hasPassword: row.secrets !== null && secretFields.includes("password"),
    provisioned: true,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function warehouseView(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string): Promise<DataSourceView> {
  const info = await findWarehouse(kernel, db, orgId);
  return {
    id: WAREHOUSE_SOURCE_ID,
    name: "Warehouse",
    type: "warehouse",
    label: "Warehouse",
    builtIn: true,
    config: {},
    hasPassword: false,
    provisioned: info !== null,
    createdAt: null,
    updatedAt: null,
  };
}

/** The connector types people can add, with a JSON Schema of their settings for the "connect a source" form. */
export function connectorTypes(): Array<{ type: string; label: string; secretFields: string[]; configSchema: Record<string, unknown> }> {
  return listConnectors()
    .filter((c) => c.userCreatable)
    .map((c) => ({ type: c.type, label: c.label, secretFields: [...c.secretFields], configSchema: z.toJSONSchema(c.configSchema, { io: "input" }) as Record<string, unknown> }));
}

/** The org's sources: the warehouse first, then the others by name. */
export async function listSources(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string): Promise<DataSourceView[]> {
  const rows = await sources(db).selectFrom("data_sources").selectAll().where("org_id", "=", orgId).orderBy("name").execute();
  return [await warehouseView(kernel, db, orgId), ...rows.map(viewOf)];
}

async function findRow(db: Kysely<KernelDatabase>, orgId: string, sourceId: string): Promise<SourceRow> {
  if (!/^[0-9a-f-]{36}$/i.test(sourceId)) throw notFound();
  const row = await sources(db).selectFrom("data_sources").selectAll().where("org_id", "=", orgId).where("id", "=", sourceId).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export async function getSource(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string, sourceId: string): Promise<DataSourceView> {
  if (sourceId === WAREHOUSE_SOURCE_ID) return warehouseView(kernel, db, orgId);
  return viewOf(await findRow(db, orgId, sourceId));
}

function secretsOf(kernel: Kernel, row: SourceRow): Record<string, unknown> {
  if (!row.secrets) return {};
  return JSON.parse(secretBox(kernel.secret, SECRETS_PURPOSE).decrypt(row.secrets, `${row.org_id}:${row.id}`)) as Record<string, unknown>;
}

/** Validates `config` with the connector's schema; field errors are reported under `config.`. */
function parseConfig(connector: Connector, config: unknown): unknown {
  const parsed = connector.configSchema.safeParse(config);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) {
    const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    for (const path of keys) {
      const key = ["config", ...path.map(String)].join(".");
      const message = issue.code === "unrecognized_keys" ? `Unknown setting "${String(path[path.length - 1])}": ${connector.label} sources accept only their own settings` : issue.message;
      (fields[key] ??= []).push(message);
    }
  }
  throw fieldErrorsError("UNPROCESSABLE_CONTENT", fields, `Invalid ${connector.label} settings: ${Object.entries(fields).map(([k, v]) => `${k}: ${v[0]}`).join("; ")}`);
}

function splitSecrets(connector: Connector, config: Record<string, unknown>) {
  const publicConfig: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) (connector.secretFields.includes(k) ? secrets : publicConfig)[k] = v;
  return { publicConfig, secrets };
}

/** Tests `config` for `connector`; throws a 422 naming the field at fault. */
async function testOrThrow(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string, sourceId: string, connector: Connector, config: unknown): Promise<void> {
  try {
    await connector.testConnection({ kernel, db, orgId, sourceId }, config);
  } catch (err) {
    if (err instanceof ConnectionFailure) {
      const field = err.field ? `config.${err.field}` : "config";
      throw fieldError("UNPROCESSABLE_CONTENT", field, `The connection test failed: ${err.message}`);
    }
    throw err;
  }
}

export interface TestResult {
  ok: boolean;
  /** What went wrong, or "Connected". */
  message: string;
  /** The config field at fault (`config.password`…), when known. */
  field: string | null;
  elapsedMs: number;
}

/** Tests a configuration without saving it. With `sourceId`, omitted fields (the password) come from the saved source. */
export async function testSource(
  kernel: Kernel,
  db: Kysely<KernelDatabase>,
  orgId: string,
  input: { sourceId?: string; type?: string; config?: Record<string, unknown> },
): Promise<TestResult> {
  const started = performance.now();
  let connector: Connector;
  let config: Record<string, unknown>;
  let sourceId = input.sourceId ?? randomUUID();
  if (input.sourceId === WAREHOUSE_SOURCE_ID) {
    connector = connectorOrThrow("warehouse");
    config = {};
  } else if (input.sourceId) {
    const row = await findRow(db, orgId, input.sourceId);
    connector = connectorOrThrow(row.type);
    config = { ...row.config, ...secretsOf(kernel, row), ...(input.config ?? {}) };
    sourceId = row.id;
  } else {
    const type = input.type ?? "";
    const found = connectorFor(type);
    if (!found || !found.userCreatable) throw fieldError("UNPROCESSABLE_CONTENT", "type", `Unknown source type "${type}"`);
    connector = found;
    config = input.config ?? {};
  }
  const parsed = parseConfig(connector, config);
  const elapsed = () => Math.round(performance.now() - started);
  try {
    await connector.testConnection({ kernel, db, orgId, sourceId }, parsed);
    return { ok: true, message: "Connected", field: null, elapsedMs: elapsed() };
  } catch (err) {
    if (err instanceof ConnectionFailure) return { ok: false, message: err.message, field: err.field ? `config.${err.field}` : null, elapsedMs: elapsed() };
    throw err;
  }
}

async function assertNameFree(db: Kysely<KernelDatabase>, orgId: string, name: string, exceptId?: string): Promise<void> {
  if (name.toLowerCase() === WAREHOUSE_SOURCE_ID) throw fieldError("CONFLICT", "name", `"${name}" is the built-in warehouse's name; choose another`);
  let q = sources(db).selectFrom("data_sources").select("id").where("org_id", "=", orgId).where((eb) => eb.fn("lower", ["name"]), "=", name.toLowerCase());
  if (exceptId) q = q.where("id", "!=", exceptId);
  if (await q.executeTakeFirst()) throw fieldError("CONFLICT", "name", `A data source named "${name}" already exists`);
}

/**
 * 422 on `name` when the org already holds {@link MAX_SOURCES_PER_ORG} sources. Counted under a
 * lock on the org held until `db`'s transaction ends, so two creations racing at the limit
 * cannot both pass (the second counts after the first commits).
 */
async function assertRoomForSource(db: Kysely<KernelDatabase>, orgId: string): Promise<void> {
  await lockForTransaction(db, `atrium:data-sources:${orgId}`);
  const { held } = await sources(db)
    .selectFrom("data_sources")
    .select((eb) => eb.fn.countAll<string>().as("held"))
    .where("org_id", "=", orgId)
    .executeTakeFirstOrThrow();
  if (Number(held) >= MAX_SOURCES_PER_ORG) {
    throw fieldError("UNPROCESSABLE_CONTENT", "name", `An organization holds at most ${MAX_SOURCES_PER_ORG} data sources; delete one you no longer use first.`);
  }
}

/**
 * Saves a new source after a successful connection test; a failed test saves nothing. `db` is
 * the caller's transaction: the limit's lock lasts until it ends. The limit is checked before
 * the test (no connection is tried for a source that could not be saved), so creations in one
 * org wait for each other's test.
 */
export async function createSource(
  kernel: Kernel,
  db: Kysely<KernelDatabase>,
  orgId: string,
  userId: string | null,
  input: { name: string; type: string; config: Record<string, unknown> },
): Promise<DataSourceView> {
  const connector = connectorFor(input.type);
  if (!connector || !connector.userCreatable) throw fieldError("UNPROCESSABLE_CONTENT", "type", `Unknown source type "${input.type}"; one of: ${connectorTypes().map((c) => c.type).join(", ")}`);
  const config = parseConfig(connector, input.config) as Record<string, unknown>;
  await assertRoomForSource(db, orgId);
  await assertNameFree(db, orgId, input.name);
  const id = randomUUID();
  await testOrThrow(kernel, db, orgId, id, connector, config);
  const { publicConfig, secrets } = splitSecrets(connector, config);
  const row = await sources(db)
    .insertInto("data_sources")
    .values({
      id,
      org_id: orgId,
      name: input.name,
      type: connector.type,
      config: publicConfig,
      secrets: Object.keys(secrets).length ? secretBox(kernel.secret, SECRETS_PURPOSE).encrypt(JSON.stringify(secrets), `${orgId}:${id}`) : null,
      created_by: userId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return viewOf(row);
}

/** Renames a source and/or changes its settings (tested first). Omitted secret fields keep their stored value. */
export async function updateSource(
  kernel: Kernel,
  db: Kysely<KernelDatabase>,
  orgId: string,
  input: { sourceId: string; name?: string; config?: Record<string, unknown> },
): Promise<DataSourceView> {
  if (input.sourceId === WAREHOUSE_SOURCE_ID) throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: "The built-in warehouse cannot be changed." });
  const row = await findRow(db, orgId, input.sourceId);
  const connector = connectorOrThrow(row.type);
  const patch: Updateable<DataSourceTables["data_sources"]> = { updated_at: new Date() };
  if (input.name !== undefined && input.name !== row.name) {
    await assertNameFree(db, orgId, input.name, row.id);
    patch.name = input.name;
  }
  if (input.config) {
    const merged = parseConfig(connector, { ...row.config, ...secretsOf(kernel, row), ...input.config }) as Record<string, unknown>;
    await testOrThrow(kernel, db, orgId, row.id, connector, merged);
    const { publicConfig, secrets } = splitSecrets(connector, merged);
    patch.config = publicConfig;
    patch.secrets = Object.keys(secrets).length ? secretBox(kernel.secret, SECRETS_PURPOSE).encrypt(JSON.stringify(secrets), `${orgId}:${row.id}`) : null;
  }
  const updated = await sources(db)
    .updateTable("data_sources")
    .set(patch)
    .where("org_id", "=", orgId)
    .where("id", "=", row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await connector.release?.({ kernel, sourceId: row.id });
  dataRuntime(kernel).cache.deletePrefix(`${orgId}\u0000${row.id}\u0000`);
  return viewOf(updated);
}

export async function deleteSource(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string, sourceId: string): Promise<{ id: string; name: string }> {
  if (sourceId === WAREHOUSE_SOURCE_ID) throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: "The built-in warehouse cannot be deleted." });
  const row = await findRow(db, orgId, sourceId);
  await sources(db).deleteFrom("data_sources").where("org_id", "=", orgId).where("id", "=", row.id).execute();
  await connectorFor(row.type)?.release?.({ kernel, sourceId: row.id });
  dataRuntime(kernel).cache.deletePrefix(`${orgId}\u0000${row.id}\u0000`);
  return { id: row.id, name: row.name };
}

/* ---------------------------------------------------------------------------------------------
 * The engine
 * ------------------------------------------------------------------------------------------ */

interface ResolvedSource {
  id: string;
  connector: Connector;
  config: unknown;
  /** Changes when the source's data or settings change: part of the cache key. */
  version: string;
}

async function resolveSource(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string, sourceId: string): Promise<ResolvedSource> {
  if (sourceId === WAREHOUSE_SOURCE_ID) {
    return { id: WAREHOUSE_SOURCE_ID, connector: connectorOrThrow("warehouse"), config: {}, version: `g${dataRuntime(kernel).warehouseGeneration.get(orgId) ?? 0}` };
  }
  const row = await findRow(db, orgId, sourceId);
  const connector = connectorOrThrow(row.type);
  const config = connector.configSchema.parse({ ...row.config, ...secretsOf(kernel, row) });
  return { id: row.id, connector, config, version: String(row.updated_at.getTime()) };
}

/** Runs `fn` as one of the org's running queries; 429 past the per-org limit (this instance). */
async function withConcurrencySlot<T>(kernel: Kernel, orgId: string, fn: () => Promise<T>): Promise<T> {
  const runtime = dataRuntime(kernel);
  const running = runtime.running.get(orgId) ?? 0;
  if (running >= runtime.settings.concurrency) {
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message: `This organization already has ${running} queries running (the limit is ${runtime.settings.concurrency}); try again when one finishes.`,
    });
  }
  runtime.running.set(orgId, running + 1);
  try {
    return await fn();
  } finally {
    const now = (runtime.running.get(orgId) ?? 1) - 1;
    if (now <= 0) runtime.running.delete(orgId);
    else runtime.running.set(orgId, now);
  }
}

export interface QueryInput {
  sourceId: string;
  sql: string;
  params: readonly unknown[];
  /** Fewer rows than the server's cap. */
  maxRows?: number;
  /** Skip the cache and run the query again. */
  refresh?: boolean;
}

export interface QueryResponse {
  columns: QueryColumn[];
  /** Rows as arrays aligned with `columns`. */
  rows: QueryValue[][];
  rowCount: number;
  truncated: boolean;
  /** Why the result was cut: more rows than the cap, or more bytes than the cap. */
  truncatedReason: "rows" | "bytes" | null;
  /** Time the database took (of the original run, for a cached result). */
  elapsedMs: number;
  cached: boolean;
  /** When the result was computed (ISO), for a cached one. */
  cachedAt: string | null;
}

export function queryLimits(kernel: Kernel, maxRows?: number): QueryLimits {
  const s = dataRuntime(kernel).settings;
  return { timeoutMs: s.queryTimeoutMs, lockTimeoutMs: s.lockTimeoutMs, maxRows: Math.min(maxRows ?? s.maxRows, s.maxRows), maxBytes: s.maxBytes };
}

/** Runs one read-only statement on a source, through the cache and the concurrency limit. */
export async function runQuery(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string, input: QueryInput, signal?: AbortSignal): Promise<QueryResponse> {
  const source = await resolveSource(kernel, db, orgId, input.sourceId);
  const limits = queryLimits(kernel, input.maxRows);
  const runtime = dataRuntime(kernel);
  const key = [orgId, source.id, source.version, limits.maxRows, input.sql, JSON.stringify(input.params)].join("\u0000");
  if (!input.refresh) {
    const hit = runtime.cache.get(key);
    if (hit) return { ...(hit.value as QueryResponse), cached: true, cachedAt: new Date(hit.at).toISOString() };
    // The same query is running for someone else (many people opening one shared dashboard at
    // once): share its answer instead of taking another of the org's query slots.
    const running = runtime.inflight.get(key) as Promise<QueryResponse> | undefined;
    if (running) {
      try {
        return await running;
      } catch (err) {
        // Cancelled because the caller who started it went away: this caller runs it itself.
        if (!(err instanceof TRPCError && err.code === "CLIENT_CLOSED_REQUEST") || signal?.aborted) throw err;
        return runQuery(kernel, db, orgId, input, signal);
      }
    }
  }
  const run = (async (): Promise<QueryResponse> => {
    const result = await withConcurrencySlot(kernel, orgId, async () => {
      try {
        return await source.connector.runQuery({ kernel, db, orgId, sourceId: source.id, signal }, source.config, { sql: input.sql, params: input.params, limits });
      } catch (err) {
        throw engineError(err);
      }
    });
    const response: QueryResponse = {
      columns: result.columns,
      rows: result.rows,
      rowCount: result.rows.length,
      truncated: result.truncated,
      truncatedReason: result.truncatedReason,
      elapsedMs: result.elapsedMs,
      cached: false,
      cachedAt: null,
    };
    runtime.cache.set(key, response, result.bytes + 256);
    return response;
  })();
  runtime.inflight.set(key, run);
  try {
    return await run;
  } finally {
    if (runtime.inflight.get(key) === run) runtime.inflight.delete(key);
  }
}

/** The tables and views a query on the source can read. */
export async function describeTables(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string, sourceId: string, signal?: AbortSignal): Promise<TableInfo[]> {
  const source = await resolveSource(kernel, db, orgId, sourceId);
  return withConcurrencySlot(kernel, orgId, async () => {
    try {
      return await source.connector.describeTables({ kernel, db, orgId, sourceId: source.id, signal }, source.config, queryLimits(kernel));
    } catch (err) {
      throw engineError(err);
    }
  });
}

/** Forgets cached results of an org's warehouse (after an import, on every instance through an event). */
export function invalidateWarehouse(kernel: Kernel, orgId: string): void {
  const runtime = dataRuntime(kernel);
  runtime.warehouseGeneration.set(orgId, (runtime.warehouseGeneration.get(orgId) ?? 0) + 1);
  runtime.cache.deletePrefix(`${orgId}\u0000${WAREHOUSE_SOURCE_ID}\u0000`);
}
