/**
 * Running one untrusted SQL statement on PostgreSQL so that the database keeps it safe.
 *
 * Each run borrows a pooled connection and, in one round trip, opens a READ ONLY transaction
 * with `statement_timeout`, `lock_timeout` and `idle_in_transaction_session_timeout` set
 * locally, and takes a snapshot (so `SET TRANSACTION READ WRITE` is refused from then on). The
 * statement goes through the extended protocol (one statement only, parameters bound as $1…)
 * and its portal is fetched for at most `maxRows + 1` rows; rows past the byte cap are
 * dropped as they arrive. The transaction is always rolled back, which also undoes any `SET`
 * the statement made; advisory locks and prepared statements, which outlive a rollback, are
 * released before the connection goes back to the pool. When the caller goes away (or a
 * watchdog fires a little after the timeout) the backend gets a protocol cancel request and
 * the connection is discarded.
 */
import pg from "pg";

export interface QueryLimits {
  timeoutMs: number;
  lockTimeoutMs: number;
  maxRows: number;
  maxBytes: number;
}

export interface QueryColumn {
  name: string;
  /** PostgreSQL type name: `int4`, `text`, `timestamptz`, `numeric`… */
  type: string;
}

export type QueryValue = string | number | boolean | null | QueryValue[] | { [key: string]: unknown };

export interface RawQueryResult {
  columns: QueryColumn[];
  /** Rows as arrays, aligned with `columns` (names may repeat: `select 1, 1`). */
  rows: QueryValue[][];
  /** True when more rows existed than the row cap, or the byte cap stopped the read. */
  truncated: boolean;
  truncatedReason: "rows" | "bytes" | null;
  /** Approximate size of the returned rows, in bytes of text. */
  bytes: number;
  elapsedMs: number;
}

/** Thrown when the caller went away and the query was cancelled. */
export class QueryCancelledError extends Error {
  override name = "QueryCancelledError";
}

/* ---------------------------------------------------------------------------------------------
 * Values: JSON-safe, stable across the cache and the wire.
 * ------------------------------------------------------------------------------------------ */

const BUILTIN_TYPES: Record<number, string> = {
  16: "bool", 17: "bytea", 18: "char", 19: "name", 20: "int8", 21: "int2", 23: "int4", 25: "text", 26: "oid",
  114: "json", 142: "xml", 700: "float4", 701: "float8", 790: "money", 869: "inet", 650: "cidr", 829: "macaddr",
  1042: "bpchar", 1043: "varchar", 1082: "date", 1083: "time", 1114: "timestamp", 1184: "timestamptz",
  1186: "interval", 1266: "timetz", 1560: "bit", 1562: "varbit", 1700: "numeric", 2950: "uuid", 3802: "jsonb",
  2249: "record", 705: "unknown", 1000: "_bool", 1005: "_int2", 1007: "_int4", 1016: "_int8", 1009: "_text",
  1015: "_varchar", 1021: "_float4", 1022: "_float8", 1231: "_numeric", 1182: "_date", 1115: "_timestamp",
  1185: "_timestamptz", 2951: "_uuid", 199: "_json", 3807: "_jsonb",
};

/** numeric → number when no digit is lost (≤ 15 significant digits), else the exact string. */
function parseNumeric(value: string): number | string {
  if (value.length <= 15) return Number(value); // at most 15 digits: exact as a double
  const digits = value.replace(/^[-+]?0*/, "").replace(".", "").replace(/^0+/, "").replace(/e.*$/i, "");
  if (digits.length > 15) return value;
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
}

