/**
 * Small helpers shared by the benchmark harness.
 */
import { writeFileSync } from "node:fs";
import net from "node:net";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** Reads a positive number (or zero, with `allowZero`) from the environment; a bad value throws naming it. */
export function envNumber(name: string, fallback: number, options: { integer?: boolean; allowZero?: boolean } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  const ok = Number.isFinite(value) && (options.allowZero ? value >= 0 : value > 0) && (!options.integer || Number.isInteger(value));
  if (!ok) {
    const kind = `${options.allowZero ? "a non-negative" : "a positive"} ${options.integer ? "integer" : "number"}`;
    throw new Error(`${name} must be ${kind} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** Keeps the last `max` lines written to it (a child's output, shown when something fails). */
export class LineTail {
  private lines: string[] = [];
  private partial = "";
  constructor(private readonly max = 200) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop() ?? "";
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.max) this.lines.shift();
    }
  }

  toString(): string {
    return [...this.lines, this.partial].filter((l) => l !== "").join("\n");
  }
}

/** Resolves when the promise settles or after `ms`, whichever comes first; true if it settled. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const, () => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a process id is alive (signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The p-th percentile (nearest rank) of `values`. */
export function percentileOf(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Runs a bench module's entry when the file is executed directly (`npx tsx scripts/bench/x.ts
 * [--json <file>]`): writes the result as JSON when asked, exits 0, or 1 with the stack.
 */
export function runWhenMain(moduleUrl: string, run: () => Promise<unknown>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const { values } = parseArgs({ options: { json: { type: "string" } } });
  run().then(
    (result) => {
      if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    },
  );
}
