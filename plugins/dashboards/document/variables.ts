/**
 * Variable values and their binding into SQL. A `{{name}}` in SQL code becomes a positional
 * parameter `$n` with a typed value; text is never spliced into the SQL. Browser-safe.
 *
 * Value types after resolution:
 *  - select: string | number | null        - multiselect: (string | number)[] (ONE array parameter:
 *  - text: string                             write `col = any({{name}})` in SQL)
 *  - number: number | null                 - checkbox: boolean
 *  - daterange: { start, end } ISO dates; only `{{name.start}}` / `{{name.end}}` are bindable.
 *  - date: an ISO date, or null when none is chosen.
 */
import { specError, type SpecError } from "./errors";
import { checkVariableRef } from "./references";
import { DATE_PRESETS, type DatePreset, type DateRange, type Variable } from "./schema";
import { scanSql } from "./sql-scan";

export type VariableValue = string | number | boolean | null | (string | number)[] | DateRange;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const MAX_TEXT = 1000;
const MAX_ITEMS = 1000;

/** Is `value` an ISO date (or date-time) naming a real calendar day? */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== "string" || !ISO_DATE.test(value)) return false;
  const [y, m, d] = value.slice(0, 10).split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The date range a preset means at `now` (UTC days, both ends inclusive: end is today). */
export function resolveDatePreset(preset: DatePreset, now: Date = new Date()): DateRange {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const daysAgo = (n: number) => isoDay(new Date(today.getTime() - n * 86_400_000));
  switch (preset) {
    case "last_7_days":
      return { start: daysAgo(6), end: isoDay(today) };
    case "last_30_days":
      return { start: daysAgo(29), end: isoDay(today) };
    case "last_90_days":
      return { start: daysAgo(89), end: isoDay(today) };
    case "this_year":
      return { start: `${today.getUTCFullYear()}-01-01`, end: isoDay(today) };
  }
}

type Coerced = { ok: true; value: VariableValue } | { ok: false; message: string; hint: string };

/**
 * Checks (and gently coerces: "42" → 42, "true" → true, "a,b" stays one item) a value for a
 * variable. Strings from URLs are accepted for numbers, checkboxes and date ranges
 * ("2026-01-01..2026-03-31" or a preset name).
 */
