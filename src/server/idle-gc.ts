/**
 * Memory handed back after a burst. Under load the JavaScript heap grows (a larger young
 * generation, garbage promoted to the old one) and V8 does not collect it while the process
 * sits idle, so an instance that served a burst keeps ~100 MB more resident until the next
 * burst. Once the server has been quiet for `quietMs` after serving at least `minRequests`
 * requests, full collections run, a moment apart: they shrink the heap back to what is live and
 * hand the emptied pages back to the system.
 *
 * Measured by `npm run bench` (idle RSS after the load scenarios): see ADR 025.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * How long an instance that served a burst stays quiet before it collects: ten seconds, the order
 * of V8's own memory reducer (eight). A full collection costs the traffic that follows it: measured
 * with `kernel.info` on two cores, the next 300–400 ms served 8–20k requests/s instead of 40k+,
 * and the rounds that compact left it ~15% slower for seconds more (ADR 041). After two seconds,
 * as before, a pause between two bursts of an ordinary day paid that; after ten, only an instance
 * at rest does, and a quiet one still gives its memory back.
 */
export const IDLE_COLLECT_AFTER_MS = 10_000;

let gc: (() => void) | null | undefined;

/** V8's collector, exposed once for this process (null where the runtime refuses). */
export function collector(): (() => void) | null {
  if (gc !== undefined) return gc;
  try {
    setFlagsFromString("--expose-gc");
    const found: unknown = runInNewContext("gc");
    gc = typeof found === "function" ? (found as () => void) : null;
  } catch {
    gc = null;
  }
  return gc;
}

export interface IdleCollector {
  /** One request served: postpones the collection until the server has been quiet again. */
  served(): void;
}

export interface IdleCollectorOptions {
  /** Quiet time after the last request before the first collection. */
  quietMs: number;
  /** Requests served since the last collection below which none runs (an idle server is left alone). */
  minRequests: number;
  /**
   * Collections in a row, `roundGapMs` apart (default 3, 500 ms). The first frees the garbage but
   * leaves the pages it lived on scattered with survivors; V8 compacts and hands pages back over
   * the next ones. Measured on a heap grown to 400 MB of which 11 MB lived: one collection kept
   * 401 MB of old space, two 196 MB, three 12 MB.
   */
  rounds?: number;
  roundGapMs?: number;
  collect?: () => void;
}

export function idleCollector(options: IdleCollectorOptions): IdleCollector {
  const rounds = options.rounds ?? 3;
  const gap = options.roundGapMs ?? 500;
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  let round: NodeJS.Timeout | undefined;
  const collectRound = (left: number) => {
    round = undefined;
    (options.collect ?? collector())?.();
    if (left > 1) {
      round = setTimeout(() => collectRound(left - 1), gap);
      round.unref();
    }
  };
  const quiet = () => {
    if (count < options.minRequests) return;
    count = 0;
    collectRound(rounds);
  };
  return {
    served() {
      count++;
      // Traffic again: the rounds left wait for the next quiet period.
      if (round) {
        clearTimeout(round);
        round = undefined;
      }
      if (timer) timer.refresh();
      else {
        timer = setTimeout(quiet, options.quietMs);
        // Never what keeps the process alive.
        timer.unref();
      }
    },
  };
}
