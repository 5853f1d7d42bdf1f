/**
 * Structured errors for dashboard documents: every problem has a code, a dotted path, a message
 * and a hint saying how to fix it. Browser-safe.
 */

/** One problem in a dashboard document (or in a query / variable binding). */
export interface SpecError {
  /** `unknown_key`, `invalid_type`, `invalid_value`, `missing`, `duplicate_id`, `unknown_reference`, `yaml_syntax`, … */
  code: string;
  /** Dotted path into the document (`charts.0.type`); "" for the whole document. */
  path: string;
  message: string;
  /** How to fix it ("Use one of: bar, line, …", "Did you mean `color`?"). */
  hint: string;
  /** 1-based line in the YAML text, when known. */
  line?: number;
  /** 1-based column in the YAML text, when known. */
  column?: number;
}

export type PathSegment = string | number;

export function joinPath(path: readonly PathSegment[]): string {
  return path.map(String).join(".");
}

export function specError(code: string, path: string | readonly PathSegment[], message: string, hint: string): SpecError {
  return { code, path: typeof path === "string" ? path : joinPath(path), message, hint };
}

/** Levenshtein distance, small inputs only (keys and identifiers). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const al = a.length;
  const bl = b.length;
  if (!al) return bl;
  if (!bl) return al;
  let prev = Array.from({ length: bl + 1 }, (_, i) => i);
  for (let i = 1; i <= al; i++) {
    const cur = [i];
    for (let j = 1; j <= bl; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[bl]!;
}

/** The nearest candidates to `input` within a small edit distance (case-insensitive), best first. */
export function nearest(input: string, candidates: readonly string[], max = 3): string[] {
  const needle = input.toLowerCase();
  const limit = Math.max(1, Math.min(3, Math.floor(needle.length / 3) + 1));
  return candidates
    .map((c) => ({ c, d: editDistance(needle, c.toLowerCase()) }))
    .filter(({ c, d }) => d <= limit || (needle.length >= 3 && c.toLowerCase().includes(needle)))
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map(({ c }) => c);
}

/** "Did you mean `x`?" when something is close, else "Use one of: a, b, c." (or `fallback`). */
export function suggest(input: string, candidates: readonly string[], fallback?: string): string {
  const near = nearest(input, candidates, 1);
  const list = listOf(candidates);
  if (near.length) return `Did you mean \`${near[0]}\`? ${candidates.length <= 20 ? `Use one of: ${list}.` : ""}`.trim();
  if (fallback) return fallback;
  return candidates.length ? `Use one of: ${list}.` : "Nothing to choose from here.";
}

export function listOf(values: readonly string[], max = 20): string {
  const shown = values.slice(0, max).join(", ");
  return values.length > max ? `${shown}, … (${values.length - max} more)` : shown;
}
