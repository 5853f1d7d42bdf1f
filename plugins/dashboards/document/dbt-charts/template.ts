/**
 * The safe subset of dbt Charts' Jinja templating. Browser-safe, pure.
 *
 * In SQL, a template never becomes text in the query: `{{ var }}`, `filter('col', var[, 'op'])`
 * and `filter_date_range('col', var)` compile to Atrium placeholders (`{{var}}`,
 * `{{var.start}}`), which the run path binds as positional parameters. A placeholder written
 * inside a string literal (`interval '{{ days }} days'`) turns the literal into a concatenation
 * with a parameter (`CAST('' || CAST({{days}} AS text) || ' days' AS interval)`).
 *
 * In titles, labels and text blocks, `{{ var }}` and `{% if var %}…{% else %}…{% endif %}`
 * render as plain text (the caller shows it as text or escapes it for Markdown).
 *
 * Anything else Jinja can do (filters `|`, arithmetic, loops, `set`, macros, `env_var`,
 * `queries.x`) is refused with `jinja_unsupported`, never approximated.
 */

/** What the compiler needs to know of a board variable. */
export interface TemplateVariable {
  /** Atrium variable type the board variable became. */
  type: "select" | "multiselect" | "daterange" | "date" | "text" | "number" | "checkbox";
  /** The variable's default `filter()` operator (`operator:` on the variable). */
  operator?: string;
}

/** A problem at an offset of the template text. */
export interface TemplateError {
  code: string;
  message: string;
  hint: string;
  /** Offset of the `{{` / `{%` the problem is about. */
  offset: number;
}

export type SqlCompileResult = { ok: true; sql: string } | { ok: false; errors: TemplateError[] };

/** Operators `filter()` accepts (case-insensitive), and what they compile to. */
const SCALAR_OPERATORS = new Map<string, string>([
  ["=", "="], ["==", "="], ["!=", "<>"], ["<>", "<>"], ["<", "<"], ["<=", "<="], [">", ">"], [">=", ">="],
  ["like", "LIKE"], ["ilike", "ILIKE"], ["not like", "NOT LIKE"], ["not ilike", "NOT ILIKE"],
]);
const LIST_OPERATORS = new Map<string, string>([["in", "IN"], ["=", "IN"], ["not in", "NOT IN"], ["!=", "NOT IN"], ["<>", "NOT IN"]]);
/** Type names that precede a typed literal (`interval '1 day'`): the literal becomes a CAST. */
const TYPED_LITERALS = new Set(["interval", "date", "timestamp", "timestamptz", "time", "timetz"]);
/** A column for filter(): an identifier, optionally qualified by table and schema. */
const COLUMN = /^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*){0,2}$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const UNSUPPORTED_HINT =
  "Atrium binds variables as parameters: use {{ var }}, filter('column', var), filter('column', var, '>=') or filter_date_range('column', var), and do arithmetic or casts in SQL around them.";

// ---------------------------------------------------------------------------------------------
// Expression parsing (the inside of `{{ … }}`)

type Token = { kind: "name" | "string" | "int" | "punct"; text: string };

function tokenize(expr: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < expr.length && /[A-Za-z0-9_]/.test(expr[j]!)) j++;
      tokens.push({ kind: "name", text: expr.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < expr.length && /[0-9]/.test(expr[j]!)) j++;
      tokens.push({ kind: "int", text: expr.slice(i, j) });
      i = j;
    } else if (c === "'" || c === '"') {
      const close = expr.indexOf(c, i + 1);
      if (close < 0) return null;
      const body = expr.slice(i + 1, close);
      if (body.includes("\\")) return null;
      tokens.push({ kind: "string", text: body });
      i = close + 1;
    } else if ("(),.[]".includes(c)) {
      tokens.push({ kind: "punct", text: c });
      i++;
    } else {
      return null; // `|`, operators, braces …: not in the safe subset
    }
  }
  return tokens;
}

/** A parsed `{{ … }}` expression of the safe subset. */
export type TemplateExpr =
  | { kind: "var"; name: string; field?: "start" | "end" }
  | { kind: "filter"; column: string; name: string; operator?: string }
  | { kind: "filter_date_range"; column: string; name: string };

