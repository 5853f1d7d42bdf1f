/**
 * Running a dashboard: resolve its variables, compute the options of variables whose options
 * come from a query, compile visual queries against the source's tables, bind variables as
 * parameters, and run each query through the data plugin's engine (its limits, cache, READ ONLY
 * safety and per-org concurrency limit). A failing query is a result of its own
 * (`{ ok: false, error }`), so each chart shows its error in place; nothing here throws a 500
 * for a query the database refused.
 */
import { TRPCError } from "@trpc/server";
import type { Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { FieldErrors } from "~/kernel/errors";
import { WAREHOUSE_SOURCE_ID, describeTables, queryConcurrency, runQuery, type QueryResponse, type TableInfo } from "../data/engine";
import {
  compileVisual,
  prepareQuery as prepareDocumentQuery,
  resolveVariableValues,
  variableOptionList,
  type Dashboard,
  type QueryDef,
  type SpecError,
  type Variable,
  type VisualQuery,
  validateVariableValues,
} from "./document";
import { describeSpecError } from "./service";

export interface ColumnInfo {
  name: string;
  type: string;
}

export type QueryResult =
  | { ok: true; columns: ColumnInfo[]; rows: Record<string, unknown>[]; truncated: boolean; ms: number; cached: boolean; ranAt: string }
  | { ok: false; error: { code: string; message: string; line?: number } };

export interface VariableOption {
  value: unknown;
  label: string;
}

export interface RunOutput {
  ranAt: string;
  /** The values the queries ran with (defaults and presets resolved). */
  variables: Record<string, unknown>;
  variableOptions: Record<string, VariableOption[]>;
  results: Record<string, QueryResult>;
}

/** Where queries run: the org, its scoped transaction, and the caller's abort signal. */
export interface RunScope {
  kernel: Kernel;
  db: Kysely<KernelDatabase>;
  orgId: string;
  signal?: AbortSignal;
}

/* ---------------------------------------------------------------------------------------------
 * Variables
 * ------------------------------------------------------------------------------------------ */

function variablesError(fields: Record<string, string[]>): TRPCError {
  const [field, messages] = Object.entries(fields)[0] ?? ["variables", ["Invalid value"]];
  return new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: `${field}: ${messages[0]}`, cause: new FieldErrors(fields) });
}

/** A spec error's path (`variables.0.default`, `region`) as the field `variables.<name>`. */
function variableField(variables: readonly Variable[], e: { path?: string }): string {
  const path = e.path ?? "";
  const byIndex = /^variables\.(\d+)/.exec(path);
  if (byIndex) return `variables.${variables[Number(byIndex[1])]?.name ?? byIndex[1]}`;
  const name = path.replace(/^variables\./, "").split(".")[0];
  return name ? `variables.${name}` : "variables";
}

/**
 * Defaults and presets filled in, given values checked against each variable's type: a value
 * that does not fit is a 422 on `variables.<name>`, never a query with a wrong parameter.
 */
export function resolveValues(variables: readonly Variable[], given: Record<string, unknown>, now = new Date()): Record<string, unknown> {
  const unknown = Object.keys(given).filter((name) => !variables.some((v) => v.name === name));
  if (unknown.length) {
    throw variablesError(Object.fromEntries(unknown.map((name) => [`variables.${name}`, [`This dashboard has no variable "${name}"`]])));
  }
  const errors = validateVariableValues([...variables], given);
  if (errors.length) {
    const fields: Record<string, string[]> = {};
    for (const e of errors) (fields[variableField(variables, e)] ??= []).push(e.hint ? `${e.message}. ${e.hint}` : e.message);
    throw variablesError(fields);
  }
  return resolveVariableValues([...variables], given, now);
}

/* ---------------------------------------------------------------------------------------------
 * One query
 * ------------------------------------------------------------------------------------------ */

/** A query ready for the engine, or why it cannot run. */
type Prepared = { ok: true; sql: string; parameters: unknown[] } | { ok: false; error: { code: string; message: string; line?: number } };

