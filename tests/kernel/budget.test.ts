/**
 * The per-org budget for expensive procedures: at most N at once per org, a short line, then
 * 429; other orgs unaffected; a cancelled caller leaves the line.
 */
import { TRPCError } from "@trpc/server";
import { describe, expect, test } from "vitest";
import { ConcurrencyBudget } from "~/kernel/budget";

const later = () => {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return { gate, open };
};

describe("ConcurrencyBudget", () => {
  test("runs at most `concurrency` calls per org, queues a few, refuses the rest with 429", async () => {
    const budget = new ConcurrencyBudget(2, 5_000, 2);
    const { gate, open } = later();
    let peak = 0;
    let running = 0;
    const work = async () => {
      running++;
      peak = Math.max(peak, running);
      await gate;
      running--;
      return "done";
    };
    const calls = Array.from({ length: 6 }, () => budget.run("org-a", work).catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 20));
    expect(budget.running("org-a")).toBe(2);
    // Another org has its own budget.
    await expect(budget.run("org-b", async () => "other")).resolves.toBe("other");
    open();
    const results = await Promise.all(calls);
    expect(peak).toBe(2);
    expect(results.filter((r) => r === "done")).toHaveLength(4);
    const refused = results.filter((r) => r instanceof TRPCError) as TRPCError[];
    expect(refused).toHaveLength(2);
    expect(refused[0]!.code).toBe("TOO_MANY_REQUESTS");
    expect(budget.running("org-a")).toBe(0);
  });

  test("a call waiting longer than the wait limit is refused, and its slot is never taken", async () => {
    const budget = new ConcurrencyBudget(1, 50, 5);
    const { gate, open } = later();
    const first = budget.run("org", () => gate);
    const started = Date.now();
    await expect(budget.run("org", async () => "late")).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    open();
    await first;
    await expect(budget.run("org", async () => "now")).resolves.toBe("now");
  });

  test("a caller that goes away leaves the line", async () => {
    const budget = new ConcurrencyBudget(1, 5_000, 5);
    const { gate, open } = later();
    const first = budget.run("org", () => gate);
    const abort = new AbortController();
    const waiting = budget.run("org", async () => "never", abort.signal);
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ code: "CLIENT_CLOSED_REQUEST" });
    open();
    await first;
    expect(budget.running("org")).toBe(0);
  });

  test("a failing call releases its slot", async () => {
    const budget = new ConcurrencyBudget(1, 1_000, 1);
    await expect(budget.run("org", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(budget.run("org", async () => "next")).resolves.toBe("next");
  });
});
