/**
 * What keeps secrets out of prompts and tool results out of proportion:
 *
 * - `redactText` masks what looks like a secret in free text (access tokens, API keys,
 *   passwords in connection strings or `password: …` pairs, private keys) before it reaches a
 *   prompt. The procedures never return secrets; this is the second line.
 * - `redactValue` does the same for JSON, and replaces the value of any key named like a secret.
 * - `fitToBudget` shortens a tool result to a byte budget (arrays first, then long strings),
 *   saying what was cut so the model knows it saw a part.
 */

const REDACTED = "[redacted]";

const TEXT_PATTERNS: Array<[RegExp, string]> = [
  // PEM private keys.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, `-----BEGIN PRIVATE KEY----- ${REDACTED} -----END PRIVATE KEY-----`],
  // Atrium's own access tokens and invitation links.
  [/\b(atr|inv)_[a-z2-7]{32}\b/g, `$1_${REDACTED}`],
  // Bearer credentials in pasted headers.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/-]{8,}=*/g, `$1 ${REDACTED}`],
  // Passwords inside URLs: scheme://user:password@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${REDACTED}@`],
  // Well-known key shapes (OpenAI-style, GitHub, AWS, Slack, Google).
  [/\bsk-[A-Za-z0-9_-]{16,}\b/g, REDACTED],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, REDACTED],
  [/\bAKIA[0-9A-Z]{16}\b/g, REDACTED],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, REDACTED],
  // key = value / key: value pairs whose key names a secret.
  [
    /\b((?:[a-z0-9]+[_-])*(?:password|passwd|pwd|passphrase|secret|api[_-]?key|access[_-]?key|auth[_-]?token|access[_-]?token|refresh[_-]?token|client[_-]?secret|private[_-]?key))(["']?\s*[:=]\s*["']?)([^\s"',;&]{3,})/gi,
    `$1$2${REDACTED}`,
  ],
];

/** `text` with anything that looks like a secret masked. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Keys whose values are secrets whatever they hold. */
const SECRET_KEY = /^(?:.*[_-])?(?:pass(?:word|wd|phrase)?|secrets?|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|authorization|cookie|credentials?|(?:auth|access|refresh|session|bearer)?[_-]?token)$|(?:Password|Secret|ApiKey|PrivateKey|Token)$/i;

/** A copy of `value` with secret-named keys replaced and secrets in strings masked. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 20) return "[…]";
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEY.test(key) && v !== null && v !== undefined && typeof v !== "boolean" ? REDACTED : redactValue(v, depth + 1);
  return out;
}

export function byteLength(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value) ?? "").length;
}

export interface Fitted {
  value: unknown;
  truncated: boolean;
  /** What was cut, for the model and the person ("rows: 1000 → 42"). */
  note: string | null;
}

const LONG_STRING = 2_000;

function cutStrings(value: unknown, max: number, cuts: { strings: number }): unknown {
  if (typeof value === "string") {
    if (value.length <= max) return value;
    cuts.strings++;
    return `${value.slice(0, max)}… [${value.length - max} more characters]`;
  }
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => cutStrings(v, max, cuts));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutStrings(v, max, cuts)]));
}

/** Every array inside `value` with its path, longest (in bytes) first. */
function arraysOf(value: unknown, path: string[] = []): Array<{ path: string[]; array: unknown[] }> {
  if (value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) {
    const inner = value.flatMap((v, i) => arraysOf(v, [...path, String(i)]));
    return [{ path, array: value }, ...inner];
  }
  return Object.entries(value).flatMap(([k, v]) => arraysOf(v, [...path, k]));
}

/**
 * `value` shortened to at most `budget` bytes of JSON. Arrays lose items from their end (the
 * longest first), then long strings are cut; as a last resort the JSON text itself is cut.
 */
export function fitToBudget(value: unknown, budget: number): Fitted {
  if (value === undefined) return { value: null, truncated: false, note: null };
  if (byteLength(value) <= budget) return { value, truncated: false, note: null };
  let current: unknown = JSON.parse(JSON.stringify(value));
  const shortened = new Map<string, { from: number; to: number }>();
  // Shorten the biggest array to the most items that fit (binary search), then the next one.
  for (let pass = 0; pass < 50 && byteLength(current) > budget; pass++) {
    const candidates = arraysOf(current).filter((a) => a.array.length > 1);
    if (!candidates.length) break;
    const biggest = candidates.reduce((a, b) => (byteLength(a.array) >= byteLength(b.array) ? a : b));
    const key = biggest.path.join(".") || "result";
    const original = biggest.array.slice();
    const from = shortened.get(key)?.from ?? original.length;
    let low = 1;
    let high = original.length - 1;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      biggest.array.length = 0;
      biggest.array.push(...original.slice(0, mid));
      if (byteLength(current) <= budget) low = mid;
      else high = mid - 1;
    }
    biggest.array.length = 0;
    biggest.array.push(...original.slice(0, low));
    shortened.set(key, { from, to: low });
  }
  const cuts = { strings: 0 };
  if (byteLength(current) > budget) current = cutStrings(current, LONG_STRING, cuts);
  if (byteLength(current) > budget) current = cutStrings(current, 200, cuts);
  const parts = [...shortened].map(([path, { from, to }]) => `${path}: ${from} → ${to} items`);
  if (cuts.strings) parts.push(`${cuts.strings} long text value${cuts.strings === 1 ? "" : "s"} cut`);
  if (byteLength(current) > budget) {
    const text = JSON.stringify(current);
    current = { preview: text.slice(0, Math.max(0, budget - 200)) };
    parts.push("result cut to a text preview");
  }
  const note = `Result shortened to fit ${budget} bytes (${parts.join("; ")}). Ask for less (filters, a LIMIT, fewer columns) to see the rest.`;
  return { value: current, truncated: true, note };
}