function specFailure(code: string, errors: SpecError[]): Prepared {
  const first = errors[0];
  return {
    ok: false,
    error: { code, message: errors.map(describeSpecError).join("; ") || "The query is not valid", ...(first?.line ? { line: first.line } : {}) },
  };
}

/** Compiles (visual) or binds (SQL) one query definition (the document module's prepareQuery), as an engine-ready query or why it cannot run. */
export function prepareQuery(def: QueryDef, variables: readonly Variable[], values: Record<string, unknown>, tables: TableInfo[] | null): Prepared {
  if (def.visual && !tables) return { ok: false, error: { code: "source_unavailable", message: "The data source's tables could not be read." } };
  const prepared = prepareDocumentQuery(def, [...variables], values, tables ?? []);
  if (prepared.ok) return prepared;
  const compileFailed = def.visual !== undefined && prepared.errors.some((e) => e.path === "visual" || e.path.startsWith("visual."));
  return specFailure(compileFailed ? "invalid_visual_query" : "invalid_variables", prepared.errors);
}

function lineOf(message: string): number | undefined {
  const m = /\bline (\d+)/i.exec(message);
  return m ? Number(m[1]) : undefined;
}

const ENGINE_CODES: Record<string, string> = {
  UNPROCESSABLE_CONTENT: "query_failed",
  TOO_MANY_REQUESTS: "busy",
  CLIENT_CLOSED_REQUEST: "cancelled",
  BAD_GATEWAY: "source_unreachable",
  NOT_FOUND: "unknown_source",
  TIMEOUT: "timeout",
};

/** A thrown engine error as a result in place. Unexpected errors are logged; their details stay here. */
function failureOf(kernel: Kernel, err: unknown): Extract<QueryResult, { ok: false }> {
  if (err instanceof TRPCError && ENGINE_CODES[err.code]) {
    const line = lineOf(err.message);
    return { ok: false, error: { code: ENGINE_CODES[err.code]!, message: err.message, ...(line ? { line } : {}) } };
  }
  kernel.log.error({ err }, "dashboard query failed unexpectedly");
  return { ok: false, error: { code: "internal", message: "The query failed on our side. It has been logged." } };
}

/** Rows as objects keyed by column name; a repeated name gets a suffix (`count`, `count_2`). */
export function rowsAsObjects(response: Pick<QueryResponse, "columns" | "rows">): { columns: ColumnInfo[]; rows: Record<string, unknown>[] } {
  const seen = new Map<string, number>();
  const columns = response.columns.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return { name: n === 1 ? c.name : `${c.name}_${n}`, type: c.type };
  });
  const rows = response.rows.map((row) => {
    const out: Record<string, unknown> = {};
    columns.forEach((c, i) => (out[c.name] = row[i]));
    return out;
  });
  return { columns, rows };
}

const BUSY_RETRY_MS = 10_000;

/** Runs one prepared query through the engine; waits (briefly) for a slot when the org is busy. */
async function execute(scope: RunScope, sourceId: string, prepared: Prepared, refresh: boolean): Promise<QueryResult> {
  if (!prepared.ok) return prepared;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    if (scope.signal?.aborted) return { ok: false, error: { code: "cancelled", message: "The run was cancelled." } };
    try {
      const response = await runQuery(
        scope.kernel,
        scope.db,
        scope.orgId,
        { sourceId, sql: prepared.sql, params: prepared.parameters, refresh },
        scope.signal,
      );
      const { columns, rows } = rowsAsObjects(response);
      return {
        ok: true,
        columns,
        rows,
        truncated: response.truncated,
        ms: response.elapsedMs,
        cached: response.cached,
        ranAt: response.cachedAt ?? new Date().toISOString(),
      };
    } catch (err) {
      const busy = err instanceof TRPCError && err.code === "TOO_MANY_REQUESTS";
      if (!busy || Date.now() - started > BUSY_RETRY_MS) return failureOf(scope.kernel, err);
      await new Promise((r) => setTimeout(r, Math.min(25 * 2 ** attempt, 250)));
    }
  }
}

