/**
 * YAML text → validated Dashboard, or SpecErrors pointing at the line and column of the problem
 * (the `yaml` package keeps each node's source range; a dotted path is mapped back to its node).
 * Browser-safe.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit, type Document, type Node } from "yaml";
import type { z } from "zod";
import { joinPath, listOf, nearest, specError, suggest, type PathSegment, type SpecError } from "./errors";
import { checkReferences } from "./references";
import {
  ALIAS,
  CHART_ID,
  D3_FORMAT,
  dashboardSchema as baseSchema,
  QUERY_ID,
  TAG,
  VARIABLE_NAME,
  type Dashboard,
} from "./schema";

/** Largest document accepted (characters of text). */
export const MAX_DOCUMENT_CHARS = 512 * 1024;

/**
 * The full document schema: structure (strict objects) plus the cross-reference checks, which
 * run once the structure is valid (so reference errors show after structural ones are fixed).
 * Each reference issue is a zod custom issue carrying `params: { code, hint }`.
 */
export const dashboardSchema = baseSchema.superRefine((doc, ctx) => {
  // zod runs this even when parts failed (the value may then be malformed): the reference
  // checks only make sense, and are only safe, on a structurally valid document.
  if (!baseSchema.safeParse(doc).success) return;
  for (const e of checkReferences(doc)) {
    ctx.addIssue({ code: "custom", path: e.path ? e.path.split(".") : [], message: e.message, params: { code: e.code, hint: e.hint, sqlLine: e.sqlLine, sqlText: e.sqlText } });
  }
}) as unknown as z.ZodType<Dashboard>;

export type ParseResult = { ok: true; doc: Dashboard } | { ok: false; errors: SpecError[] };

export function parseDashboard(text: string): ParseResult {
  if (typeof text !== "string") return { ok: false, errors: [specError("invalid_type", "", "The document must be text", "Send the YAML document as a string.")] };
  if (text.length > MAX_DOCUMENT_CHARS) {
    return { ok: false, errors: [specError("too_large", "", `The document is ${text.length} characters long`, `Keep it under ${MAX_DOCUMENT_CHARS} characters.`)] };
  }
  const lineCounter = new LineCounter();
  const yamlDoc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  if (yamlDoc.errors.length) {
    return {
      ok: false,
      errors: yamlDoc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        return { code: "yaml_syntax", path: "", message: firstLine(e.message), hint: yamlHint(e.code, e.message), line: pos.line, column: pos.col };
      }),
    };
  }
  const reserved = reservedKeyErrors(yamlDoc, lineCounter);
  if (reserved.length) return { ok: false, errors: reserved };
  let data: unknown;
  try {
    data = yamlDoc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { ok: false, errors: [specError("yaml_syntax", "", e instanceof Error ? firstLine(e.message) : "The YAML could not be read", "Remove excessive aliases (*name) from the document.")] };
  }
  if (data === null || data === undefined || typeof data !== "object" || Array.isArray(data)) {
    return {
      ok: false,
      errors: [
        {
          ...specError("invalid_type", "", "A dashboard document is a mapping of keys", "Start with `title: My dashboard` on the first line."),
          ...(yamlDoc.contents ? position(yamlDoc.contents, lineCounter) : { line: 1, column: 1 }),
        },
      ],
    };
  }
  const result = dashboardSchema.safeParse(data);
  if (result.success) return { ok: true, doc: result.data };
  const errors = issuesToErrors(result.error.issues, data).map((e) => locate(e, yamlDoc, lineCounter, text));
  // In text order, as an editor lists them (Array.prototype.sort is stable).
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { ok: false, errors };
}

/** Validates an already-parsed value (e.g. JSON from an API) with the same errors, without lines. */
export function validateDashboardValue(data: unknown): ParseResult {
  const result = dashboardSchema.safeParse(data);
  if (result.success) return { ok: true, doc: result.data };
  return { ok: false, errors: issuesToErrors(result.error.issues, data) };
}

// ---------------------------------------------------------------------------------------------
// zod issues → SpecErrors

type Issue = z.core.$ZodIssue;
/** A SpecError plus what `locate` needs to find it in the text (stripped before returning). */
type Located = SpecError & { sqlLine?: number; sqlText?: string; atKey?: boolean };

/** Converts zod issues (from any schema of this module) into SpecErrors with hints. */
export function issuesToErrors(issues: readonly Issue[], root: unknown, rootSchema: unknown = baseSchema, prefix: PathSegment[] = []): SpecError[] {
  return dedupe(issues.flatMap((issue) => issueToErrors(issue, root, prefix, rootSchema)));
}