type Parsed = { ok: true; expr: TemplateExpr } | { ok: false; message: string; hint: string };

/** Parses the inside of `{{ … }}`; anything outside the safe subset is refused. */
export function parseTemplateExpr(source: string): Parsed {
  const refuse = (message: string, hint = UNSUPPORTED_HINT): Parsed => ({ ok: false, message, hint });
  const shown = source.trim().length > 60 ? `${source.trim().slice(0, 60)}…` : source.trim();
  const tokens = tokenize(source);
  if (!tokens || tokens.length === 0) return refuse(`{{ ${shown} }} is not supported`);
  const t = (i: number) => tokens[i];
  const is = (i: number, text: string) => t(i)?.kind === "punct" && t(i)?.text === text;
  // name | name.start | name.end | name[0] | name[1]
  if (t(0)!.kind === "name" && !is(1, "(")) {
    const name = t(0)!.text;
    if (name === "variables" || name === "queries" || name === "env_var") return refuse(`{{ ${shown} }} is not supported`, name === "variables" ? "Write the bare variable name: {{ region }}, not {{ variables.region }}." : UNSUPPORTED_HINT);
    if (tokens.length === 1) return { ok: true, expr: { kind: "var", name } };
    if (tokens.length === 3 && is(1, ".") && t(2)!.kind === "name" && (t(2)!.text === "start" || t(2)!.text === "end")) {
      return { ok: true, expr: { kind: "var", name, field: t(2)!.text as "start" | "end" } };
    }
    if (tokens.length === 4 && is(1, "[") && t(2)!.kind === "int" && is(3, "]") && (t(2)!.text === "0" || t(2)!.text === "1")) {
      return { ok: true, expr: { kind: "var", name, field: t(2)!.text === "0" ? "start" : "end" } };
    }
    return refuse(`{{ ${shown} }} is not supported`);
  }
  // filter('col', var) | filter('col', var, 'op') | filter_date_range('col', var)
  if (t(0)!.kind === "name" && is(1, "(") && is(tokens.length - 1, ")")) {
    const fn = t(0)!.text;
    const args: Token[][] = [[]];
    for (const tok of tokens.slice(2, -1)) {
      if (tok.kind === "punct" && tok.text === ",") args.push([]);
      else args[args.length - 1]!.push(tok);
    }
    const single = args.every((a) => a.length === 1);
    if (fn !== "filter" && fn !== "filter_date_range") return refuse(`The function ${fn}() is not supported in templates`);
    const [col, variable, op] = args;
    const usage = fn === "filter" ? "filter('column', variable) or filter('column', variable, '>=')" : "filter_date_range('column', variable)";
    if (!single || !col || !variable || col[0]!.kind !== "string" || variable[0]!.kind !== "name" || (fn === "filter" ? args.length > 3 : args.length > 2)) {
      return refuse(`{{ ${shown} }}: ${fn}() takes a quoted column and a variable name`, `Write ${usage}.`);
    }
    const column = col[0]!.text;
    if (!COLUMN.test(column)) return refuse(`"${column}" is not a column name`, "Name a column, optionally qualified: 'region', 'o.region' or 'sales.orders.region'.");
    const name = variable[0]!.text;
    if (fn === "filter_date_range") return { ok: true, expr: { kind: "filter_date_range", column, name } };
    if (op) {
      if (op[0]!.kind !== "string") return refuse(`{{ ${shown} }}: the operator of filter() is a quoted string`, "Write filter('column', variable, '>=').");
      return { ok: true, expr: { kind: "filter", column, name, operator: op[0]!.text } };
    }
    return { ok: true, expr: { kind: "filter", column, name } };
  }
  return refuse(`{{ ${shown} }} is not supported`);
}

// ---------------------------------------------------------------------------------------------
// SQL

/**
 * Compiles dbt Charts SQL into Atrium SQL whose only templates are `{{name}}` /
 * `{{name.start}}` / `{{name.end}}` placeholders in SQL code (bound as parameters later).
 */
