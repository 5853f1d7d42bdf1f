/**
 * What a public link's viewer may change: per variable, locked to a value (or the dashboard's
 * default), limited to an allowed list, or free within the variable's own options; and a
 * clamp on date variables. `applyPolicy` turns what a viewer sent into the values the
 * dashboard runs with, or field errors (422) before any SQL runs. Pure: tested without a
 * database (policy.test.ts).
 */
import { z } from "zod";
import { safeString, safeUnknown } from "~/kernel/schemas";
import { coerceVariableValue, type Variable } from "../dashboards/published";

const value = safeUnknown();

export const variablePolicySchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("locked"), value: value.optional() }),
  z.object({ mode: z.literal("allowed"), values: z.array(value).min(1, "Allow at least one value").max(100, "At most 100 values") }),
  z.object({ mode: z.literal("free") }),
]);
export type VariablePolicy = z.infer<typeof variablePolicySchema>;

export const linkPolicySchema = z.record(safeString().max(63), variablePolicySchema).refine((p) => Object.keys(p).length <= 50, "At most 50 variables");
export type LinkPolicy = z.infer<typeof linkPolicySchema>;

const isoDate = safeString().regex(/^\d{4}-\d{2}-\d{2}$/, "A date as YYYY-MM-DD");
export const timeClampSchema = z
  .object({ from: isoDate.optional(), to: isoDate.optional() })
  .refine((c) => !c.from || !c.to || c.from <= c.to, { message: "The start must not be after the end", path: ["to"] });
export type TimeClamp = z.infer<typeof timeClampSchema>;

/** The policy of a variable the link does not mention: locked at the dashboard's default. */
export function policyOf(policy: LinkPolicy, name: string): VariablePolicy {
  return policy[name] ?? { mode: "locked" };
}

/** Checks a link's policy against the dashboard's variables: field errors by `variables.<name>`. */
export function policyProblems(policy: LinkPolicy, variables: readonly Variable[]): Record<string, string[]> {
  const problems: Record<string, string[]> = {};
  for (const name of Object.keys(policy)) {
    if (!variables.some((v) => v.name === name)) problems[`variables.${name}`] = [`This dashboard has no variable "${name}"`];
  }
  return problems;
}

/** Checks a token's claims (params fixed, allowed free) against the dashboard's variables. */
export function policyFromClaimsProblems(claims: { params: Record<string, unknown>; allowed: string[] }, variables: readonly Variable[]): Record<string, string[]> {
  const problems: Record<string, string[]> = {};
  for (const name of Object.keys(claims.params)) {
    if (!variables.some((v) => v.name === name)) problems[`params.${name}`] = [`This dashboard has no variable "${name}"`];
  }
  for (const name of claims.allowed) {
    if (!variables.some((v) => v.name === name)) problems[`allowed.${name}`] = [`This dashboard has no variable "${name}"`];
    else if (Object.hasOwn(claims.params, name)) problems[`allowed.${name}`] = ["A variable is either fixed by params or allowed, not both"];
  }
  return problems;
}

export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const DATED: ReadonlySet<Variable["type"]> = new Set(["daterange", "date"]);
type Days = { start: string; end: string };

/** The days a date or date-range value covers (presets and "a..b" resolved as a run would), or null when it names none. */
function daysOf(variable: Variable, value: unknown, now: Date): Days | null {
  const checked = coerceVariableValue(variable, value, now);
  if (!checked.ok || checked.value === null) return null;
  if (typeof checked.value === "string") return { start: checked.value.slice(0, 10), end: checked.value.slice(0, 10) };
  if (typeof checked.value === "object" && "start" in checked.value) return { start: checked.value.start.slice(0, 10), end: checked.value.end.slice(0, 10) };
  return null;
}

/** A select's own options when the document lists them; null when a query gives them (checked after it runs). */
export function staticOptions(variable: Variable): unknown[] | null {
  const options = (variable as { options?: unknown }).options;
  return Array.isArray(options) ? options.map((o: unknown) => (o && typeof o === "object" && "value" in o ? (o as { value: unknown }).value : o)) : null;
}