/** Runs `tasks` with at most `limit` at a time, results in order. */
async function pooled<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return results;
}

/* ---------------------------------------------------------------------------------------------
 * A whole dashboard
 * ------------------------------------------------------------------------------------------ */

function sourceOf(doc: Dashboard): string {
  return doc.source ?? WAREHOUSE_SOURCE_ID;
}

/** How long a source's described tables are reused for compiling visual queries (refresh: true re-reads them). */
const TABLES_TTL_MS = 60_000;
const tableCaches = new WeakMap<Kernel, Map<string, { tables: TableInfo[]; at: number }>>();

function tableCache(kernel: Kernel): Map<string, { tables: TableInfo[]; at: number }> {
  let cache = tableCaches.get(kernel);
  if (!cache) tableCaches.set(kernel, (cache = new Map()));
  return cache;
}

/** Forgets the described tables of an org's sources (its warehouse data changed). */
export function forgetTables(kernel: Kernel, orgId: string): void {
  const cache = tableCache(kernel);
  for (const key of [...cache.keys()]) if (key.startsWith(`${orgId}\u0000`)) cache.delete(key);
}

/**
 * The source's tables when some query is visual (null when they cannot be read: those queries
 * fail in place). Describing a source costs a catalog query, so the answer is kept briefly.
 */
async function describeCached(scope: RunScope, sourceId: string, refresh: boolean): Promise<TableInfo[]> {
  const cache = tableCache(scope.kernel);
  const key = `${scope.orgId}\u0000${sourceId}`;
  const hit = cache.get(key);
  if (hit && !refresh && Date.now() - hit.at < TABLES_TTL_MS) return hit.tables;
  const tables = await describeTables(scope.kernel, scope.db, scope.orgId, sourceId, scope.signal);
  cache.set(key, { tables, at: Date.now() });
  if (cache.size > 1000) cache.delete(cache.keys().next().value!);
  return tables;
}

async function tablesFor(scope: RunScope, sourceId: string, defs: QueryDef[], refresh = false): Promise<TableInfo[] | null> {
  if (!defs.some((d) => d.visual)) return null;
  return describeCached(scope, sourceId, refresh).catch(() => null);
}

/** Query ids the charts use, in chart order. */
export function chartQueries(doc: Dashboard): string[] {
  const ids: string[] = [];
  for (const chart of doc.charts ?? []) {
    const q = (chart as { query?: string }).query;
    if (q && !ids.includes(q)) ids.push(q);
  }
  return ids;
}

/**
 * Runs the dashboard's queries (those its charts use, or `queries`) with `variables`.
 * Throws only for the caller's mistakes (422: a variable value, an unknown query id).
 */