export function compileSqlTemplate(sql: string, variables: ReadonlyMap<string, TemplateVariable>): SqlCompileResult {
  const errors: TemplateError[] = [];
  const err = (offset: number, code: string, message: string, hint: string) => errors.push({ code, message, hint, offset });
  let out = "";
  let i = 0;
  const n = sql.length;

  /** One `{{ … }}` starting at `start`: its parsed expression and where it ends, or null (error recorded). */
  const readExpr = (start: number): { expr: TemplateExpr; end: number } | { end: number } => {
    const close = sql.indexOf("}}", start + 2);
    if (close < 0) {
      err(start, "jinja_syntax", "A {{ is never closed", "Close it with }}.");
      return { end: n };
    }
    const parsed = parseTemplateExpr(sql.slice(start + 2, close));
    if (!parsed.ok) {
      err(start, "jinja_unsupported", parsed.message, parsed.hint);
      return { end: close + 2 };
    }
    const checked = checkExpr(parsed.expr, variables);
    if (checked) {
      err(start, checked.code, checked.message, checked.hint);
      return { end: close + 2 };
    }
    return { expr: parsed.expr, end: close + 2 };
  };

  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "{" && next === "#") {
      const close = sql.indexOf("#}", i + 2);
      i = close < 0 ? n : close + 2; // a Jinja comment: gone, as Jinja renders it
    } else if (c === "{" && next === "%") {
      err(i, "jinja_unsupported", "Jinja statements ({% … %}) are not supported in SQL", "Use filter() (an empty selection filters nothing) or a SQL CASE around {{ var }}.");
      const close = sql.indexOf("%}", i + 2);
      i = close < 0 ? n : close + 2;
    } else if (c === "{" && next === "{") {
      const r = readExpr(i);
      if ("expr" in r) out += sqlFragment(r.expr, variables);
      i = r.end;
    } else if (c === "-" && next === "-") {
      const eol = sql.indexOf("\n", i);
      const end = eol < 0 ? n : eol;
      out += sql.slice(i, end); // comments stay as written; Atrium never binds inside them
      i = end;
    } else if (c === "/" && next === "*") {
      const close = sql.indexOf("*/", i + 2);
      const end = close < 0 ? n : close + 2;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '"') {
      const end = quotedEnd(sql, i, '"');
      if (sql.slice(i, end).includes("{{")) err(i, "jinja_unsupported", "A variable cannot name an identifier (inside double quotes)", "Variables are bound as values; name columns and tables in the SQL itself.");
      out += sql.slice(i, end);
      i = end;
    } else if (c === "$" && /[A-Za-z_$]/.test(next ?? "") && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? "")) {
      const tagEnd = next === "$" ? i + 1 : sql.slice(i + 1).search(/[^A-Za-z0-9_]/) + i + 1;
      if (sql[tagEnd] === "$") {
        const tag = sql.slice(i, tagEnd + 1);
        const close = sql.indexOf(tag, tagEnd + 1);
        const end = close < 0 ? n : close + tag.length;
        if (sql.slice(i, end).includes("{{")) err(i, "jinja_unsupported", "Variables are not supported inside dollar-quoted strings", "Write the text as a '…' literal.");
        out += sql.slice(i, end);
        i = end;
      } else {
        out += c;
        i++;
      }
    } else if (c === "'") {
      const escaped = /[eE]/.test(sql[i - 1] ?? "") && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? "");
      const end = quotedEnd(sql, i, "'", escaped);
      const literal = sql.slice(i, end);
      if (!literal.includes("{{") && !literal.includes("{%")) {
        out += literal;
      } else if (escaped) {
        err(i, "jinja_unsupported", "Variables are not supported inside E'…' strings", "Use a plain '…' literal.");
      } else {
        // A typed literal (`interval '…'`) keeps its type through a CAST of the concatenation.
        const typed = /([A-Za-z0-9_]+)\s*$/.exec(out);
        const typeName = typed && TYPED_LITERALS.has(typed[1]!.toLowerCase()) ? typed[1]! : null;
        const concatenation = literalWithParameters(literal, i, variables, err);
        if (typeName) out = `${out.slice(0, typed!.index)}CAST(${concatenation} AS ${typeName.toLowerCase()})`;
        else out += `(${concatenation})`;
      }
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, sql: out };
}

