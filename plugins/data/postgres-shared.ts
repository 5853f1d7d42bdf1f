/**
 * What the two PostgreSQL connectors (warehouse, external) share: running a statement through
 * pg-safe, turning PostgreSQL errors into QueryFailure / ConnectionFailure, and introspection.
 */
import type pg from "pg";
import { ConnectionFailure, QueryFailure, type ConnectorQueryResult, type TableInfo } from "./connectors";
import { QueryCancelledError, runReadOnlyQuery, type QueryLimits } from "./pg-safe";

interface PgError extends Error {
  code?: string;
  position?: string;
}

/** "at line 2, column 5" for a 1-based character position in `text`. */
export function describePosition(text: string, position: number): string {
  const before = text.slice(0, Math.max(0, position - 1));
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n") - 1;
  return `line ${line}, column ${column}`;
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "EAI_AGAIN"]);

/** Maps an error from running `sql` to what the engine reports. */
export function toQueryError(err: unknown, sql: string, limits: QueryLimits): Error {
  if (err instanceof QueryCancelledError) return new QueryFailure(err.message, "cancelled");
  if (err instanceof QueryFailure || err instanceof ConnectionFailure) return err;
  const e = err as PgError;
  const code = e.code ?? "";
  if (CONNECTION_CODES.has(code) || /Connection terminated|timeout expired|connection timeout/i.test(e.message ?? "")) {
    return new ConnectionFailure(`Could not reach the data source: ${e.message}`);
  }
  if (!/^[0-9A-Z]{5}$/.test(code)) return err instanceof Error ? err : new Error(String(err));
  const position = e.position ? Number(e.position) : null;
  const where = position ? ` (at ${describePosition(sql, position)})` : "";
  switch (code) {
    case "57014": // query_canceled: statement_timeout, or our watchdog
      return new QueryFailure(
        `The query ran longer than ${formatSeconds(limits.timeoutMs)} and was stopped. Narrow it (filters, LIMIT, aggregates) and run it again.`,
        "timeout",
      );
    case "55P03": // lock_not_available
      return new QueryFailure(`The query waited more than ${formatSeconds(limits.lockTimeoutMs)} for a lock and was stopped.`, "timeout");
    case "25006": // read_only_sql_transaction
      return new QueryFailure(`Queries are read-only: ${e.message}.`, "refused", position);
    case "42501": // insufficient_privilege
      return new QueryFailure(`Not allowed: ${e.message}${where}.`, "refused", position);
    case "42601":
      if (/multiple commands/.test(e.message)) return new QueryFailure("Run one statement at a time: the SQL contains several.", "invalid");
      return new QueryFailure(`${capitalize(e.message)}${where}.`, "invalid", position);
    case "53300": // too_many_connections (the role's connection limit)
      return new QueryFailure("Too many queries are running for this organization; try again in a moment.", "busy");
    case "57P01":
    case "57P02":
    case "57P03":
    case "08000":
    case "08003":
    case "08006":
      return new ConnectionFailure(`The data source closed the connection: ${e.message}`);
    default:
      return new QueryFailure(`${capitalize(e.message)}${where}.`, "invalid", position);
  }
}

function capitalize(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1).replace(/\.$/, "") : s;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Runs `sql` safely on `pool` and maps failures. */
export async function runOnPool(
  pool: pg.Pool,
  sql: string,
  params: readonly unknown[],
  limits: QueryLimits,
  signal: AbortSignal | undefined,
): Promise<ConnectorQueryResult> {
  try {
    return await runReadOnlyQuery(pool, sql, params, { limits, signal });
  } catch (err) {
    throw toQueryError(err, sql, limits);
  }
}

const DESCRIBE_SQL = `
select n.nspname::text as schema, c.relname::text as name, c.relkind::text as kind,
       case when c.reltuples < 0 then null else c.reltuples::bigint end as row_estimate,
       json_agg(json_build_object('name', a.attname::text, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                                  'nullable', not a.attnotnull) order by a.attnum) as columns
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where c.relkind in ('r', 'p', 'v', 'm', 'f')
  and n.nspname not in ('pg_catalog', 'information_schema')
  and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
  and pg_catalog.has_schema_privilege(n.oid, 'USAGE')
  and pg_catalog.has_table_privilege(c.oid, 'SELECT')
group by 1, 2, 3, 4
order by 1, 2
limit 2000`;

const KINDS: Record<string, TableInfo["kind"]> = { r: "table", p: "table", v: "view", m: "materialized view", f: "foreign table" };

/** The tables and views the connection's role may read, with columns and row estimates. */
export async function describeOnPool(pool: pg.Pool, limits: QueryLimits): Promise<TableInfo[]> {
  const result = await runOnPool(pool, DESCRIBE_SQL, [], { ...limits, maxRows: 2000, maxBytes: Math.max(limits.maxBytes, 20_000_000) }, undefined);
  return result.rows.map(([schema, name, kind, estimate, columns]) => ({
    schema: String(schema),
    name: String(name),
    kind: KINDS[String(kind)] ?? "table",
    rowEstimate: estimate === null ? null : Number(estimate),
    columns: columns as unknown as TableInfo["columns"],
  }));
}