/** timestamptz → ISO 8601 in UTC ("2024-05-01T10:00:00.123456Z"), keeping microseconds. */
function parseTimestamptz(v: string): string {
  // The common case needs no Date: the session is in UTC and the text ends in "+00".
  if (v.length >= 22 && v.endsWith("+00") && v.charCodeAt(10) === 32) return `${v.slice(0, 10)}T${v.slice(11, -3)}Z`;
  const d = new Date(v.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00"));
  return Number.isNaN(d.getTime()) ? v : d.toISOString();
}

const TYPE_PARSERS: Record<number, (value: string) => unknown> = {
  17: (v) => v, // bytea as its hex text (\x…), not a Buffer
  1082: (v) => v, // date: "2024-05-01", no time zone shift
  1114: (v) => v.replace(" ", "T"), // timestamp: "2024-05-01T10:00:00"
  1184: parseTimestamptz,
  1700: parseNumeric,
  700: (v) => Number(v),
  701: (v) => Number(v),
};

const queryTypes = {
  getTypeParser(oid: number, format?: string) {
    return TYPE_PARSERS[oid] ?? pg.types.getTypeParser(oid, (format ?? "text") as "text");
  },
};

/* ---------------------------------------------------------------------------------------------
 * The capped portal read.
 * ------------------------------------------------------------------------------------------ */

interface ProtocolConnection {
  sync(): void;
}

interface InternalQuery {
  handleDataRow(msg: { fields: Array<string | null> }): void;
  handlePortalSuspended(connection: ProtocolConnection): void;
  handleCommandComplete(msg: unknown, connection: ProtocolConnection): void;
  handleEmptyQuery(connection: ProtocolConnection): void;
  handleError(err: Error, connection: ProtocolConnection): void;
}

const BaseQuery = pg.Query as unknown as new (config: Record<string, unknown>) => InternalQuery;

/** A query that reads at most `maxRows + 1` rows from its portal and keeps at most `maxBytes`. */
class CappedQuery extends BaseQuery {
  bytes = 0;
  kept = 0;
  truncated: "rows" | "bytes" | null = null;
  private synced = false;
  declare _result: { fields: pg.FieldDef[]; rows: unknown[][] };

  /** What was read so far, for a read cut short (see the socket guard in runReadOnlyQuery). */
  partial(): pg.QueryArrayResult {
    return { fields: this._result.fields, rows: this._result.rows } as unknown as pg.QueryArrayResult;
  }

  constructor(
    text: string,
    values: unknown[],
    private readonly maxRows: number,
    private readonly maxBytes: number,
    callback: (err: Error | null, result?: pg.QueryArrayResult) => void,
  ) {
    super({ text, values, rows: maxRows + 1, rowMode: "array", types: queryTypes, queryMode: "extended", callback });
  }

  override handleDataRow(msg: { fields: Array<string | null> }): void {
    if (this.truncated) return;
    if (this.kept >= this.maxRows) {
      this.truncated = "rows";
      return;
    }
    let size = 2;
    for (const field of msg.fields) size += field === null ? 5 : field.length + 3;
    if (this.bytes + size > this.maxBytes) {
      this.truncated = "bytes";
      return;
    }
    this.bytes += size;
    this.kept++;
    super.handleDataRow(msg);
  }

  override handlePortalSuspended(connection: ProtocolConnection): void {
    // More rows than maxRows + 1 exist: stop reading (Sync closes the portal's execution).
    this.truncated ??= "rows";
    this.synced = true;
    connection.sync();
  }

  override handleCommandComplete(msg: unknown, connection: ProtocolConnection): void {
    this.synced = true; // the base class syncs when reading a portal by row count
    super.handleCommandComplete(msg, connection);
  }

  override handleEmptyQuery(connection: ProtocolConnection): void {
    this.synced = true;
    super.handleEmptyQuery(connection);
  }

  override handleError(err: Error, connection: ProtocolConnection): void {
    // A portal read by row count has no Sync queued behind it: without one the server never
    // says ReadyForQuery and the connection hangs.
    if (!this.synced) {
      this.synced = true;
      connection.sync();
    }
    super.handleError(err, connection);
  }
}

/* ---------------------------------------------------------------------------------------------
 * Running.
 * ------------------------------------------------------------------------------------------ */

interface CancelConnection {
  connect(port: number, host: string): void;
  cancel(processID: number, secretKey: number): void;
  end(): void;
  on(event: string, fn: () => void): void;
  removeAllListeners(): void;
}

type PoolClient = pg.PoolClient & { processID?: number; secretKey?: number; host?: string; port?: number };

/** Sends a protocol cancel request for whatever `client` is running (works for any server). */
export function cancelBackend(client: PoolClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.processID) return resolve();
    const con = new pg.Connection() as unknown as CancelConnection;
    const done = () => {
      con.removeAllListeners();
      resolve();
    };
    con.on("connect", () => {
      con.cancel(client.processID!, client.secretKey!);
    });
    con.on("end", done);
    con.on("error", done);
    const timer = setTimeout(() => {
      con.end();
      done();
    }, 5000);
    timer.unref();
    con.connect(client.port ?? 5432, client.host ?? "localhost");
  });
}

const typeNamesByPool = new WeakMap<pg.Pool, Map<number, string>>();

