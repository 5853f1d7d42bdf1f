/**
 * A worker process killed with SIGKILL in the middle of a run: another instance's reaper marks
 * the run failed with evidence within a minute (never stuck "running"), and the task can be
 * started again. The worker is a real `atrium worker` process on the same database; the run
 * hangs on a TCP server that accepts and never answers, so it is surely mid-run when killed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { TEST_SECRET } from "../../tests/setup/database";
import { member } from "../data/test-helpers";
import { onboardingDb } from "./tables";
import { bootOnboardingKernel, eventually, runRow } from "./test-helpers";

const ROOT = path.resolve(import.meta.dirname, "../..");
let k: Awaited<ReturnType<typeof bootOnboardingKernel>>;
let silent: net.Server;
const sockets = new Set<net.Socket>();
let worker: ChildProcess | null = null;

beforeAll(async () => {
  // Fail runs whose worker is silent for 8 s (the default is 30 s), looking every second.
  k = await bootOnboardingKernel({ workJobs: false, settings: { staleAfterMs: 8_000, reapEveryMs: 1_000 } });
  silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
}, 60_000);

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill("SIGKILL");
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent?.close(r));
  await k?.close();
});

test("a run whose worker is killed with SIGKILL is failed with evidence within a minute and can be started again", async () => {
  const { org, caller } = await member(k.kernel, "owner");
  const port = (silent.address() as net.AddressInfo).port;
  const source = await k.kernel.ownerDb
    .withTables<{ data_sources: { id?: string; org_id: string; name: string; type: string; config: unknown } }>()
    .insertInto("data_sources")
    .values({ org_id: org.id, name: "silent", type: "postgres", config: JSON.stringify({ host: "127.0.0.1", port, database: "x", user: "x", password: "x", sslmode: "disable" }) })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { run } = await caller.onboarding.tasks.start({ orgId: org.id, task: "connection.verify", params: { sourceId: source.id! } });

  worker = spawn(process.execPath, ["--import", "tsx", "scripts/atrium.ts", "worker"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: k.url, ATRIUM_SECRET: TEST_SECRET, LOG_LEVEL: "silent", NODE_ENV: "test" },
    stdio: "ignore",
  });
  const running = await eventually(async () => {
    const row = await runRow(k.kernel, run.id);
    return row.status === "running" ? row : null;
  }, 60_000, "the worker took the run");
  expect(running.worker).toContain(`${worker.pid}:`);
  worker.kill("SIGKILL");
  const killedAt = Date.now();

  const failed = await eventually(async () => {
    const row = await runRow(k.kernel, run.id);
    return row.status === "failed" ? row : null;
  }, 60_000, "the run failed after its worker died");
  expect(Date.now() - killedAt).toBeLessThan(60_000);
  expect(failed.reason_code).toBe("worker.lost");
  const evidence = await onboardingDb(k.kernel.ownerDb).selectFrom("onboarding_evidence").selectAll().where("run_id", "=", run.id).execute();
  expect(evidence).toMatchObject([{ status: "fail", reason_code: "worker.lost", task: "connection.verify" }]);
  const board = await caller.onboarding.tasks.list({ orgId: org.id });
  expect(board.tasks.find((t) => t.id === "connection.verify")).toMatchObject({ badge: "fail", activeRun: null, lastRun: { id: run.id, status: "failed" } });

  const again = await caller.onboarding.tasks.start({ orgId: org.id, task: "connection.verify", params: { sourceId: source.id! } });
  expect(again.created).toBe(true);
  expect(again.run.status).toBe("queued");
}, 120_000);
