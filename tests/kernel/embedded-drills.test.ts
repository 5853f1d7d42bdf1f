/**
 * Crash drills on real processes: Atrium processes (tests/kernel/drills/app.ts, the kernel on
 * embedded PostgreSQL behind real HTTP) sharing one data directory, with PostgreSQL and the app
 * killed with SIGKILL. What a user or an operator would notice: answers are 200 or 503 with a
 * request id (never 500) while the database is gone, service comes back (or the process exits
 * non-zero) within 30 s, stopping is prompt, and no PostgreSQL is left running unowned.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { TEST_SECRET } from "../setup/database";

const ROOT = path.resolve(import.meta.dirname, "../..");
const dataDir = mkdtempSync(path.join(tmpdir(), "atrium-drill-"));
const clusterDir = path.join(dataDir, "postgres");
const started: App[] = [];
const timings: Record<string, number> = {};

interface App {
  child: ChildProcess;
  port: number;
  postmasterPid: number;
  owned: boolean;
  output: () => string;
  exited: Promise<number | null>;
}

async function startApp(): Promise<App> {
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "tests/kernel/drills/app.ts"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: "", ATRIUM_DATA_DIR: dataDir, ATRIUM_SECRET: TEST_SECRET, LOG_LEVEL: "warn", NODE_ENV: "test" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<App>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((l) => l.startsWith('{"ready"'));
      if (line) {
        const info = JSON.parse(line) as { port: number; postmasterPid: number; owned: boolean };
        resolve({ child, ...info, output: () => output, exited });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    void exited.then((code) => reject(new Error(`the app exited (${code}) before it was ready:\n${output.slice(-4000)}`)));
  });
  const app = await ready;
  started.push(app);
  return app;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function postmasterPid(): number | null {
  try {
    const pid = Number(readFileSync(path.join(clusterDir, "postmaster.pid"), "utf8").split("\n")[0]);
    return pid && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

interface Answer {
  status: number;
  body: { error?: { data?: { requestId?: string; code?: string } }; requestId?: string };
}

async function call(app: App, what: "health" | "trpc"): Promise<Answer> {
  const url = what === "health" ? `http://127.0.0.1:${app.port}/api/health` : `http://127.0.0.1:${app.port}/api/trpc/orgs.list`;
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as never };
}

/** Polls until `fn` is true; returns the milliseconds it took. */
async function until(fn: () => Promise<boolean> | boolean, timeoutMs: number, what: string, app?: App): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (await Promise.resolve(fn()).catch(() => false)) return Math.round(performance.now() - start);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${app ? `\n${app.output().slice(-3000)}` : ""}`);
}

async function stopApp(app: App): Promise<{ code: number | null; ms: number }> {
  const start = performance.now();
  app.child.kill("SIGTERM");
  const code = await app.exited;
  return { code, ms: Math.round(performance.now() - start) };
}

afterAll(async () => {
  for (const app of started) if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill("SIGKILL");
  const pid = postmasterPid();
  if (pid) process.kill(pid, "SIGKILL");
  chmodSync(clusterDir, 0o700);
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`crash drill timings (ms): ${JSON.stringify(timings)}`);
});

describe.sequential("crash drills", () => {
  let a: App;
  let b: App;

  test("kill -9 of PostgreSQL under load: 503 with a request id, then service again within 30 s", async () => {
    a = await startApp();
    expect(a.owned).toBe(true);
    expect((await call(a, "trpc")).status).toBe(200);

    // Load: four clients calling a procedure that reads the database, all through the drill.
    const statuses = new Map<number, number>();
    const unavailable: Array<{ requestId?: string; code?: string }> = [];
    let loading = true;
    const client = async () => {
      while (loading) {
        const r: Answer = await call(a, "trpc").catch(() => ({ status: 0, body: {} }));
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 503) unavailable.push(r.body.error?.data ?? {});
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((r) => setTimeout(r, 300));

    process.kill(a.postmasterPid, "SIGKILL");
    const killedAt = performance.now();
    await until(async () => (await call(a, "health")).status === 503, 5_000, "health answers 503", a);
    timings.firstHealth503 = Math.round(performance.now() - killedAt);
    await until(async () => (await call(a, "trpc")).status === 200, 30_000, "procedures answer again");
    timings.recoveredAfterPgKill = Math.round(performance.now() - killedAt);
    loading = false;
    await Promise.all(clients);

    expect([...statuses.keys()].sort()).toEqual([200, 503]);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const body of unavailable) {
      expect(body.code).toBe("SERVICE_UNAVAILABLE");
      expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    const health = await call(a, "health");
    expect(health.status).toBe(200);
    // The same process brought it back, on the same port, and owns it.
    expect(postmasterPid()).not.toBe(a.postmasterPid);
    expect(a.child.exitCode).toBeNull();
  }, 90_000);

  test("a second instance on the same data directory recovers after PostgreSQL is restarted", async () => {
    b = await startApp();
    expect(b.owned).toBe(false);
    const pid = postmasterPid()!;
    process.kill(pid, "SIGKILL");
    const killedAt = performance.now();
    await until(async () => (await call(b, "trpc")).status === 503, 5_000, "the second instance answers 503");
    await until(async () => (await call(b, "trpc")).status === 200 && (await call(b, "health")).status === 200, 30_000, "the second instance answers again");
    timings.secondInstanceRecovered = Math.round(performance.now() - killedAt);
    expect((await call(a, "trpc")).status).toBe(200);
    expect(postmasterPid()).not.toBe(pid);
  }, 90_000);

  test("kill -9 of the app: the next start owns the cluster it left behind and stops it on exit", async () => {
    // Let whichever instance started the server be its owner, then kill both the hard way.
    const pid = postmasterPid()!;
    a.child.kill("SIGKILL");
    b.child.kill("SIGKILL");
    await Promise.all([a.exited, b.exited]);
    // PostgreSQL is orphaned, still running.
    expect(alive(pid)).toBe(true);

    const c = await startApp();
    expect(c.owned).toBe(true);
    expect(c.postmasterPid).toBe(pid);
    expect((await call(c, "trpc")).status).toBe(200);
    const stop = await stopApp(c);
    timings.stopOwner = stop.ms;
    expect(stop.code).toBe(0);
    expect(stop.ms).toBeLessThan(5_000);
    await until(() => !alive(pid), 5_000, "the reclaimed PostgreSQL stops");
    expect(postmasterPid()).toBeNull();
  }, 90_000);

  test("when PostgreSQL cannot be brought back, the app exits non-zero within 30 s", async () => {
    const d = await startApp();
    expect(d.owned).toBe(true);
    const mode = statSync(clusterDir).mode & 0o777;
    // The cluster directory becomes unusable: every restart fails.
    chmodSync(clusterDir, 0o000);
    try {
      process.kill(d.postmasterPid, "SIGKILL");
      const killedAt = performance.now();
      const code = await Promise.race([d.exited, new Promise<"still running">((r) => setTimeout(() => r("still running"), 40_000))]);
      timings.gaveUpAfter = Math.round(performance.now() - killedAt);
      expect(code).toBe(1);
      expect(timings.gaveUpAfter).toBeLessThan(30_000);
      expect(d.output()).toMatch(/embedded PostgreSQL is gone; exiting/);
    } finally {
      chmodSync(clusterDir, mode);
    }
  }, 90_000);
});