async function typeNames(pool: pg.Pool, client: pg.PoolClient, oids: number[]): Promise<Map<number, string>> {
  let known = typeNamesByPool.get(pool);
  if (!known) typeNamesByPool.set(pool, (known = new Map()));
  const missing = [...new Set(oids.filter((o) => !BUILTIN_TYPES[o] && !known.has(o)))];
  if (missing.length) {
    const { rows } = await client.query<{ oid: number; typname: string }>("select oid::int as oid, typname::text from pg_catalog.pg_type where oid = any($1::oid[])", [missing]);
    for (const r of rows) known.set(r.oid, r.typname);
  }
  return known;
}

export interface RunOptions {
  limits: QueryLimits;
  signal?: AbortSignal;
}

/**
 * Runs one statement read-only under `limits` on a connection from `pool`.
 * Errors from PostgreSQL (syntax, permissions, timeouts: `57014`) are thrown as they come;
 * a cancellation by `signal` throws QueryCancelledError.
 */
export async function runReadOnlyQuery(pool: pg.Pool, text: string, params: readonly unknown[], options: RunOptions): Promise<RawQueryResult> {
  const { limits, signal } = options;
  if (signal?.aborted) throw new QueryCancelledError("The query was cancelled before it started.");
  const client = (await pool.connect()) as PoolClient;
  // A connection cut on purpose (below) or by the server errors here, not as an uncaught event.
  const onClientError = () => {
    discard = true;
  };
  client.on("error", onClientError);
  let discard = false;
  let cancelled = false;
  const cancel = () => {
    if (discard) return;
    discard = true;
    void cancelBackend(client);
  };
  const onAbort = () => {
    cancelled = true;
    cancel();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  // Defence in depth: statement_timeout is the database's job, but a statement that managed to
  // lift it still gets cancelled from here.
  const watchdog = setTimeout(cancel, limits.timeoutMs + 2_000);
  watchdog.unref();
  // The byte cap drops rows as they arrive, but one huge value (repeat('x', 5e8)) arrives as a
  // single message the driver would buffer whole: past a hard limit, cut the connection.
  const stream = (client as unknown as { connection?: { stream?: NodeJS.ReadableStream & { destroy(): void } } }).connection?.stream;
  const hardLimit = limits.maxBytes * 2 + 1_000_000;
  let received = 0;
  let overflow = false;
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > hardLimit && !overflow) {
      overflow = true;
      cancel();
      stream?.destroy();
    }
  };
  try {
    await client.query(
      `begin transaction isolation level read committed read only;
       set local statement_timeout = ${Math.floor(limits.timeoutMs)};
       set local lock_timeout = ${Math.floor(limits.lockTimeoutMs)};
       set local idle_in_transaction_session_timeout = ${Math.floor(limits.timeoutMs + 10_000)};
       select 1`,
    );
    const started = performance.now();
    let query!: CappedQuery;
    stream?.on("data", onData);
    const result = await new Promise<pg.QueryArrayResult | undefined>((resolve, reject) => {
      query = new CappedQuery(text, [...params], limits.maxRows, limits.maxBytes, (err, res) => (err ? reject(err) : resolve(res)));
      void client.query(query as unknown as pg.QueryConfig);
    }).catch((err: unknown) => {
      if (!overflow || cancelled) throw err;
      query.truncated = "bytes";
      return query.partial();
    });
    const elapsedMs = performance.now() - started;
    const fields = result?.fields ?? [];
    const names = fields.length ? await typeNames(pool, client, fields.map((f) => f.dataTypeID)) : new Map<number, string>();
    return {
      columns: fields.map((f) => ({ name: f.name, type: BUILTIN_TYPES[f.dataTypeID] ?? names.get(f.dataTypeID) ?? `oid:${f.dataTypeID}` })),
      rows: (result?.rows ?? []) as QueryValue[][],
      truncated: query.truncated !== null,
      truncatedReason: query.truncated,
      bytes: query.bytes,
      elapsedMs: Math.round(elapsedMs * 100) / 100,
    };
  } catch (err) {
    if (cancelled) throw new QueryCancelledError("The query was cancelled because the caller went away.");
    throw err;
  } finally {
    clearTimeout(watchdog);
    stream?.removeListener("data", onData);
    signal?.removeEventListener("abort", onAbort);
    if (discard) {
      client.removeListener("error", onClientError);
      client.on("error", () => {});
      client.release(true);
    } else {
      // Off the caller's path: roll back (undoing any SET) and release what outlives a rollback.
      client.removeListener("error", onClientError);
      client
        .query("rollback; select pg_catalog.pg_advisory_unlock_all(); deallocate all")
        .then(
          () => client.release(),
          (err: Error) => client.release(err),
        );
    }
  }
}