function issueToErrors(issue: Issue, root: unknown, prefix: PathSegment[] = [], rootSchema: unknown = baseSchema): Located[] {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  const at = joinPath(path);
  const value = valueAt(root, path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeysAt(root, path, rootSchema);
      return issue.keys.map((key) => {
        const near = nearest(key, allowed, 1);
        return specError(
          "unknown_key",
          [...path, key],
          `Unknown key "${key}"${at ? ` in ${subject(path, false)}` : " at the top level"}`,
          near.length ? `Did you mean \`${near[0]}\`? Allowed here: ${listOf(allowed)}.` : allowed.length ? `Allowed here: ${listOf(allowed)}.` : "Remove it.",
        );
      });
    }
    case "invalid_type": {
      if (value === undefined) {
        const key = path[path.length - 1];
        return [specError("missing", path, `${subject(path)} is required`, `Add \`${String(key)}:\` with ${article(describeExpected(issue.expected))}.`)];
      }
      return [
        specError(
          "invalid_type",
          path,
          `${subject(path)} must be ${article(describeExpected(issue.expected))}, not ${describeValue(value)}`,
          typeHint(issue.expected, value),
        ),
      ];
    }
    case "invalid_value": {
      const allowed = issue.values.map(String);
      return [
        specError(
          "invalid_value",
          path,
          `${subject(path)} cannot be ${JSON.stringify(value)}`,
          allowed.length === 1 ? `Use ${allowed[0]}.` : suggest(String(value), allowed),
        ),
      ];
    }
    case "invalid_union": {
      if ("discriminator" in issue && issue.discriminator) {
        const allowed = (issue as { options?: unknown[] }).options?.map(String) ?? [];
        const discPath = path[path.length - 1] === issue.discriminator ? path : [...path, issue.discriminator];
        const discValue = valueAt(root, discPath);
        if (discValue === undefined) {
          return [specError("missing", discPath, `${subject(discPath)} is required`, `Add \`${issue.discriminator}:\` — one of: ${listOf(allowed)}.`)];
        }
        return [
          specError(
            typeof discValue === "string" ? "invalid_value" : "invalid_type",
            discPath,
            `${JSON.stringify(discValue)} is not a known ${kindOf(path)}${issue.discriminator}`,
            suggest(String(discValue), allowed),
          ),
        ];
      }
      return unionErrors(issue, root, path, value, rootSchema);
    }
    case "invalid_format": {
      const pattern = "pattern" in issue ? String(issue.pattern) : "";
      return [specError("invalid_value", path, `${subject(path)} cannot be ${JSON.stringify(value)}`, formatHint(pattern, path))];
    }
    case "too_small":
    case "too_big": {
      const small = issue.code === "too_small";
      const bound = String(small ? issue.minimum : issue.maximum);
      const what =
        issue.origin === "string" ? `${bound} characters` : issue.origin === "array" || issue.origin === "set" ? `${bound} items` : bound;
      return [
        specError(
          "invalid_value",
          path,
          `${subject(path)} is too ${small ? (issue.origin === "string" ? "short" : "small") : issue.origin === "string" ? "long" : "large"}`,
          `Use ${small ? "at least" : "at most"} ${what}.`,
        ),
      ];
    }
    case "not_multiple_of":
      return [specError("invalid_value", path, `${subject(path)} must be a multiple of ${String(issue.divisor)}`, "Use a whole number.")];
    case "invalid_key": {
      const key = String(path[path.length - 1]);
      return [{ ...specError("invalid_value", path, `"${key}" is not a valid id`, "Query ids use lowercase letters, digits and _, and start with a letter."), atKey: true }];
    }
    case "custom": {
      const params = (issue.params ?? {}) as { code?: string; hint?: string; sqlLine?: number; sqlText?: string };
      return [
        {
          ...specError(params.code ?? "invalid_value", path, issue.message, params.hint ?? "Fix this value."),
          ...(params.sqlLine !== undefined ? { sqlLine: params.sqlLine, sqlText: params.sqlText } : {}),
        },
      ];
    }
    default:
      return [specError("invalid_value", path, `${subject(path)}: ${issue.message}`, "Fix this value.")];
  }
}

