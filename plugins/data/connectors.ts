/**
 * The connector contract: the extension point other plugins use to add kinds of data source.
 *
 * A connector says how to check a configuration, test it, run one read-only query under the
 * engine's limits, and describe the tables a query can see. The data plugin owns everything
 * around it: storage (secret fields encrypted at rest and never returned), authorization,
 * the per-org concurrency limit, the result cache and the error shapes. A connector must
 * enforce read-only execution, the timeout and the row and byte caps *in the database it talks
 * to* (see pg-safe.ts for PostgreSQL), and bind parameters, never splice them.
 *
 *   import { registerConnector } from "../data/connectors";
 *   registerConnector({ type: "mysql", label: "MySQL", configSchema, secretFields: ["password"], … });
 *
 * Register at module load or in your plugin's `init`, and list "data" in `requires`.
 */
import type { Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { z } from "zod";
import type { Kernel } from "~/kernel/kernel";
import type { QueryColumn, QueryLimits, QueryValue } from "./pg-safe";

export type { QueryColumn, QueryLimits, QueryValue };

/** What a connector is told about the call it serves. */
export interface ConnectorContext {
  kernel: Kernel;
  orgId: string;
  /** The caller's database transaction, scoped to `orgId` by row-level security (the owner's for the CLI). */
  db: Kysely<KernelDatabase>;
  /** The data source's id ("warehouse" for the built-in one). */
  sourceId: string;
  /** Aborted when the caller goes away: stop the work in the database. */
  signal?: AbortSignal;
}

export interface ConnectorQuery {
  sql: string;
  /** Bound as $1, $2, … */
  params: readonly unknown[];
  limits: QueryLimits;
}

export interface ConnectorQueryResult {
  columns: QueryColumn[];
  rows: QueryValue[][];
  truncated: boolean;
  truncatedReason: "rows" | "bytes" | null;
  bytes: number;
  /** Time the database spent on the statement (without connecting). */
  elapsedMs: number;
}

export interface TableColumn {
  name: string;
  type: string;
  nullable: boolean;
}

export interface TableInfo {
  schema: string;
  name: string;
  kind: "table" | "view" | "materialized view" | "foreign table";
  /** From the planner's statistics; null when never analyzed. */
  rowEstimate: number | null;
  columns: TableColumn[];
}

/** Thrown by `testConnection` (and `runQuery`) when the source cannot be reached or refuses us; `field` names the config field at fault. */
export class ConnectionFailure extends Error {
  override name = "ConnectionFailure";
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

/** Thrown when the statement itself fails (syntax, permission, timeout): the caller's SQL is at fault. */
export class QueryFailure extends Error {
  override name = "QueryFailure";
  constructor(
    message: string,
    readonly kind: "invalid" | "timeout" | "cancelled" | "refused" | "busy",
    /** 1-based character position in the SQL, when the database says. */
    readonly position: number | null = null,
  ) {
    super(message);
  }
}

export interface Connector<Config = any> {
  /** Stable id stored with each source: lower-case, e.g. "postgres". */
  readonly type: string;
  /** Shown in the UI: "PostgreSQL". */
  readonly label: string;
  /** Validates the full configuration, secrets included. Make it strict: unknown keys are errors. */
  readonly configSchema: z.ZodType<Config>;
  /** Config fields stored encrypted and never returned (e.g. ["password"]). */
  readonly secretFields: readonly string[];
  /** Whether people create sources of this type (false for the built-in warehouse). */
  readonly userCreatable: boolean;
  /** Connects and checks the source answers; throws ConnectionFailure saying why. */
  testConnection(ctx: ConnectorContext, config: Config): Promise<void>;
  /** Runs one read-only statement under `query.limits`. */
  runQuery(ctx: ConnectorContext, config: Config, query: ConnectorQuery): Promise<ConnectorQueryResult>;
  /** The tables and views a query on this source can read. */
  describeTables(ctx: ConnectorContext, config: Config, limits: QueryLimits): Promise<TableInfo[]>;
  /** Closes pooled connections for this source (after an update or delete). */
  release?(ctx: Pick<ConnectorContext, "kernel" | "sourceId">): Promise<void>;
}

const registry = new Map<string, Connector>();

/** Adds a connector. Throws if its type is taken. */
export function registerConnector<Config>(connector: Connector<Config>): Connector<Config> {
  if (!/^[a-z][a-z0-9-]{1,30}$/.test(connector.type)) throw new Error(`Connector type "${connector.type}" must be lower-case letters, digits and dashes`);
  const existing = registry.get(connector.type);
  if (existing && existing !== connector) throw new Error(`Connector type "${connector.type}" is registered twice`);
  registry.set(connector.type, connector);
  return connector;
}

/** The connector for `type`, or undefined. */
export function connectorFor(type: string): Connector | undefined {
  return registry.get(type);
}

/** Every registered connector. */
export function listConnectors(): Connector[] {
  return [...registry.values()];
}