export async function runDashboard(
  scope: RunScope,
  doc: Dashboard,
  input: { variables?: Record<string, unknown>; refresh?: boolean; queries?: string[] },
): Promise<RunOutput> {
  const ranAt = new Date().toISOString();
  const variables = doc.variables ?? [];
  const queries = doc.queries ?? {};
  const requested = input.queries ?? chartQueries(doc);
  const missing = requested.filter((id) => !Object.hasOwn(queries, id));
  if (missing.length) {
    const message = `This dashboard has no quer${missing.length === 1 ? "y" : "ies"} ${missing.map((m) => `"${m}"`).join(", ")}; it has ${Object.keys(queries).join(", ") || "none"}`;
    throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message, cause: new FieldErrors({ queries: [message] }) });
  }
  const values = resolveValues(variables, input.variables ?? {});
  const sourceId = sourceOf(doc);
  const refresh = input.refresh ?? false;
  const optionQueries = variables.flatMap((v) => {
    const options = (v as { options?: unknown }).options;
    return options && typeof options === "object" && !Array.isArray(options) ? [{ variable: v.name, query: (options as { query: string }).query }] : [];
  });
  const needed = [...new Set([...requested, ...optionQueries.map((o) => o.query)])].filter((id) => Object.hasOwn(queries, id));
  const tables = await tablesFor(scope, sourceId, needed.map((id) => queries[id]!), refresh);
  const limit = queryConcurrency(scope.kernel);

  // Option queries first: a select without a default takes its first option.
  const optionIds = [...new Set(optionQueries.map((o) => o.query))];
  const optionResults = await pooled(
    optionIds.map((id) => () => execute(scope, sourceId, prepareQuery(queries[id]!, variables, values, tables), refresh)),
    limit,
  );
  const byId = new Map(optionIds.map((id, i) => [id, optionResults[i]!]));
  const variableOptions: Record<string, VariableOption[]> = {};
  for (const v of variables) {
    const options = (v as { options?: unknown }).options;
    if (Array.isArray(options)) variableOptions[v.name] = variableOptionList(v);
  }
  for (const { variable, query } of optionQueries) {
    const result = byId.get(query);
    if (!result?.ok) {
      variableOptions[variable] = [];
      continue;
    }
    const v = variables.find((x) => x.name === variable)!;
    variableOptions[variable] = variableOptionList(v, result.rows, result.columns);
    if (v.type === "select" && (values[variable] === undefined || values[variable] === null) && variableOptions[variable]!.length) {
      values[variable] = variableOptions[variable]![0]!.value;
    }
  }

  // An option query the charts also use ran already: its result is reused.
  const toRun = requested.filter((id) => !byId.has(id));
  const ran = await pooled(
    toRun.map((id) => () => execute(scope, sourceId, prepareQuery(queries[id]!, variables, values, tables), refresh)),
    limit,
  );
  const results: Record<string, QueryResult> = {};
  for (const id of requested) results[id] = byId.get(id) ?? ran[toRun.indexOf(id)]!;
  return { ranAt, variables: values, variableOptions, results };
}

/**
 * Runs one ad-hoc query (the chart builder's preview): SQL or a visual query, with its own
 * variables and values.
 */
export async function previewQuery(
  scope: RunScope,
  input: { source?: string; sql?: string; visual?: VisualQuery; variables?: Variable[]; values?: Record<string, unknown>; refresh?: boolean },
): Promise<{ sql: string; parameters: unknown[]; result: QueryResult }> {
  const variables = input.variables ?? [];
  const values = resolveValues(variables, input.values ?? {});
  const sourceId = input.source ?? WAREHOUSE_SOURCE_ID;
  const def: QueryDef = input.visual ? { visual: input.visual } : { sql: input.sql };
  const tables = await tablesFor(scope, sourceId, [def], input.refresh ?? false);
  const prepared = prepareQuery(def, variables, values, tables);
  if (!prepared.ok) {
    const field = input.visual ? "visual" : "sql";
    throw new TRPCError({
      code: "UNPROCESSABLE_CONTENT",
      message: prepared.error.message,
      cause: new FieldErrors({ [field]: [prepared.error.message] }),
    });
  }
  const result = await execute(scope, sourceId, prepared, input.refresh ?? false);
  return { sql: prepared.sql, parameters: prepared.parameters, result };
}

/** Compiles a visual query against the source's tables; 422 naming each error under `visual.<path>`. */
export async function compileOnly(scope: RunScope, input: { visual: VisualQuery; source?: string }): Promise<{ sql: string; parameters: unknown[] }> {
  const tables = await describeCached(scope, input.source ?? WAREHOUSE_SOURCE_ID, false);
  const compiled = compileVisual(input.visual, tables);
  if (!compiled.ok) {
    const fields: Record<string, string[]> = {};
    for (const e of compiled.errors) (fields[e.path ? `visual.${e.path.replace(/^visual\./, "")}` : "visual"] ??= []).push(e.hint ? `${e.message}. ${e.hint}` : e.message);
    throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: compiled.errors.map(describeSpecError).join("; "), cause: new FieldErrors(fields) });
  }
  return { sql: compiled.sql, parameters: compiled.parameters };
}