export function coerceVariableValue(variable: Variable, value: unknown, now: Date = new Date()): Coerced {
  const bad = (message: string, hint: string): Coerced => ({ ok: false, message, hint });
  switch (variable.type) {
    case "number": {
      if (value === null || value === "") return { ok: true, value: null };
      const n = typeof value === "string" ? Number(value.trim()) : value;
      if (typeof n !== "number" || !Number.isFinite(n)) return bad(`"${variable.name}" needs a number`, "Give a finite number such as 42 or 3.5.");
      if (variable.min !== undefined && n < variable.min) return bad(`"${variable.name}" is below its minimum ${variable.min}`, `Use a number ≥ ${variable.min}.`);
      if (variable.max !== undefined && n > variable.max) return bad(`"${variable.name}" is above its maximum ${variable.max}`, `Use a number ≤ ${variable.max}.`);
      return { ok: true, value: n };
    }
    case "checkbox": {
      if (typeof value === "boolean") return { ok: true, value };
      if (value === "true" || value === "1" || value === 1) return { ok: true, value: true };
      if (value === "false" || value === "0" || value === 0 || value === "") return { ok: true, value: false };
      return bad(`"${variable.name}" needs true or false`, "Use true or false.");
    }
    case "date": {
      if (value === null || value === "") return { ok: true, value: null };
      if (!isIsoDate(value)) return bad(`"${variable.name}" needs an ISO date`, "Write a date like 2026-01-31.");
      return { ok: true, value };
    }
    case "text": {
      if (value === null || value === undefined) return { ok: true, value: "" };
      if (typeof value === "number") return { ok: true, value: String(value) };
      if (typeof value !== "string") return bad(`"${variable.name}" needs text`, "Give a string.");
      if (value.length > MAX_TEXT) return bad(`"${variable.name}" is too long`, `Use at most ${MAX_TEXT} characters.`);
      return { ok: true, value };
    }
    case "select": {
      if (value === null) return { ok: true, value: null };
      if (typeof value !== "string" && typeof value !== "number") return bad(`"${variable.name}" needs one value`, "Give a string or a number.");
      if (typeof value === "string" && value.length > MAX_TEXT) return bad(`"${variable.name}" is too long`, `Use at most ${MAX_TEXT} characters.`);
      return { ok: true, value };
    }
    case "multiselect": {
      const list = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
      if (list.length > MAX_ITEMS) return bad(`"${variable.name}" has too many values`, `Pick at most ${MAX_ITEMS}.`);
      if (!list.every((v) => (typeof v === "string" && v.length <= MAX_TEXT) || (typeof v === "number" && Number.isFinite(v)))) {
        return bad(`"${variable.name}" needs a list of strings or numbers`, "Give a list like [EMEA, APAC].");
      }
      return { ok: true, value: list as (string | number)[] };
    }
    case "daterange": {
      if (typeof value === "string") {
        if ((DATE_PRESETS as readonly string[]).includes(value)) return { ok: true, value: resolveDatePreset(value as DatePreset, now) };
        const [start, end, ...rest] = value.split("..");
        if (rest.length === 0 && start !== undefined && end !== undefined) return coerceVariableValue(variable, { start, end }, now);
        return bad(`"${variable.name}" needs a date range`, `Give { start, end } ISO dates, "start..end", or one of: ${DATE_PRESETS.join(", ")}.`);
      }
      if (value && typeof value === "object" && !Array.isArray(value)) {
        const { start, end } = value as Record<string, unknown>;
        if (!isIsoDate(start) || !isIsoDate(end)) return bad(`"${variable.name}" needs ISO dates for start and end`, "Write dates like 2026-01-31.");
        if (start > end) return bad(`"${variable.name}" ends before it starts`, "Make end on or after start.");
        return { ok: true, value: { start, end } };
      }
      return bad(`"${variable.name}" needs a date range`, `Give { start, end } ISO dates or one of: ${DATE_PRESETS.join(", ")}.`);
    }
  }
}

function defaultValue(variable: Variable, now: Date): VariableValue {
  switch (variable.type) {
    case "select": {
      if (variable.default !== undefined) return variable.default;
      const first = Array.isArray(variable.options) ? variable.options[0] : undefined;
      return first === undefined ? null : typeof first === "object" ? first.value : first;
    }
    case "multiselect":
      return variable.default ?? [];
    case "daterange":
      if (variable.default === undefined) return resolveDatePreset("last_30_days", now);
      return typeof variable.default === "string" ? resolveDatePreset(variable.default, now) : variable.default;
    case "date":
      return variable.default ?? null;
    case "text":
      return variable.default ?? "";
    case "number":
      return variable.default ?? null;
    case "checkbox":
      return variable.default ?? false;
  }
}

/**
 * The value of every declared variable: the given value when valid (coerced), else the default
 * (presets resolved relative to `now`). Select values outside static options fall back to the
 * default. Undeclared names in `given` are ignored. Never throws.
 */
export function resolveVariableValues(variables: Variable[] | undefined, given: Record<string, unknown> | undefined, now: Date = new Date()): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of variables ?? []) {
    const raw = given && Object.prototype.hasOwnProperty.call(given, v.name) ? given[v.name] : undefined;
    let value: VariableValue = defaultValue(v, now);
    if (raw !== undefined) {
      const c = coerceVariableValue(v, raw, now);
      if (c.ok && withinStaticOptions(v, c.value)) value = c.value;
    }
    out[v.name] = value;
  }
  return out;
}

/** Errors for given values that are not valid for their variables (for strict callers). */
export function validateVariableValues(variables: Variable[] | undefined, given: Record<string, unknown> | undefined): SpecError[] {
  const errors: SpecError[] = [];
  for (const v of variables ?? []) {
    if (!given || !Object.prototype.hasOwnProperty.call(given, v.name)) continue;
    const c = coerceVariableValue(v, given[v.name]);
    if (!c.ok) errors.push(specError("invalid_value", ["variables", v.name], c.message, c.hint));
    else if (!withinStaticOptions(v, c.value)) errors.push(specError("invalid_value", ["variables", v.name], `A value of "${v.name}" is not one of its options`, "Pick one of the listed options."));
  }
  return errors;
}