/** The items of a select or multi-select value. */
export const itemsOf = (variable: Variable, value: unknown): unknown[] => (Array.isArray(value) && variable.type === "multiselect" ? value : [value]);

const within = (day: string, clamp: TimeClamp) => (!clamp.from || day >= clamp.from) && (!clamp.to || day <= clamp.to);

/** A value the link itself chose (a default, a fixed or first allowed value) moved inside the clamp. */
function clampedValue(variable: Variable, days: Days, clamp: TimeClamp): unknown {
  // One day: the nearest end of the clamp.
  if (variable.type === "date") return clamp.from && days.start < clamp.from ? clamp.from : clamp.to;
  let start = clamp.from && days.start < clamp.from ? clamp.from : days.start;
  let end = clamp.to && days.end > clamp.to ? clamp.to : days.end;
  // Wholly outside: the clamp's own range (one open end takes the other's day).
  if (start > end) [start, end] = [clamp.from ?? clamp.to!, clamp.to ?? clamp.from!];
  return { start, end };
}

/**
 * The variable values a viewer's request runs with: locked ones forced (a different value sent
 * is refused), allowed ones checked against the list (each item of a multi-select), free ones
 * passed on for the dashboard's own type and option checks. Dates a viewer sends must lie
 * inside the clamp (422 otherwise); dates the link chose (defaults, fixed values) are moved
 * inside it, so no run reads outside the clamp.
 */
export function applyPolicy(
  variables: readonly Variable[],
  policy: LinkPolicy,
  clamp: TimeClamp | null,
  given: Record<string, unknown>,
  now: Date = new Date(),
): { values: Record<string, unknown>; errors: Record<string, string[]> } {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string[]> = {};
  const fail = (name: string, message: string) => (errors[`variables.${name}`] ??= []).push(message);
  for (const name of Object.keys(given)) {
    if (!variables.some((v) => v.name === name)) fail(name, `This dashboard has no variable "${name}"`);
  }
  for (const variable of variables) {
    const p = policyOf(policy, variable.name);
    const sent = Object.hasOwn(given, variable.name) ? given[variable.name] : undefined;
    let chosen: unknown;
    if (p.mode === "locked") {
      if (sent !== undefined && (p.value === undefined || !same(sent, p.value))) {
        fail(variable.name, "This value is fixed for this link");
        continue;
      }
      chosen = p.value;
    } else if (sent === undefined) {
      chosen = p.mode === "allowed" ? p.values[0] : undefined;
    } else {
      if (p.mode === "allowed") {
        const items = itemsOf(variable, sent);
        if (!items.length || !items.every((item) => p.values.some((allowed) => same(allowed, item)))) {
          fail(variable.name, "This value is not one this link allows");
          continue;
        }
      }
      // Free: within the variable's own options (options from a query: ./public-view.ts checks after they run).
      const own = p.mode === "free" && (variable.type === "select" || variable.type === "multiselect") ? staticOptions(variable) : null;
      if (own && !itemsOf(variable, sent).every((item) => own.some((o) => same(o, item)))) {
        fail(variable.name, "This value is not one of this variable's options");
        continue;
      }
      if (clamp && DATED.has(variable.type)) {
        const days = daysOf(variable, sent, now);
        if (!days || !within(days.start, clamp) || !within(days.end, clamp)) {
          fail(variable.name, `Dates must be between ${clamp.from ?? "the beginning"} and ${clamp.to ?? "today"} on this link`);
          continue;
        }
      }
      values[variable.name] = sent;
      continue;
    }
    // The link's own choice, or the dashboard's default when it made none.
    if (clamp && DATED.has(variable.type)) {
      const days = daysOf(variable, chosen ?? variable.default ?? (variable.type === "daterange" ? "last_30_days" : null), now);
      if (days && !(within(days.start, clamp) && within(days.end, clamp))) chosen = clampedValue(variable, days, clamp);
    }
    if (chosen !== undefined) values[variable.name] = chosen;
  }
  return { values, errors };
}
