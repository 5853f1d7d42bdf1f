/**
 * A worker killed with SIGKILL in the middle of a trunk sync: a real `atrium worker` process on
 * the same database takes the sync job, and is killed once it has written the imported versions
 * and waits for its last write (the test holds that row's lock, so the kill always lands inside
 * the sync's transaction, however fast or slow the machine). Nothing of that sync is visible afterwards (no dashboard half-imported, the trunk commit and
 * file records as before), its lock is free, and the next sync imports everything once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { bootTestKernel, TEST_SECRET } from "../../tests/setup/database";
import { simpleYaml, workspace } from "../dashboards/test-helpers";
import { eventually } from "../onboarding/test-helpers";
import { syncTrunkJob } from "./jobs";
import { backgroundSync } from "./service";
import { createRemote } from "./test-repos";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FILES = 300;
let k: Awaited<ReturnType<typeof bootTestKernel>>;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-git-crash-"));
const r = createRemote("main");
let worker: ChildProcess | null = null;

beforeAll(async () => {
  process.env.GIT_SYNC_DIR = syncDir;
  process.env.GIT_ALLOW_LOCAL_REMOTES = "true";
  k = await bootTestKernel({ workJobs: false });
});
afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill("SIGKILL");
  await k?.close();
  r.remove();
  rmSync(syncDir, { recursive: true, force: true });
});

/**
 * Rows of this database's sessions: the sync's advisory lock, whether a session is in a
 * transaction that touched versions, and whether one waits for the repository row's lock.
 */
async function activity() {
  const { rows } = await sql<{ locks: number; writing: number; waiting: number }>`
    select
      (select count(*)::int from pg_locks l join pg_database d on d.oid = l.database where l.locktype = 'advisory' and l.granted and d.datname = current_database()) as locks,
      (select count(*)::int from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike '%dashboards_versions%' and xact_start is not null) as writing,
      (select count(*)::int from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock' and query ilike '%update%git_sync_repositories%') as waiting`.execute(k.kernel.ownerDb);
  return rows[0]!;
}

test("a sync killed with SIGKILL mid-write leaves the project as it was, and the next sync finishes", async () => {
  const w = await workspace(k.kernel);
  const first = r.commit({ "dashboards/kpis.yaml": simpleYaml("KPIs") }, "First");
  await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });
  const files: Record<string, string> = { "dashboards/kpis.yaml": simpleYaml("KPIs, revised") };
  for (let i = 0; i < FILES; i++) files[`dashboards/board-${i}.yaml`] = simpleYaml(`Board ${i}`);
  const big = r.commit(files, "Many boards");

  worker = spawn(process.execPath, ["--import", "tsx", "scripts/atrium.ts", "worker"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: k.url, ATRIUM_SECRET: TEST_SECRET, LOG_LEVEL: "silent", NODE_ENV: "test", GIT_SYNC_DIR: syncDir, GIT_ALLOW_LOCAL_REMOTES: "true" },
    stdio: "ignore",
  });
  // The sync's last write is the repository row (its new trunk commit): hold that row's lock, so
  // the worker, once it has imported every file, waits inside its transaction to be killed.
  const holder = new pg.Client({ connectionString: k.url });
  await holder.connect();
  try {
    await holder.query("begin");
    await holder.query("select id from git_sync_repositories where project_id = $1 for update", [w.project.id]);
    await k.kernel.jobs.enqueue(syncTrunkJob, w.at, { singletonKey: `git-sync:${w.project.id}` });
    await eventually(async () => (await activity()).waiting > 0, 90_000, "the worker has written the versions and waits for its last write");
    worker.kill("SIGKILL");
    await eventually(async () => worker!.signalCode === "SIGKILL", 10_000, "the worker is dead");
  } finally {
    await holder.query("rollback").catch(() => undefined);
    await holder.end();
  }
  await eventually(async () => { const a = await activity(); return a.locks === 0 && a.writing === 0 && a.waiting === 0; }, 30_000, "the dead worker's transaction is gone");

  // Nothing of the killed sync: one dashboard at its first version, the trunk commit and file records as before.
  const list = await w.caller.dashboards.list(w.at);
  expect(list.items.map((d) => d.slug)).toEqual(["kpis"]);
  expect((await w.caller.dashboards.get({ ...w.at, slug: "kpis" })).version).toBe(1);
  const status = await w.caller.gitSync.status(w.at);
  expect(status).toMatchObject({ trunkSha: first, files: [{ path: "dashboards/kpis.yaml", commitSha: first }] });

  // The next sync takes the lock and imports everything, once.
  const result = await backgroundSync(k.kernel, w.at);
  expect(result).toMatchObject({ commitSha: big, problems: [], conflicts: [] });
  expect(result!.imported).toHaveLength(FILES + 1);
  const { rows } = await sql<{ n: number; versions: number }>`
    select count(distinct d.id)::int as n, count(v.*)::int as versions from dashboards_dashboards d join dashboards_versions v on v.dashboard_id = d.id
    where d.project_id = ${w.project.id} and d.deleted_at is null`.execute(k.kernel.ownerDb);
  // FILES new boards at version 1, and kpis at versions 1 and 2: no version written twice.
  expect(rows[0]).toEqual({ n: FILES + 1, versions: FILES + 2 });
  expect((await w.caller.dashboards.history({ ...w.at, slug: "kpis" })).versions.map((v) => v.version)).toEqual([2, 1]);
  expect(await w.caller.gitSync.status(w.at)).toMatchObject({ trunkSha: big, files: expect.arrayContaining([{ path: "dashboards/kpis.yaml", slug: "kpis", commitSha: big }]) });
}, 180_000);