/** Checks a parsed expression against the board's variables; null when fine. */
function checkExpr(expr: TemplateExpr, variables: ReadonlyMap<string, TemplateVariable>): Omit<TemplateError, "offset"> | null {
  const v = variables.get(expr.name);
  if (!NAME.test(expr.name) || !v) {
    const names = [...variables.keys()];
    return {
      code: "unknown_reference",
      message: `"${expr.name}" is not a variable of this board`,
      hint: names.length ? `Declared variables: ${names.join(", ")}.` : "Declare it under `variables:`.",
    };
  }
  if (expr.kind === "var") {
    if (v.type === "daterange" && !expr.field) return { code: "invalid_value", message: `"${expr.name}" is a date range`, hint: `Use {{ ${expr.name}.start }} / {{ ${expr.name}.end }} or filter_date_range('column', ${expr.name}).` };
    if (v.type !== "daterange" && expr.field) return { code: "invalid_value", message: `"${expr.name}" has no ${expr.field}`, hint: `Only date ranges have start and end; write {{ ${expr.name} }}.` };
    return null;
  }
  if (expr.kind === "filter_date_range") {
    if (v.type !== "daterange" && v.type !== "date") return { code: "invalid_value", message: `filter_date_range() needs a date range variable, and "${expr.name}" is ${v.type}`, hint: `Use filter('column', ${expr.name}) instead.` };
    return null;
  }
  if (v.type === "daterange") return expr.operator ? { code: "invalid_value", message: `filter() on the date range "${expr.name}" takes no operator`, hint: `Write filter_date_range('column', ${expr.name}).` } : null;
  const op = (expr.operator ?? v.operator ?? (v.type === "multiselect" ? "in" : "=")).trim().toLowerCase().replace(/\s+/g, " ");
  const allowed = v.type === "multiselect" ? LIST_OPERATORS : SCALAR_OPERATORS;
  if (!allowed.has(op)) {
    return {
      code: "invalid_value",
      message: `"${expr.operator ?? v.operator}" is not an operator filter() accepts for a ${v.type} variable`,
      hint: `Use one of: ${[...allowed.keys()].join(", ")}.`,
    };
  }
  return null;
}

/** The SQL (with Atrium placeholders) one checked expression compiles to. */
function sqlFragment(expr: TemplateExpr, variables: ReadonlyMap<string, TemplateVariable>): string {
  const v = variables.get(expr.name)!;
  const ref = (field?: string) => `{{${expr.name}${field ? `.${field}` : ""}}}`;
  if (expr.kind === "var") return ref(expr.field);
  const dateRange = () =>
    v.type === "date"
      ? `(${ref()} IS NULL OR ${expr.column} >= CAST(${ref()} AS date) AND ${expr.column} < CAST(${ref()} AS date) + 1)`
      : `(${expr.column} >= CAST(${ref("start")} AS date) AND ${expr.column} < CAST(${ref("end")} AS date) + 1)`;
  if (expr.kind === "filter_date_range" || v.type === "daterange") return dateRange();
  const op = (expr.operator ?? v.operator ?? (v.type === "multiselect" ? "in" : "=")).trim().toLowerCase().replace(/\s+/g, " ");
  // An empty selection filters nothing (the comparison comes first: it gives the parameter its type).
  if (v.type === "multiselect") {
    return LIST_OPERATORS.get(op) === "IN"
      ? `(${expr.column} = ANY(${ref()}) OR cardinality(${ref()}) = 0)`
      : `(${expr.column} <> ALL(${ref()}) OR cardinality(${ref()}) = 0)`;
  }
  return `(${expr.column} ${SCALAR_OPERATORS.get(op)} ${ref()} OR ${ref()} IS NULL)`;
}

