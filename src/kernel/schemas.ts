/**
 * Shared input schemas. Every string a procedure accepts is a `safeString()`: text PostgreSQL
 * can store. A NUL character (`\0`) makes PostgreSQL refuse the whole statement, and an
 * unpaired UTF-16 surrogate (`\ud800` alone) cannot be written to `jsonb` (the audit log), so
 * both are refused at the edge with a 422 naming the field instead of failing deep inside.
 * Browser-safe (zod only).
 */
import { z } from "zod";

/** An unpaired UTF-16 surrogate: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const NUL_MESSAGE = "Must not contain a NUL character (\\0)";
export const SURROGATE_MESSAGE = "Must be valid Unicode text (it contains an unpaired surrogate)";

// `params` carry a code and a hint for the documents that report issues as such (dashboard YAML).
const NUL_HINT = "Remove the NUL character; it cannot be stored.";
const SURROGATE_HINT = "Remove the broken character (half of an emoji or other surrogate pair).";

/** Why `value` cannot be stored as text, or null when it can. */
export function unsafeTextProblem(value: string): string | null {
  if (value.includes("\0")) return NUL_MESSAGE;
  if (LONE_SURROGATE.test(value)) return SURROGATE_MESSAGE;
  return null;
}

/**
 * A string without NUL characters or unpaired surrogates. Chain the usual checks after it
 * (`safeString().trim().min(1).max(100)`); `params` is what `z.string(params)` takes (the
 * message for a value that is not a string at all).
 */
export function safeString(params?: Parameters<typeof z.string>[0]) {
  return z
    .string(params)
    .refine((value) => !value.includes("\0"), { message: NUL_MESSAGE, abort: true, params: { code: "invalid_text", hint: NUL_HINT } })
    .refine((value) => !LONE_SURROGATE.test(value), { message: SURROGATE_MESSAGE, abort: true, params: { code: "invalid_text", hint: SURROGATE_HINT } });
}

/**
 * Where in a JSON-like value (an object key or a string, at any depth) text cannot be stored:
 * the first offending path and why, or null. For inputs typed `unknown` (connector settings,
 * variable values) whose strings no `safeString` reaches.
 */
export function findUnsafeText(value: unknown, path: Array<string | number> = [], depth = 0): { path: Array<string | number>; message: string } | null {
  if (typeof value === "string") {
    const message = unsafeTextProblem(value);
    return message ? { path, message } : null;
  }
  if (value === null || typeof value !== "object" || depth > 64) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnsafeText(value[i], [...path, i], depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, inner] of Object.entries(value)) {
    const keyProblem = unsafeTextProblem(key);
    if (keyProblem) return { path: [...path, key], message: `Key: ${keyProblem}` };
    const found = findUnsafeText(inner, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

/** `z.unknown()` whose strings and keys, at any depth, are storable text (see `findUnsafeText`). */
export function safeUnknown() {
  return z.unknown().superRefine((value, ctx) => {
    const found = findUnsafeText(value);
    if (found) ctx.addIssue({ code: "custom", path: found.path, message: found.message, params: { code: "invalid_text" } });
  });
}
