/**
 * A small PostgreSQL lexer that finds `{{name}}` / `{{name.field}}` placeholders and `$n`
 * positional parameters in SQL code, skipping string literals ('…', E'…'), quoted identifiers
 * ("…"), comments (-- and nested /* *\/) and dollar-quoted strings ($$…$$, $tag$…$tag$), so text
 * inside those is never treated as a placeholder. Browser-safe.
 */

export interface Placeholder {
  /** Offset of the opening `{{`. */
  start: number;
  /** Offset just after the closing `}}`. */
  end: number;
  /** The whole reference as written inside the braces, trimmed (`period.start`). */
  ref: string;
  /** Variable name (`period`). */
  name: string;
  /** Field after the dot (`start`), if any. */
  field?: string;
  /** True when the text between the braces is not `name` or `name.field`. */
  malformed: boolean;
}

export interface PositionalParameter {
  start: number;
  end: number;
  index: number;
}

export interface SqlScan {
  placeholders: Placeholder[];
  positional: PositionalParameter[];
}

const REF = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?$/;
const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const TAG_START = /[A-Za-z_\u0080-\uffff]/;
const TAG_CHAR = /[A-Za-z0-9_\u0080-\uffff]/;

export function scanSql(sql: string): SqlScan {
  const placeholders: Placeholder[] = [];
  const positional: PositionalParameter[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "-" && next === "-") {
      const eol = sql.indexOf("\n", i + 2);
      i = eol < 0 ? n : eol + 1;
    } else if (c === "/" && next === "*") {
      i = skipBlockComment(sql, i);
    } else if (c === "'") {
      const escaped = i > 0 && /[eE]/.test(sql[i - 1]!) && (i < 2 || !IDENT_CHAR.test(sql[i - 2]!));
      i = skipQuoted(sql, i, "'", escaped);
    } else if (c === '"') {
      i = skipQuoted(sql, i, '"', false);
    } else if (c === "$") {
      const prevIsIdent = i > 0 && IDENT_CHAR.test(sql[i - 1]!);
      if (prevIsIdent) {
        i++;
      } else if (next !== undefined && /[0-9]/.test(next)) {
        let j = i + 1;
        while (j < n && /[0-9]/.test(sql[j]!)) j++;
        positional.push({ start: i, end: j, index: Number(sql.slice(i + 1, j)) });
        i = j;
      } else {
        const tagEnd = dollarTagEnd(sql, i);
        if (tagEnd < 0) {
          i++;
        } else {
          const tag = sql.slice(i, tagEnd + 1);
          const close = sql.indexOf(tag, tagEnd + 1);
          i = close < 0 ? n : close + tag.length;
        }
      }
    } else if (c === "{" && next === "{") {
      const close = sql.indexOf("}}", i + 2);
      if (close < 0) {
        placeholders.push({ start: i, end: n, ref: sql.slice(i + 2).trim(), name: "", malformed: true });
        i = n;
      } else {
        const ref = sql.slice(i + 2, close).trim();
        const m = REF.exec(ref);
        placeholders.push({
          start: i,
          end: close + 2,
          ref,
          name: m ? m[1]! : ref,
          ...(m?.[2] ? { field: m[2] } : {}),
          malformed: !m,
        });
        i = close + 2;
      }
    } else {
      i++;
    }
  }
  return { placeholders, positional };
}

function skipBlockComment(sql: string, start: number): number {
  // PostgreSQL block comments nest.
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === "/" && sql[i + 1] === "*") {
      depth++;
      i += 2;
    } else if (sql[i] === "*" && sql[i + 1] === "/") {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashEscapes && c === "\\") {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** If a dollar-quote tag (`$$` or `$tag$`) starts at `start`, the offset of its closing `$`; else -1. */
function dollarTagEnd(sql: string, start: number): number {
  let j = start + 1;
  if (sql[j] === "$") return j;
  if (j >= sql.length || !TAG_START.test(sql[j]!)) return -1;
  while (j < sql.length && TAG_CHAR.test(sql[j]!)) j++;
  return sql[j] === "$" ? j : -1;
}

/** 0-based line number of `offset` within `text`. */
export function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === "\n") line++;
  return line;
}