/** A '…' literal holding `{{ var }}`s as a concatenation of literal parts and text parameters. */
function literalWithParameters(
  literal: string,
  offset: number,
  variables: ReadonlyMap<string, TemplateVariable>,
  err: (offset: number, code: string, message: string, hint: string) => void,
): string {
  const body = literal.slice(1, literal.endsWith("'") && literal.length > 1 ? -1 : undefined);
  const parts: string[] = [];
  let text = "";
  let i = 0;
  while (i < body.length) {
    if (body.startsWith("{%", i)) {
      err(offset + 1 + i, "jinja_unsupported", "Jinja statements ({% … %}) are not supported in SQL", "Use filter() or a SQL CASE around {{ var }}.");
      const close = body.indexOf("%}", i + 2);
      i = close < 0 ? body.length : close + 2;
    } else if (body.startsWith("{{", i)) {
      const close = body.indexOf("}}", i + 2);
      if (close < 0) {
        err(offset + 1 + i, "jinja_syntax", "A {{ is never closed", "Close it with }}.");
        break;
      }
      const parsed = parseTemplateExpr(body.slice(i + 2, close));
      if (!parsed.ok) err(offset + 1 + i, "jinja_unsupported", parsed.message, parsed.hint);
      else if (parsed.expr.kind !== "var") err(offset + 1 + i, "jinja_unsupported", "filter() cannot be used inside a string literal", "Write filter() in SQL code: WHERE {{ filter('col', var) }}.");
      else {
        const checked = checkExpr(parsed.expr, variables);
        if (checked) err(offset + 1 + i, checked.code, checked.message, checked.hint);
        else if (variables.get(parsed.expr.name)!.type === "multiselect") err(offset + 1 + i, "invalid_value", `The list "${parsed.expr.name}" cannot be written inside a string`, `Use filter('column', ${parsed.expr.name}).`);
        else {
          parts.push(`'${text}'`);
          parts.push(`CAST({{${parsed.expr.name}${parsed.expr.field ? `.${parsed.expr.field}` : ""}}} AS text)`);
          text = "";
        }
      }
      i = close + 2;
    } else {
      text += body[i];
      i++;
    }
  }
  parts.push(`'${text}'`);
  return parts.join(" || ");
}

function quotedEnd(sql: string, start: number, quote: string, backslashEscapes = false): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashEscapes && c === "\\") i += 2;
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

// ---------------------------------------------------------------------------------------------
// Text (titles, labels, text blocks)

type TextNode = { kind: "text"; text: string } | { kind: "var"; name: string; field?: "start" | "end" } | { kind: "if"; name: string; negate: boolean; then: TextNode[]; else: TextNode[] };

export type TextTemplate = { ok: true; nodes: TextNode[] } | { ok: false; errors: TemplateError[] };

/**
 * Parses a title / label / text block: plain text, `{{ var }}` (and `.start` / `.end`), and
 * `{% if var %}…{% else %}…{% endif %}` (also `if not var`), nested. Everything else is refused.
 */
