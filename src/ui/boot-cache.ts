/**
 * The answers a page's HTML carried for its first calls (src/ui/boot.tsx brings them), kept for
 * the tRPC client's first link (src/ui/trpc.ts). Each is used once, by the first call with the
 * same procedure and input, and only while the page is fresh. No Solid here: the client module
 * that imports it also runs in Node (tests, scripts), where the cache simply stays empty.
 */
/** One answer the server computed for the page: what the browser would get for `path` with `input`. */
export interface BootCall {
  path: string;
  input: unknown;
  /** The answer as it comes over the wire (JSON: dates are strings). */
  result: unknown;
}

/** How long after the page arrived its answers may stand in for a call. */
const FRESH_MS = 10_000;

/** A stable text for an input: object keys sorted, `undefined` as no input. */
function stableJson(value: unknown): string {
  if (value === undefined) return "null";
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function bootKey(path: string, input: unknown): string {
  return `${path} ${stableJson(input)}`;
}

let answers = new Map<string, unknown>();
let freshUntil = 0;

/** Keeps the page's answers for the first calls that ask for them. */
export function primeBoot(calls: readonly BootCall[] | null | undefined, now = Date.now()): void {
  answers = new Map();
  freshUntil = now + FRESH_MS;
  for (const call of calls ?? []) answers.set(bootKey(call.path, call.input), call.result);
}

/** Whether the page holds a fresh answer for this call (without using it). */
export function hasBoot(path: string, input: unknown, now = Date.now()): boolean {
  return answers.size > 0 && now <= freshUntil && answers.has(bootKey(path, input));
}

/** The page's answer for this call, once; undefined when there is none (or the page is no longer fresh). */
export function takeBoot(path: string, input: unknown, now = Date.now()): { result: unknown } | undefined {
  if (answers.size === 0) return undefined;
  if (now > freshUntil) {
    answers.clear();
    return undefined;
  }
  const key = bootKey(path, input);
  if (!answers.has(key)) return undefined;
  const result = answers.get(key);
  answers.delete(key);
  return { result };
}