/** For a plain union, report the errors of the option that came closest instead of "no match". */
function unionErrors(issue: Extract<Issue, { code: "invalid_union" }>, root: unknown, path: PathSegment[], value: unknown, rootSchema: unknown): SpecError[] {
  const options = (issue.errors ?? []).filter((issues) => issues.length > 0);
  const shallowTypeMiss = (issues: readonly Issue[]) => issues.length === 1 && issues[0]!.code === "invalid_type" && issues[0]!.path.length === 0;
  const deep = options.filter((issues) => !shallowTypeMiss(issues));
  if (deep.length) {
    const best = deep.reduce((a, b) => (b.length < a.length ? b : a));
    return best.flatMap((i) => issueToErrors(i, root, path, rootSchema));
  }
  const expected = [...new Set(options.map((issues) => describeExpected((issues[0] as { expected?: string }).expected ?? "value")))];
  if (value === undefined) {
    return [specError("missing", path, `${subject(path)} is required`, `Add \`${String(path[path.length - 1])}:\` with ${expected.map(article).join(" or ")}.`)];
  }
  return [
    specError(
      "invalid_type",
      path,
      `${subject(path)} must be ${expected.map(article).join(" or ")}, not ${describeValue(value)}`,
      expected.includes("list") ? "Write one value, or a list like `[a, b]`." : `Write ${expected.map(article).join(" or ")}.`,
    ),
  ];
}

/** How a message names the place at `path`: "`title`", "item 2 of `tags`", "the document". */
function subject(path: readonly PathSegment[], capital = true): string {
  const last = path[path.length - 1];
  let text: string;
  if (last === undefined) text = "the document";
  else if (typeof last === "number" || /^\d+$/.test(String(last))) {
    const parent = path.slice(0, -1);
    text = `item ${Number(last) + 1} of ${parent.length ? subject(parent, false) : "the document"}`;
  } else text = `\`${String(last)}\``;
  return capital ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

/** "chart " / "variable " for a discriminator under charts / variables. */
function kindOf(path: readonly PathSegment[]): string {
  const top = path[0];
  return top === "charts" ? "chart " : top === "variables" ? "variable " : "";
}

function describeExpected(expected: string): string {
  switch (expected) {
    case "array":
      return "list";
    case "object":
      return "mapping";
    case "string":
      return "string";
    case "number":
    case "int":
      return "number";
    case "boolean":
      return "boolean";
    default:
      return expected;
  }
}

function article(what: string): string {
  return /^[aeiou]/i.test(what) ? `an ${what}` : `a ${what}`;
}

function describeValue(value: unknown): string {
  if (value === null) return "empty (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function typeHint(expected: string, value: unknown): string {
  switch (expected) {
    case "array":
      return "Write a list: `[a, b]` or one `- item` per line.";
    case "object":
      return "Write a mapping: `key: value` lines indented under this key.";
    case "number":
    case "int":
      return typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)) ? "Remove the quotes around the number." : "Write a number without quotes.";
    case "boolean":
      return "Use true or false (without quotes).";
    case "string":
      return value === null ? "Write a value after the colon, or remove the key." : "Write text; quote it if it looks like a number, a date or a boolean.";
    default:
      return `Write ${article(describeExpected(expected))}.`;
  }
}

function formatHint(pattern: string, path: PathSegment[]): string {
  const last = String(path[path.length - 1] ?? "");
  if (pattern === String(VARIABLE_NAME) || pattern === String(ALIAS)) {
    return "Use lowercase letters, digits and _; start with a letter or _ (e.g. `revenue_by_week`).";
  }
  if (pattern === String(QUERY_ID)) return "Use lowercase letters, digits and _; start with a letter (e.g. `revenue_by_week`).";
  if (pattern === String(CHART_ID)) return "Use lowercase letters, digits, - and _; start with a letter (e.g. `weekly-revenue`).";
  if (pattern === String(TAG)) return "Tags are lowercase slugs: letters, digits and - (e.g. `finance`).";
  if (pattern === String(D3_FORMAT)) return 'Use a d3-format specifier such as ",.0f", "$,.2f", ".1%" or "~s".';
  if (last === "start" || last === "end" || path.includes("default")) return "Write an ISO date like 2026-01-31.";
  return "Check the spelling of this value.";
}

// ---------------------------------------------------------------------------------------------
// Schema and value navigation

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

