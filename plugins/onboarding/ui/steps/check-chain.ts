/**
 * Step 4's chain of checks as a rule over the task board: which check starts next, if any.
 * Derived from the board alone (and the starts refused in this page), so a reload, a remount
 * (Back, then Continue) or a refused start never leaves the chain stuck and never runs a check
 * twice for the same data.
 */
export interface ChainEntry {
  id: string;
  badge: string;
  activeRun: unknown;
  lastRun: { createdAt: string } | null;
  evidence: { observedAt: string } | null;
}

/** Good enough to build on: finished, and its newest evidence OK or a warning. */
export function isGood(entry: ChainEntry | undefined): boolean {
  return !!entry && !entry.activeRun && (entry.badge === "ok" || entry.badge === "warn");
}

/**
 * The first check in `order` (after the data task at `order[0]`) that is due: the one before it
 * is good and it has not run since that evidence was observed (a check older than the data it
 * checks runs again). A check whose start the server refused is not started again by itself —
 * its reason shows under it and its own Start button tries again — so a lasting refusal (an
 * outage, a lost permission) does not turn into a loop of requests.
 */
export function nextCheck(order: readonly string[], entries: readonly ChainEntry[], refused: Readonly<Record<string, string>>): string | null {
  const entry = (id: string) => entries.find((t) => t.id === id);
  for (let i = 1; i < order.length; i++) {
    const task = entry(order[i]!);
    const before = entry(order[i - 1]!);
    const basis = before?.evidence?.observedAt;
    if (!task || task.activeRun || !isGood(before) || !basis) continue;
    if (task.lastRun && Date.parse(task.lastRun.createdAt) >= Date.parse(basis)) continue;
    return refused[task.id] ? null : task.id;
  }
  return null;
}
