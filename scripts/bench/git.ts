/**
 * Git sync at two repository sizes, in process, against a baseline measured in the same run:
 *
 *   npx tsx scripts/bench/git.ts
 *   npm run bench -- --scenario git
 *
 * Boots a kernel on a fresh embedded PostgreSQL (or DATABASE_URL's server), then for a
 * repository of 100 and one of 1,000 dashboard files (bare repositories on disk, reached over
 * file:// with GIT_ALLOW_LOCAL_REMOTES):
 *
 *   1. the first import (`gitSync.connect` through the tRPC caller: the connection check, the
 *      fetch, every file validated and saved as a dashboard version), its time and the server
 *      process's resident memory (peak above the level before, sampled every 5 ms; git's own
 *      processes are not counted);
 *   2. a one-file incremental sync, BENCH_GIT_ROUNDS times per size (default 7), the sizes
 *      alternating round by round: someone outside commits a change to one dashboard (not timed),
 *      then `gitSync.sync` imports it. The baseline for the same commit, timed right before each
 *      sync: plain `git fetch` of the trunk into a bare clone of its own plus `git cat-file` of
 *      the changed file — the least any sync must do.
 *
 * Prints p50 for each and the ratios: incremental 1,000 ÷ 100 (goal ≤ 1.5×: the incremental sync
 * must not grow with the repository) and each size against its baseline.
 *
 * Environment: BENCH_GIT_ROUNDS (default 7), BENCH_GIT_LARGE (default 1000), DATABASE_URL.
 * Flags (alone): --json <file>.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig } from "~/kernel/config";
import { bootKernel, type Kernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { createCallerFactory } from "~/kernel/trpc";
import { appRouter, plugins } from "~/plugins";
import { envNumber, percentileOf, runWhenMain } from "./util";

export const GIT_BENCH_ID = "git";
export const GIT_RATIO_GOAL = 1.5;

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Bench",
  GIT_AUTHOR_EMAIL: "bench@example.test",
  GIT_COMMITTER_NAME: "Bench",
  GIT_COMMITTER_EMAIL: "bench@example.test",
};
const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).trim();

function board(i: number, revision = 0): string {
  return [
    `title: "Revenue board ${i}"`,
    `description: Weekly revenue for team ${i % 97} (revision ${revision})`,
    "tags: [finance, weekly]",
    "queries:",
    "  revenue:",
    `    sql: select ${i} as n, ${revision} as r`,
    "charts:",
    "  - id: revenue",
    "    type: kpi",
    "    query: revenue",
    "    value: n",
    "",
  ].join("\n");
}

/** A bare repository holding `count` dashboards in one commit, and a work tree to change one of them. */
function makeRepository(root: string, count: number) {
  const bare = path.join(root, `remote-${count}.git`);
  const work = path.join(root, `work-${count}`);
  git(root, "init", "--bare", "--quiet", "--initial-branch=main", bare);
  git(root, "init", "--quiet", "--initial-branch=main", work);
  mkdirSync(path.join(work, "dashboards"), { recursive: true });
  for (let i = 0; i < count; i++) writeFileSync(path.join(work, "dashboards", `board-${i}.yaml`), board(i));
  writeFileSync(path.join(work, "atrium.yaml"), "version: 1\ndescription: Bench\n");
  git(work, "add", "--all");
  git(work, "commit", "--quiet", "-m", `${count} dashboards`);
  git(work, "push", "--quiet", bare, "HEAD:refs/heads/main");
  // The baseline's own clone: what a plain fetch costs on this repository.
  const baseline = path.join(root, `baseline-${count}.git`);
  git(root, "init", "--bare", "--quiet", baseline);
  git(baseline, "fetch", "--quiet", "--no-tags", `file://${bare}`, "+refs/heads/main:refs/remotes/origin/main");
  let revision = 0;
  return {
    url: `file://${bare}`,
    /** Someone outside changes one dashboard and pushes; returns the file's path. */
    changeOne(): string {
      revision += 1;
      const file = `dashboards/board-${revision % count}.yaml`;
      writeFileSync(path.join(work, file), board(revision % count, revision));
      git(work, "commit", "--quiet", "-am", `Revise board ${revision % count}`);
      git(work, "push", "--quiet", bare, "HEAD:refs/heads/main");
      return file;
    },
    /** The baseline: fetch the trunk and read the changed file. */
    fetchAndRead(file: string): number {
      const t = performance.now();
      git(baseline, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", `file://${bare}`, "+refs/heads/main:refs/remotes/origin/main");
      const text = git(baseline, "cat-file", "blob", `refs/remotes/origin/main:${file}`);
      if (!text.includes("revision")) throw new Error("baseline read the wrong file");
      return performance.now() - t;
    },
  };
}

/** Runs `fn`, sampling this process's resident memory every 5 ms: time and peak RSS above the level before. */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; peakMiB: number }> {
  global.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  const t = performance.now();
  try {
    const result = await fn();
    const ms = performance.now() - t;
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, ms, peakMiB: (peak - before) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

async function seedProject(k: Kernel, tag: string) {
  const db = k.ownerDb;
  const owner = await db.insertInto("users").values({ email: `git-${tag}@example.test`, name: `Git ${tag}` }).returning("id").executeTakeFirstOrThrow();
  const org = await db.insertInto("orgs").values({ slug: `git-${tag}`, name: `Git ${tag}` }).returning("id").executeTakeFirstOrThrow();
  await db.insertInto("memberships").values({ org_id: org.id, user_id: owner.id, role: "owner" }).execute();
  const project = await db.insertInto("projects").values({ org_id: org.id, slug: "main", name: "Main" }).returning("id").executeTakeFirstOrThrow();
  const caller = createCallerFactory(appRouter)({ kernel: k, actor: { kind: "user", userId: owner.id, sessionId: null }, db: k.db, requestId: "bench-git", ip: null, resHeaders: null });
  return { at: { orgId: org.id, projectId: project.id }, caller };
}

export interface GitBenchSize {
  dashboards: number;
  firstImport: { ms: number; peakMiB: number; imported: number };
  incremental: { p50: number; p95: number; peakMiB: number };
  baseline: { p50: number; p95: number };
  vsBaseline: number;
}

export interface GitBenchResult {
  rounds: number;
  sizes: GitBenchSize[];
  ratio: number;
  met: boolean;
}

export async function runGitBench(): Promise<GitBenchResult> {
  const rounds = envNumber("BENCH_GIT_ROUNDS", 7, { integer: true });
  const large = envNumber("BENCH_GIT_LARGE", 1000, { integer: true });
  const counts = [100, large] as const;
  const root = mkdtempSync(path.join(tmpdir(), "atrium-bench-git-"));
  const dataDir = process.env.DATABASE_URL ? null : path.join(root, "data");
  const saved = { dir: process.env.GIT_SYNC_DIR, local: process.env.GIT_ALLOW_LOCAL_REMOTES };
  process.env.GIT_SYNC_DIR = path.join(root, "clones");
  process.env.GIT_ALLOW_LOCAL_REMOTES = "true";
  const env = {
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : { ATRIUM_DATA_DIR: dataDir! }),
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
    ATRIUM_SECRET: "bench-secret-for-the-git-sync-figures-0123456789",
  };
  let kernel: Kernel | undefined;
  try {
    kernel = await bootKernel({ config: loadConfig(env), plugins, workJobs: false, log: createLogger("silent") });
    const stamp = Date.now().toString(36);
    console.log(`\nGit sync: repositories of ${counts.map((c) => c.toLocaleString("en-US")).join(" and ")} dashboards, ${rounds} one-file syncs each`);
    const sides = [];
    for (const count of counts) {
      const repo = makeRepository(root, count);
      const project = await seedProject(kernel, `${stamp}-${count}`);
      const first = await measured(() => project.caller.gitSync.connect({ ...project.at, remoteUrl: repo.url }));
      if (first.result.imported.length !== count || first.result.problems.length) throw new Error(`first import of ${count}: ${first.result.imported.length} imported, ${first.result.problems.length} problems`);
      console.log(`  first import, ${count.toLocaleString("en-US")} dashboards: ${(first.ms / 1000).toFixed(2)} s, peak RSS +${first.peakMiB.toFixed(1)} MiB`);
      sides.push({ count, repo, project, first, sync: [] as number[], base: [] as number[], peak: 0 });
    }
    // Warm-up: one sync per size (not counted).
    for (const side of sides) {
      side.repo.changeOne();
      await side.project.caller.gitSync.sync(side.project.at);
    }
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 ? sides : [...sides].reverse()) {
        const file = side.repo.changeOne();
        side.base.push(side.repo.fetchAndRead(file));
        const run = await measured(() => side.project.caller.gitSync.sync(side.project.at));
        if (run.result.imported.length !== 1) throw new Error(`sync of ${side.count}: imported ${run.result.imported.join(", ") || "nothing"}`);
        side.sync.push(run.ms);
        side.peak = Math.max(side.peak, run.peakMiB);
      }
    }
    const sizes: GitBenchSize[] = sides.map((s) => {
      const p50 = percentileOf(s.sync, 50);
      const base = percentileOf(s.base, 50);
      return {
        dashboards: s.count,
        firstImport: { ms: s.first.ms, peakMiB: s.first.peakMiB, imported: s.first.result.imported.length },
        incremental: { p50, p95: percentileOf(s.sync, 95), peakMiB: s.peak },
        baseline: { p50: base, p95: percentileOf(s.base, 95) },
        vsBaseline: p50 / base,
      };
    });
    const ratio = sizes[1]!.incremental.p50 / sizes[0]!.incremental.p50;
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    console.log(`\nGit sync: one-file incremental sync, p50 of ${rounds} (baseline: git fetch + cat-file of the changed file, same commits)`);
    console.log(["".padEnd(18), "first import".padStart(13), "peak RSS".padStart(10), "sync p50".padStart(10), "sync p95".padStart(10), "peak RSS".padStart(10), "baseline p50".padStart(13), "÷ baseline".padStart(11)].join(" "));
    for (const s of sizes) {
      console.log(
        [
          `${s.dashboards.toLocaleString("en-US")} dashboards`.padEnd(18),
          `${(s.firstImport.ms / 1000).toFixed(2)} s`.padStart(13),
          `+${s.firstImport.peakMiB.toFixed(1)} MiB`.padStart(10),
          ms(s.incremental.p50).padStart(10),
          ms(s.incremental.p95).padStart(10),
          `+${s.incremental.peakMiB.toFixed(1)} MiB`.padStart(10),
          ms(s.baseline.p50).padStart(13),
          `${s.vsBaseline.toFixed(2)}×`.padStart(11),
        ].join(" "),
      );
    }
    const met = ratio <= GIT_RATIO_GOAL;
    console.log(`Incremental sync ${large.toLocaleString("en-US")} ÷ 100: ${ratio.toFixed(2)}× (goal ≤ ${GIT_RATIO_GOAL}×: ${met ? "met" : "NOT met"})`);
    return { rounds, sizes, ratio, met };
  } finally {
    await kernel?.stop();
    if (saved.dir === undefined) delete process.env.GIT_SYNC_DIR;
    else process.env.GIT_SYNC_DIR = saved.dir;
    if (saved.local === undefined) delete process.env.GIT_ALLOW_LOCAL_REMOTES;
    else process.env.GIT_ALLOW_LOCAL_REMOTES = saved.local;
    rmSync(root, { recursive: true, force: true });
  }
}

runWhenMain(import.meta.url, runGitBench);
