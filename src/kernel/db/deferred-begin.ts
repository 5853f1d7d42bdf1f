/**
 * A scoped transaction's BEGIN travels with its first statement: one round trip instead of two.
 *
 * `scopedTransaction` (./scoped-begin.ts) starts a transaction with one simple-protocol message,
 * `begin; select set_config(…)`, marked with {@link DEFERRED_BEGIN} (an SQL comment). A pool
 * built with {@link DeferredBeginClient} does not send that message at once: it keeps it, and
 * sends it in front of the transaction's first statement, in the same message:
 *
 *     begin; select set_config('app.user_id', …), set_config('app.org_id', …);
 *     select … from projects where org_id = '…' order by …
 *
 * That statement's parameters go into its text as literals (see {@link inlineParameters}): the
 * simple protocol carries no parameters. Each literal is the text node-postgres would have sent
 * for the parameter, quoted as an untyped string literal, which PostgreSQL types from its context
 * as it types an untyped parameter. A statement that cannot be written so (a binary value, a NUL
 * byte, more than {@link MAX_INLINE_CHARS} characters of values, text the scanner does not follow)
 * is sent as before: the kept BEGIN first, then the statement with its parameters.
 *
 * Anything else on the connection (a cursor, COPY, a client without this class) sees no
 * difference: the kept BEGIN is queued before it, and a client that does not know the mark
 * simply runs the marked message, comment and all.
 */
import pg from "pg";
import pgUtils from "pg/lib/utils.js";

const { prepareValue } = pgUtils;

/** The comment that marks a BEGIN which may wait for the transaction's first statement. */
export const DEFERRED_BEGIN = "/* atrium:deferred-begin */ ";

/** Values longer than this, all together, are sent as parameters rather than literals. */
export const MAX_INLINE_CHARS = 16 * 1024;

const IDENT_CHAR = /[A-Za-z0-9_$]/;
const PLACEHOLDER = /^\$(\d+)/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/;

/** The literal for one parameter value, as node-postgres would send it; null when it cannot be one. */
function literalOf(value: unknown): string | null {
  const text: unknown = prepareValue(value);
  if (text === null) return "null";
  if (typeof text !== "string" || text.includes("\0")) return null;
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
    const literal = literalOf(value);
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

/** What the kept BEGIN answers at once (Kysely reads `command` and `rows`). */
function kept(): QueryResult {
  return { command: "BEGIN", rowCount: null, oid: 0, rows: [], fields: [] };
}

/**
 * node-postgres' client, keeping a marked BEGIN until the transaction's first statement and
 * sending both in one message. Everything else passes through unchanged.
 */
export class DeferredBeginClient extends pg.Client {
  #kept: string | null = null;

  // node-postgres' `query` has many overloads; this one forwards every form it does not handle.
  override query(config: any, values?: any, callback?: any): any {
    const plain = typeof config === "string" && typeof values !== "function" && callback === undefined;
    if (plain && config.startsWith(DEFERRED_BEGIN) && (values === undefined || values.length === 0) && this.#kept === null) {
      this.#kept = config.slice(DEFERRED_BEGIN.length);
      return Promise.resolve(kept());
    }
    const begin = this.#kept;
    if (begin === null) return super.query(config, values, callback);
    this.#kept = null;
    const inlined = plain ? inlineParameters(config, (values as unknown[] | undefined) ?? []) : null;
    if (inlined !== null) {
      return (super.query(`${begin};\n${inlined}`) as Promise<QueryResult | QueryResult[]>).then((results) => {
        // The kept message answers twice (BEGIN, set_config); what follows is the statement's.
        const list = Array.isArray(results) ? results : [results];
        const own = list.slice(2);
        return own.length === 1 ? own[0] : own;
      });
    }
    // Queued ahead of the statement: the client sends one message at a time, in order. Its
    // failure (a broken connection) fails the statement after it too, which reports it.
    (super.query(begin) as Promise<unknown>).catch(() => {});
    return super.query(config, values, callback);
  }
}