export function parseTextTemplate(source: string, variableNames: ReadonlySet<string>): TextTemplate {
  const errors: TemplateError[] = [];
  const err = (offset: number, code: string, message: string, hint: string) => errors.push({ code, message, hint, offset });
  const root: TextNode[] = [];
  const stack: { node: Extract<TextNode, { kind: "if" }>; inElse: boolean; offset: number }[] = [];
  const target = () => {
    const top = stack[stack.length - 1];
    return top ? (top.inElse ? top.node.else : top.node.then) : root;
  };
  let i = 0;
  let text = "";
  const flush = () => {
    if (text) target().push({ kind: "text", text });
    text = "";
  };
  while (i < source.length) {
    if (source.startsWith("{#", i)) {
      const close = source.indexOf("#}", i + 2);
      i = close < 0 ? source.length : close + 2;
    } else if (source.startsWith("{{", i)) {
      const close = source.indexOf("}}", i + 2);
      if (close < 0) {
        err(i, "jinja_syntax", "A {{ is never closed", "Close it with }}.");
        break;
      }
      const parsed = parseTemplateExpr(source.slice(i + 2, close));
      if (!parsed.ok || parsed.expr.kind !== "var") err(i, "jinja_unsupported", parsed.ok ? "filter() only works in SQL" : parsed.message, "In text, write {{ variable }} or {% if variable %}…{% endif %}.");
      else if (!variableNames.has(parsed.expr.name)) err(i, "unknown_reference", `"${parsed.expr.name}" is not a variable of this board`, "Declare it under `variables:`.");
      else {
        flush();
        target().push({ kind: "var", name: parsed.expr.name, ...(parsed.expr.field ? { field: parsed.expr.field } : {}) });
      }
      i = close + 2;
    } else if (source.startsWith("{%", i)) {
      const close = source.indexOf("%}", i + 2);
      if (close < 0) {
        err(i, "jinja_syntax", "A {% is never closed", "Close it with %}.");
        break;
      }
      const statement = source.slice(i + 2, close).replace(/^-|-$/g, "").trim();
      const m = /^if\s+(not\s+)?([A-Za-z_][A-Za-z0-9_]*)$/.exec(statement);
      flush();
      if (m) {
        if (!variableNames.has(m[2]!)) err(i, "unknown_reference", `"${m[2]}" is not a variable of this board`, "Declare it under `variables:`.");
        const node: Extract<TextNode, { kind: "if" }> = { kind: "if", name: m[2]!, negate: Boolean(m[1]), then: [], else: [] };
        target().push(node);
        stack.push({ node, inElse: false, offset: i });
      } else if (statement === "else") {
        const top = stack[stack.length - 1];
        if (!top || top.inElse) err(i, "jinja_syntax", "{% else %} without an open {% if %}", "Put {% else %} between {% if var %} and {% endif %}.");
        else top.inElse = true;
      } else if (statement === "endif") {
        if (!stack.pop()) err(i, "jinja_syntax", "{% endif %} without an open {% if %}", "Remove it, or open the block with {% if var %}.");
      } else {
        err(i, "jinja_unsupported", `{% ${statement.slice(0, 40)} %} is not supported`, "In text, only {% if variable %}, {% if not variable %}, {% else %} and {% endif %} are supported.");
      }
      i = close + 2;
    } else {
      text += source[i];
      i++;
    }
  }
  flush();
  for (const open of stack) err(open.offset, "jinja_syntax", "{% if %} is never closed", "Close it with {% endif %}.");
  return errors.length ? { ok: false, errors } : { ok: true, nodes: root };
}

/** True when a text holds any template syntax. */
export function hasTemplate(text: string): boolean {
  return /\{\{|\{%|\{#/.test(text);
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === "object") return true;
  return value !== null && value !== undefined && value !== false && value !== "" && value !== 0;
}

function show(value: unknown, field?: "start" | "end"): string {
  if (value === null || value === undefined) return "";
  if (field && typeof value === "object" && !Array.isArray(value)) return show((value as Record<string, unknown>)[field]);
  if (Array.isArray(value)) return value.map((v) => show(v)).join(", ");
  if (typeof value === "object") {
    const { start, end } = value as Record<string, unknown>;
    return start !== undefined || end !== undefined ? `${show(start)} – ${show(end)}` : "";
  }
  return String(value);
}

/**
 * Renders a text template with variable values as plain text (a value is never markup: the
 * caller displays the result as text). A template that does not parse renders as written.
 * `escape` escapes each inserted value (e.g. for Markdown) and leaves the authored text alone.
 */
export function renderTextTemplate(source: string, values: Record<string, unknown>, escape: (s: string) => string = (s) => s): string {
  if (!hasTemplate(source)) return source;
  const parsed = parseTextTemplate(source, new Set(Object.keys(values)));
  if (!parsed.ok) return source;
  const render = (nodes: TextNode[]): string =>
    nodes
      .map((node) => {
        if (node.kind === "text") return node.text;
        const value = Object.prototype.hasOwnProperty.call(values, node.name) ? values[node.name] : undefined;
        if (node.kind === "var") return escape(show(value, node.field));
        return render(truthy(value) !== node.negate ? node.then : node.else);
      })
      .join("");
  return render(parsed.nodes);
}

/** Escapes a value for Markdown: backslash before every Markdown / HTML special character. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~"']/g, (c) => `\\${c}`);
}
