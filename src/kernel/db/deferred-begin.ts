/**
 * A transaction's BEGIN travels with its first statement: one round trip instead of two.
 *
 * The kernel's Kysely driver (./scoped-begin.ts) starts every plain transaction with a BEGIN
 * marked with {@link DEFERRED_BEGIN} (an SQL comment), and `scopedTransaction` sends its tenant
 * scope (`select set_config(…)`, ids as literals) marked the same way. A pool built with
 * {@link DeferredBeginClient} does not send marked statements at once: it keeps them, and sends
 * them in front of the transaction's first real statement, in the same message:
 *
 *     begin; select set_config('app.user_id', …), set_config('app.org_id', …);
 *     select … from projects where org_id = '…' order by …
 *
 * That statement's parameters go into its text as literals (see {@link inlineParameters}): the
 * simple protocol carries no parameters. Each literal is the text node-postgres would have sent
 * for the parameter, quoted as an untyped string literal, which PostgreSQL types from its context
 * as it types an untyped parameter. A statement that cannot be written so (a binary value, a NUL
 * byte, more than {@link MAX_INLINE_CHARS} characters of values, text the scanner does not follow)
 * is sent as before: the kept statements first, then the statement with its parameters.
 *
 * Anything else on the connection (a cursor, COPY, a client without this class) sees no
 * difference: the kept statements are queued before it, and a client that does not know the
 * mark simply runs the marked statement, comment and all.
 *
 * A transaction that only read sends its COMMIT with the connection's next message as well (see
 * {@link DeferredBeginClient}): a read-only guarded call costs one round trip.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import pgUtils from "pg/lib/utils.js";

const { prepareValue } = pgUtils;

/**
 * The comment that marks a statement which may wait for the transaction's next one: a BEGIN, or
 * the scope's `select set_config(…)`. One statement per marked message, returning no rows anyone
 * reads (the kept statement answers at once, with none).
 */
export const DEFERRED_BEGIN = "/* atrium:deferred-begin */ ";

/** Values longer than this, all together, are sent as parameters rather than literals. */
export const MAX_INLINE_CHARS = 16 * 1024;

const IDENT_CHAR = /[A-Za-z0-9_$]/;
const PLACEHOLDER = /^\$(\d+)/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/;

/** The literal for one parameter value, as node-postgres would send it; null when it cannot be one (or is longer than `room`). */
function literalOf(value: unknown, room: number): string | null {
  const text: unknown = prepareValue(value);
  if (text === null) return "null";
  // Checked before escaping: a large value (a batch as one JSON array) is not copied for nothing.
  if (typeof text !== "string" || text.length > room || text.includes("\0")) return null;
  return pg.escapeLiteral(text);
}

/** The index just past the end of the quoted text that starts at `start` (`quote` is ' or "); -1 when unterminated. */
function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === "\\") {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return -1;
}

/** The index just past a block comment starting at `start` (they nest in PostgreSQL); -1 when unterminated. */
function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === "/" && sql[i + 1] === "*") {
      depth += 1;
      i += 2;
    } else if (sql[i] === "*" && sql[i + 1] === "/") {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return -1;
}

/**
 * `sql` with its placeholders `$1…$n` replaced by `values` as literals, or null when that cannot
 * be done faithfully. Placeholders inside strings, quoted identifiers, comments and dollar-quoted
 * bodies are left alone (they are not placeholders).
 */
export function inlineParameters(sql: string, values: readonly unknown[]): string | null {
  if (values.length === 0) return sql;
  const literals: string[] = [];
  let size = 0;
  for (const value of values) {
    const literal = literalOf(value, MAX_INLINE_CHARS - size);
    if (literal === null) return null;
    size += literal.length;
    if (size > MAX_INLINE_CHARS) return null;
    literals.push(literal);
  }
  let out = "";
  let copied = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    let end = -1;
    if (c === "'") {
      const escapes = i > 0 && (sql[i - 1] === "E" || sql[i - 1] === "e") && (i < 2 || !IDENT_CHAR.test(sql[i - 2]!));
      end = endOfQuoted(sql, i, "'", escapes);
    } else if (c === '"') {
      end = endOfQuoted(sql, i, '"', false);
    } else if (c === "-" && sql[i + 1] === "-") {
      const newline = sql.indexOf("\n", i);
      end = newline < 0 ? sql.length : newline + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      end = endOfBlockComment(sql, i);
    } else if (c === "$" && (i === 0 || !IDENT_CHAR.test(sql[i - 1]!))) {
      const rest = sql.slice(i, i + 12);
      const placeholder = PLACEHOLDER.exec(rest);
      if (placeholder) {
        const n = Number(placeholder[1]);
        if (n < 1 || n > literals.length || IDENT_CHAR.test(sql[i + placeholder[0].length] ?? "")) return null;
        // A space on either side: `-$1` must not become `--…`, `x$1` cannot occur (checked above).
        out += `${sql.slice(copied, i)} ${literals[n - 1]} `;
        i += placeholder[0].length;
        copied = i;
        continue;
      }
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 66));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        end = close < 0 ? -1 : close + tag[0].length;
      } else {
        i += 1;
        continue;
      }
    } else {
      i += 1;
      continue;
    }
    if (end < 0) return null;
    i = end;
  }
  return out + sql.slice(copied);
}

