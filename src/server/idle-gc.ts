/**
 * Memory handed back after a burst. Under load the JavaScript heap grows (a larger young
 * generation, garbage promoted to the old one) and V8 does not collect it while the process
 * sits idle, so an instance that served a burst keeps ~100 MB more resident until the next
 * burst. Once the server has been quiet for `quietMs` after serving at least `minRequests`
 * requests, one full collection runs; it shrinks the heap back to what is live.
 *
 * Measured by `npm run bench` (idle RSS after the load scenarios): see ADR 025.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

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

export function idleCollector(options: { quietMs: number; minRequests: number; collect?: () => void }): IdleCollector {
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  const quiet = () => {
    if (count < options.minRequests) return;
    count = 0;
    (options.collect ?? collector())?.();
  };
  return {
    served() {
      count++;
      if (timer) timer.refresh();
      else {
        timer = setTimeout(quiet, options.quietMs);
        // Never what keeps the process alive.
        timer.unref();
      }
    },
  };
}
