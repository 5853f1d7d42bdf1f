/**
 * Per-org concurrency budgets for expensive procedures (chart rendering, dashboard runs,
 * previews, ad-hoc queries): a procedure opts in with `.meta({ cost: "expensive" })` and the
 * org-guarded builders run it through {@link withExpensiveBudget}: members of the org only (so
 * a stranger cannot spend an org's budget), before the call's transaction (so a waiting call
 * holds no database connection).
 *
 * At most ATRIUM_EXPENSIVE_CONCURRENCY calls run at once per org on one instance; a few more
 * wait briefly in line; past the line or the wait, the call fails fast with 429 and
 * `Retry-After`, so one flood costs its org seconds of waiting instead of costing the whole
 * server its event loop (and `/api/health` its answer).
 */
import { TRPCError } from "@trpc/server";
import type { Kernel } from "./kernel";

/** How long a call waits in line for a slot before 429. */
export const EXPENSIVE_WAIT_MS = 2_000;
/** Callers waiting in line per org, as a multiple of the concurrency. */
const QUEUE_FACTOR = 2;

interface Lane {
  running: number;
  waiting: Array<() => void>;
}

/** Concurrency slots per key (an org id), with a short bounded line. */
export class ConcurrencyBudget {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    readonly concurrency: number,
    readonly maxWaitMs = EXPENSIVE_WAIT_MS,
    readonly maxQueue = concurrency * QUEUE_FACTOR,
  ) {}

  /** Calls running now for `key` (tests, metrics). */
  running(key: string): number {
    return this.lanes.get(key)?.running ?? 0;
  }

  /** Runs `fn` in a slot of `key`'s budget, or throws 429 when none frees up in time. */
  async run<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(key, signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private async acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { running: 0, waiting: [] }));
    const release = () => {
      const next = lane.waiting.shift();
      if (next) next();
      else if (--lane.running === 0) this.lanes.delete(key);
    };
    if (lane.running < this.concurrency) {
      lane.running++;
      return release;
    }
    if (lane.waiting.length >= this.maxQueue) throw tooBusy();
    return new Promise<() => void>((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", giveUp);
        // The slot passes from the releasing call to this one: `running` stays as it is.
        resolve(release);
      };
      const leave = (error: Error) => {
        const at = lane.waiting.indexOf(wake);
        if (at >= 0) lane.waiting.splice(at, 1);
        signal?.removeEventListener("abort", giveUp);
        reject(error);
      };
      const giveUp = () => leave(new TRPCError({ code: "CLIENT_CLOSED_REQUEST", message: "The request was cancelled." }));
      const timer = setTimeout(() => leave(tooBusy()), this.maxWaitMs);
      signal?.addEventListener("abort", giveUp, { once: true });
      lane.waiting.push(wake);
    });
  }
}

/** Seconds a refused caller should wait before trying again. */
export const EXPENSIVE_RETRY_AFTER_SECONDS = 2;

function tooBusy(): TRPCError {
  return new TRPCError({
    code: "TOO_MANY_REQUESTS",
    message: `This organization is running as many expensive requests (charts, queries, previews) as it may at once. Try again in ${EXPENSIVE_RETRY_AFTER_SECONDS} s.`,
  });
}

const budgets = new WeakMap<object, ConcurrencyBudget>();

/** The kernel's budget for expensive calls (one per kernel, sized by ATRIUM_EXPENSIVE_CONCURRENCY). */
export function expensiveBudget(kernel: Pick<Kernel, "config">): ConcurrencyBudget {
  let budget = budgets.get(kernel);
  if (!budget) budgets.set(kernel, (budget = new ConcurrencyBudget(kernel.config.expensiveConcurrency)));
  return budget;
}

/**
 * Runs an org-scoped call: through the org's budget when its meta says `cost: "expensive"`,
 * directly otherwise. The slot is taken before the call's transaction, so a waiting call holds
 * no database connection; only members spend their org's budget (anyone else is refused by the
 * guard in milliseconds, unbudgeted). A refusal sets `Retry-After` on the response.
 */
export async function withExpensiveBudget<T>(
  opts: {
    ctx: { kernel: Kernel; resHeaders: Headers | null; signal?: AbortSignal };
    actor: { userId: string };
    cost: "expensive" | undefined;
    orgId: string;
  },
  fn: () => Promise<T>,
): Promise<T> {
  if (opts.cost !== "expensive") return fn();
  const { kernel } = opts.ctx;
  const { userId } = opts.actor;
  const member = await kernel.withScope({ userId, orgId: null }, (trx) => kernel.tenancy.roleOf(userId, opts.orgId, trx));
  if (!member) return fn();
  try {
    return await expensiveBudget(kernel).run(opts.orgId, fn, opts.ctx.signal);
  } catch (err) {
    if (err instanceof TRPCError && err.code === "TOO_MANY_REQUESTS") opts.ctx.resHeaders?.set("retry-after", String(EXPENSIVE_RETRY_AFTER_SECONDS));
    throw err;
  }
}