type QueryResult = pg.QueryResult;

/** The answer a kept statement gives at once (Kysely reads `command` and `rows`). */
function answered(command: string): QueryResult {
  return { command, rowCount: null, oid: 0, rows: [], fields: [] };
}

/**
 * How long a read-only transaction's COMMIT waits for its connection's next message before it
 * goes alone. Under load the connection is taken again well within it (the pool hands out the
 * connection released last), so the COMMIT costs no write of its own; idle, the transaction stays
 * open this long at most, holding only its snapshot and the share locks of what it read.
 */
export const COMMIT_WAIT_MS = 5;

const SELECT = /^\s*select\b/i;
const BEGIN = /^begin\b/i;
/** Words that write, lock or make things in a SELECT: data-modifying CTEs, row locks, SELECT INTO. */
const WRITE_WORDS = /\b(?:insert|update|delete|merge|into|share|nowait)\b/i;
/** A name followed by "(": a function call, or an SQL keyword before a parenthesis. */
const CALL = /([A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")*")\s*\(/g;
/**
 * What may stand before "(" in a statement that only reads: SQL keywords, type names and built-in
 * functions that neither write nor lock nor signal. Any other call (a plugin's SQL function,
 * `nextval`, `pg_notify`, `pg_advisory_xact_lock`, `lo_…`, a quoted name) may write, so the
 * transaction commits before its caller goes on. Missing a harmless function here only costs the
 * round trip {@link DeferredBeginClient} saves.
 */
const READ_CALLS = new Set(
  (
    "select from where and or not in exists any all some as on using join lateral over filter within values row array " +
    "case when then else cast by partition having like ilike similar is between escape interval " +
    "timestamp timestamptz date time numeric decimal varchar char character text int integer bigint smallint float real " +
    "double precision boolean uuid json jsonb " +
    "count sum min max avg coalesce nullif greatest least lower upper length char_length octet_length substr substring " +
    "trim btrim ltrim rtrim concat concat_ws replace position strpos left right split_part starts_with format " +
    "regexp_replace regexp_match regexp_matches string_agg array_agg json_agg jsonb_agg json_build_object " +
    "jsonb_build_object json_build_array jsonb_build_array json_object_agg jsonb_object_agg jsonb_array_elements " +
    "jsonb_array_elements_text jsonb_array_length jsonb_typeof jsonb_extract_path_text jsonb_strip_nulls to_json to_jsonb " +
    "row_to_json array_length array_to_string array_position cardinality unnest now current_setting date_trunc extract " +
    "date_part to_char to_timestamp age make_interval generate_series row_number rank dense_rank lag lead first_value " +
    "last_value ntile abs round floor ceil ceiling mod sign md5 encode decode bool_or bool_and every percentile_cont " +
    "percentile_disc mode stddev variance to_tsvector to_tsquery plainto_tsquery websearch_to_tsquery ts_rank ts_headline " +
    "similarity word_similarity"
  ).split(" "),
);

/** Answers of {@link onlyReads} by statement text: our statements come from a fixed set of query shapes. */
const readsByText = new Map<string, boolean>();
const MAX_READS_KNOWN = 2048;

/** True for a statement that only reads: a SELECT with no writing word and no call outside {@link READ_CALLS}. */
export function onlyReads(sql: string): boolean {
  const known = readsByText.get(sql);
  if (known !== undefined) return known;
  const reads = scanReads(sql);
  // Bounded: texts that vary (a list of ids written out) must not grow it without end.
  if (readsByText.size >= MAX_READS_KNOWN) readsByText.clear();
  readsByText.set(sql, reads);
  return reads;
}

function scanReads(sql: string): boolean {
  if (!SELECT.test(sql) || WRITE_WORDS.test(sql)) return false;
  for (const [, name] of sql.matchAll(CALL)) {
    if (!READ_CALLS.has(name!.toLowerCase())) return false;
  }
  return true;
}

/** Named statements one connection keeps at most (each holds a parsed statement, and often a plan, in its backend). */
export const MAX_PREPARED_PER_CONNECTION = 256;
/** Statement texts longer than this are not named (a statement that long is rare, and varies). */
export const MAX_PREPARED_CHARS = 16 * 1024;

/**
 * An ON CONFLICT whose target names a partial index's predicate (`on conflict (a, b) where …`).
 * PostgreSQL infers the arbiter index when it plans; once a prepared statement runs on a generic
 * plan (from its sixth run), a parameter in that predicate is unknown and no index matches, so the
 * statement fails. Such statements are never named.
 */
const CONFLICT_TARGET_PREDICATE = /\bon\s+conflict\s*\([^)]*\)\s*where\b/i;

/** Statement names by text (null: never named), shared by every connection of the process (bounded like {@link readsByText}). */
const namesByText = new Map<string, string | null>();

/**
 * The name a statement text is prepared under, derived from the text so every connection agrees;
 * null for a text never named (too long, or an upsert on a partial index). Decided once per text.
 */
export function preparedNameOf(text: string): string | null {
  let name = namesByText.get(text);
  if (name === undefined) {
    name =
      text.length > MAX_PREPARED_CHARS || CONFLICT_TARGET_PREDICATE.test(text)
        ? null
        : `atrium_${createHash("sha256").update(text).digest("base64url").slice(0, 32)}`;
    if (namesByText.size >= MAX_READS_KNOWN) namesByText.clear();
    namesByText.set(text, name);
  }
  return name;
}

/** PostgreSQL's refusal to run a prepared statement whose result columns changed under it (a migration added one). */
function isStalePlan(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === "0A000" && typeof e.message === "string" && e.message.includes("cached plan must not change result type");
}

/** The options {@link DeferredBeginClient} reads beside node-postgres' own (a pool passes them on). */
export interface DeferredBeginOptions extends pg.ClientConfig {
  /**
   * Prepare statements that carry parameters, by name, once per connection (default true): the
   * server then neither parses nor analyses them again. Turn off behind a pooler in transaction
   * mode that does not keep prepared statements per client (DATABASE_PREPARED_STATEMENTS=false).
   */
  preparedStatements?: boolean;
  /** Tests: a lower {@link MAX_PREPARED_PER_CONNECTION}. */
  maxPrepared?: number;
}

/**
 * node-postgres' client, sending a transaction's start with its first statement and, when the
 * transaction only read, its COMMIT with the connection's next message:
 *
 *   - a marked statement (a BEGIN, a scope) is kept and sent in front of the next unmarked one,
 *     in the same message;
 *   - the COMMIT of a transaction begun so whose every statement only read ({@link onlyReads})
 *     answers at once and goes in front of the connection's next message, or alone after
 *     {@link COMMIT_WAIT_MS} (so no transaction stays open while the connection idles). A
 *     transaction that read nothing but its rows has nothing to lose by committing a moment later;
 *     one that wrote anything commits before its caller goes on, as always.
 *
 * Everything else passes through unchanged, queued behind whatever was kept.
 */
export class DeferredBeginClient extends pg.Client {
  /** Marked statements not sent yet, in order. */
  #kept: string[] = [];
  /** Names this connection has used (prepared, or being prepared). */
  #named = new Set<string>();
  /** Names whose statement a migration made stale here ({@link isStalePlan}). */
  #retired = new Set<string>();
  readonly #prepare: boolean;
  readonly #maxPrepared: number;

  constructor(config?: string | DeferredBeginOptions) {
    super(config);
    const options = typeof config === "object" ? config : {};
    this.#prepare = options.preparedStatements !== false;
    this.#maxPrepared = options.maxPrepared ?? MAX_PREPARED_PER_CONNECTION;
  }
  /** Inside a deferred transaction whose statements have all only read. */
  #reading = false;
  /** A read-only transaction's COMMIT not sent yet. */
  #commit = false;
  /** Sends a kept COMMIT that no message took along ({@link COMMIT_WAIT_MS}); made once, refreshed. */
  #commitTimer: NodeJS.Timeout | null = null;

  // node-postgres' `query` has many overloads; this one forwards every form it does not handle.
  override query(config: any, values?: any, callback?: any): any {
    const plain = typeof config === "string" && typeof values !== "function" && callback === undefined;
    const noValues = values === undefined || (Array.isArray(values) && values.length === 0);
    if (plain && noValues && config.startsWith(DEFERRED_BEGIN)) {
      const text = config.slice(DEFERRED_BEGIN.length);
      if (BEGIN.test(text)) {
        // A transaction starts: whatever was kept (a COMMIT) goes in front of it.
        this.#reading = this.#kept.length === 0;
        this.#kept.push(text);
        return Promise.resolve(answered("BEGIN"));
      }
      this.#kept.push(text);
      return Promise.resolve(answered("SELECT"));
    }
    if (plain && noValues && config === "commit" && this.#reading && this.#kept.length === 0) {
      this.#reading = false;
      this.#commit = true;
      if (this.#commitTimer === null) {
        this.#commitTimer = setTimeout(() => this.#flushCommit(), COMMIT_WAIT_MS);
        // Shutdown does not wait for it: ending the connection ends a transaction that only read.
        this.#commitTimer.unref();
      } else {
        this.#commitTimer.refresh();
      }
      return Promise.resolve(answered("COMMIT"));
    }
    if (this.#reading && !(plain && onlyReads(config))) this.#reading = false;

    if (!this.#commit && this.#kept.length === 0) return this.#send(config, values, callback);
    const kept = this.#commit ? ["commit", ...this.#kept] : this.#kept;
    this.#commit = false;
    this.#kept = [];
    const prefix = kept.join(";\n");
    const inlined = plain ? inlineParameters(config, (values as unknown[] | undefined) ?? []) : null;
    if (inlined !== null) {
      return (super.query(`${prefix};\n${inlined}`) as Promise<QueryResult | QueryResult[]>).then((results) => {
        const own = (Array.isArray(results) ? results : [results]).slice(kept.length);
        return own.length === 1 ? own[0] : own;
      });
    }
    // Queued ahead of the statement: the client sends one message at a time, in order. Its
    // failure (a broken connection) fails the statement after it too, which reports it.
    (super.query(prefix) as Promise<unknown>).catch(() => {});
    return this.#send(config, values, callback, false);
  }

  /**
   * Sends a statement: one with parameters under its name ({@link preparedNameOf}), so that
   * PostgreSQL parses it once per connection; anything else as it came. A prepared statement whose
   * result columns a migration changed fails once: its name is retired on this connection (the
   * text runs unnamed here from then on), and outside a transaction, where the failure left
   * nothing behind, it is sent again.
   */
  #send(config: any, values?: any, callback?: any, unprefixed = true): any {
    const name = callback === undefined && typeof config === "string" && Array.isArray(values) && values.length > 0 ? this.#nameFor(config) : null;
    if (name === null) return super.query(config, values, callback);
    // Idle, with nothing in flight or sent ahead of it: the statement is a transaction of its own.
    const alone = unprefixed && (this as unknown as { readyForQuery: boolean }).readyForQuery && this.getTransactionStatus() === "I";
    return (super.query({ name, text: config, values }) as Promise<QueryResult>).catch((err: unknown) => {
      if (!isStalePlan(err)) throw err;
      // Retired here: the text runs unnamed on this connection from now on. (A DEALLOCATE would
      // fail inside the transaction the stale statement aborted; the backend frees it with the connection.)
      this.#retired.add(name);
      if (!alone) throw err;
      return super.query(config, values) as Promise<QueryResult>;
    });
  }

  /** The name to send `text` under on this connection, or null (turned off, too long, or this connection holds enough). */
  #nameFor(text: string): string | null {
    if (!this.#prepare) return null;
    const name = preparedNameOf(text);
    if (name === null || this.#retired.has(name)) return null;
    if (this.#named.has(name)) return name;
    if (this.#named.size >= this.#maxPrepared) return null;
    this.#named.add(name);
    return name;
  }

  /** Sends a kept COMMIT that no message took along. */
  #flushCommit(): void {
    if (!this.#commit) return;
    this.#commit = false;
    // A read-only transaction: a failure here (the connection lost) loses nothing, and the
    // connection's next statement reports it.
    (super.query("commit") as Promise<unknown>).catch(() => {});
  }
}