/** The keys the schema allows for the object at `path` (choosing union options by the data). */
export function allowedKeysAt(root: unknown, path: readonly PathSegment[], rootSchema: unknown = baseSchema): string[] {
  let schema: any = rootSchema;
  let data: unknown = root;
  const settle = () => {
    for (;;) {
      const def = schema?._zod?.def;
      if (!def) return;
      if (def.type === "optional" || def.type === "nullable" || def.type === "default") schema = def.innerType;
      else if (def.type === "pipe") schema = def.in;
      else if (def.type === "union") {
        const options: any[] = def.options;
        const disc: string | undefined = def.discriminator;
        const d = data as Record<string, unknown> | null;
        const chosen = disc
          ? options.find((o) => {
              const lit = o._zod.def.shape?.[disc]?._zod.def.values;
              return Array.isArray(lit) && d && lit.includes(d[disc]);
            })
          : options.find((o) => {
              const t = o._zod.def.type;
              return (t === "object" && d && typeof d === "object" && !Array.isArray(d)) || (t === "array" && Array.isArray(d));
            });
        if (!chosen) return;
        schema = chosen;
      } else return;
    }
  };
  settle();
  for (const seg of path) {
    const def = schema?._zod?.def;
    if (!def) return [];
    if (def.type === "object") schema = def.shape[seg as string];
    else if (def.type === "array") schema = def.element;
    else if (def.type === "record") schema = def.valueType;
    else return [];
    data = data && typeof data === "object" ? (data as Record<string, unknown>)[seg as string] : undefined;
    settle();
  }
  const def = schema?._zod?.def;
  return def?.type === "object" ? Object.keys(def.shape) : [];
}

// ---------------------------------------------------------------------------------------------
// Paths → line/column

function position(node: Node, lineCounter: LineCounter): { line: number; column: number } | Record<string, never> {
  const offset = node.range?.[0];
  if (offset === undefined) return {};
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** Finds the node for `path`: the key node for a key-level error, else the value node. */
function locate(error: Located, doc: Document, lineCounter: LineCounter, text: string): SpecError {
  const { sqlLine, sqlText, atKey, ...rest } = error;
  const path = error.path === "" ? [] : error.path.split(".");
  let node: unknown = doc.contents;
  let keyNode: unknown = null;
  let resolved = 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) break;
      keyNode = null;
      node = item;
    } else break;
    resolved++;
  }
  const complete = resolved === path.length;
  // Unknown keys and missing values point at the key; everything else at the value.
  const target = complete && (error.code === "unknown_key" || atKey || node === null || node === undefined) && keyNode ? keyNode : node ?? keyNode;
  if (!target || typeof target !== "object" || !("range" in target)) return rest;
  const pos = position(target as Node, lineCounter);
  if (!("line" in pos)) return rest;
  if (sqlLine !== undefined && isScalar(target)) {
    const block = (target as Scalar).type === Scalar.BLOCK_LITERAL || (target as Scalar).type === Scalar.BLOCK_FOLDED;
    const line = pos.line + sqlLine + (block ? 1 : 0);
    // The column of the placeholder itself, when it is written on that line as in the SQL.
    const at = sqlText ? (text.split("\n")[line - 1] ?? "").indexOf(sqlText) : -1;
    return { ...rest, line, ...(at >= 0 ? { column: at + 1 } : sqlLine === 0 && !block ? { column: pos.column } : {}) };
  }
  return { ...rest, ...pos };
}

/**
 * `__proto__` as a mapping key would become the object's prototype when the YAML is turned into
 * JavaScript (silently dropping what it holds): refuse it where it is written.
 */
function reservedKeyErrors(doc: Document, lineCounter: LineCounter): SpecError[] {
  const errors: SpecError[] = [];
  visit(doc, {
    Pair(_key, pair, ancestors) {
      if (!isScalar(pair.key) || pair.key.value !== "__proto__") return;
      const path: PathSegment[] = [];
      ancestors.forEach((a, i) => {
        const child = ancestors[i + 1] ?? pair;
        if (isPair(a) && isScalar(a.key)) path.push(String(a.key.value));
        else if (isSeq(a)) path.push(a.items.indexOf(child as never));
      });
      errors.push({
        ...specError("invalid_value", [...path, "__proto__"], "`__proto__` cannot be used as a key", "Rename it: ids start with a letter."),
        ...position(pair.key, lineCounter),
      });
    },
  });
  return errors;
}

function yamlHint(code: string, message: string): string {
  switch (code) {
    case "DUPLICATE_KEY":
      return "Each key may appear once in a mapping: remove or rename the repeated key.";
    case "TAB_AS_INDENT":
      return "Indent with spaces; YAML does not allow tabs for indentation.";
    case "BAD_INDENT":
    case "MISSING_CHAR":
      if (/quote/i.test(message)) return "A quoted value is missing its closing quote (on this line or above).";
      if (/\]|\}/.test(message)) return "Close the [ or { list on the line where it starts, or indent its continuation lines.";
      return "Check the indentation: items of one mapping or list start in the same column.";
    case "BLOCK_AS_IMPLICIT_KEY":
    case "MULTILINE_IMPLICIT_KEY":
      return "A key must fit on one line and end with `: `; check for a missing colon above.";
    default:
      return "Check indentation (spaces, not tabs), the colon after each key, and quote values containing `: ` or ` #`.";
  }
}

function dedupe(errors: SpecError[]): SpecError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.code}|${e.path}|${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}