function withinStaticOptions(v: Variable, value: VariableValue): boolean {
  if ((v.type !== "select" && v.type !== "multiselect") || !Array.isArray(v.options) || value === null) return true;
  const allowed = new Set(v.options.map((o) => String(typeof o === "object" ? o.value : o)));
  const values = Array.isArray(value) ? value : [value];
  return values.every((x) => allowed.has(String(x)));
}

export type BindResult = { ok: true; sql: string; parameters: unknown[] } | { ok: false; errors: SpecError[] };

/**
 * Replaces each `{{name}}` / `{{name.start}}` / `{{name.end}}` in SQL code with `$n` and returns
 * the typed values as parameters (the same reference reuses its `$n`). Placeholders inside string
 * literals, quoted identifiers, comments and dollar-quoted strings are left alone.
 *
 * SQL that already holds `$1..$k` (a compiled visual query) passes those k values as
 * `existingParameters`; variables are then numbered from `$k+1` and appended after them.
 * Errors carry `line` / `column` within the SQL text (not the YAML document).
 */
export function bindVariables(
  sql: string,
  variablesIn: Variable[] | undefined,
  values: Record<string, unknown>,
  existingParameters: readonly unknown[] = [],
): BindResult {
  const variables = variablesIn ?? [];
  if (typeof sql !== "string") return { ok: false, errors: [specError("invalid_type", "sql", "The SQL must be text", "Give the query as a string.")] };
  const scan = scanSql(sql);
  const errors: SpecError[] = [];
  // Errors about a spot in the SQL carry its line and column within the SQL text.
  const at = (offset: number) => {
    const before = sql.slice(0, offset);
    const line = before.split("\n").length;
    return { line, column: offset - before.lastIndexOf("\n") };
  };
  for (const p of scan.positional) {
    if (p.index < 1 || p.index > existingParameters.length) {
      errors.push({
        ...specError(
          "invalid_value",
          "sql",
          `$${p.index} is a positional parameter with no value`,
          "Use {{variable}} placeholders in dashboard SQL; $1, $2 … are assigned by Atrium.",
        ),
        ...at(p.start),
      });
    }
  }
  const parameters: unknown[] = [...existingParameters];
  const numbers = new Map<string, number>();
  let out = "";
  let last = 0;
  for (const p of scan.placeholders) {
    if (p.malformed) {
      errors.push({ ...specError("invalid_value", "sql", `{{${p.ref}}} is not a variable reference`, "Write {{name}} or {{name.start}} / {{name.end}}."), ...at(p.start) });
      continue;
    }
    const refError = checkVariableRef(p.name, p.field, variables, "sql");
    if (refError) {
      errors.push({ ...refError, ...at(p.start) });
      continue;
    }
    const variable = variables.find((v) => v.name === p.name)!;
    let n = numbers.get(p.ref);
    if (n === undefined) {
      const raw = Object.prototype.hasOwnProperty.call(values ?? {}, p.name) ? values[p.name] : undefined;
      if (raw === undefined) {
        errors.push({ ...specError("missing", `variables.${p.name}`, `No value for variable "${p.name}"`, "Resolve values with resolveVariableValues first, or pass one."), ...at(p.start) });
        continue;
      }
      const c = coerceVariableValue(variable, raw);
      if (!c.ok) {
        errors.push({ ...specError("invalid_value", `variables.${p.name}`, c.message, c.hint), ...at(p.start) });
        continue;
      }
      const value = variable.type === "daterange" ? (c.value as DateRange)[p.field as "start" | "end"] : c.value;
      parameters.push(value);
      n = parameters.length;
      numbers.set(p.ref, n);
    }
    // Keep the parameter a separate token: `a{{x}}` must not become the identifier `a$1`.
    const before = /[A-Za-z0-9_$]/.test(sql[p.start - 1] ?? "") ? " " : "";
    const after = /[A-Za-z0-9_$]/.test(sql[p.end] ?? "") ? " " : "";
    out += sql.slice(last, p.start) + `${before}$${n}${after}`;
    last = p.end;
  }
  if (errors.length) return { ok: false, errors };
  out += sql.slice(last);
  return { ok: true, sql: out, parameters };
}
