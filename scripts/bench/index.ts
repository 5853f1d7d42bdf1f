/**
 * `npm run bench`: measures the built Atrium server against a bare node:http baseline, in the
 * same run, under the same load. See docs/benchmarks.md.
 *
 *   npm run bench                         # every scenario, 10 s per target, 10 connections
 *   npm run bench -- --json bench.json    # also write the results as JSON
 *   npm run bench -- --scenario trpc-kernel-info
 *   npm run bench -- --scenario dashboards   # only the in-process dashboards.run figures
 *   npm run bench -- --scenario data-engine  # only the query engine figures (scripts/bench/data.ts)
 *   npm run bench -- --scenario dbt-charts   # only the dbt Charts board figures (scripts/bench/dbt-charts.ts)
 *
 * Environment: BENCH_DURATION (measured seconds per target, default 10), BENCH_WARMUP (seconds
 * per target, default 5, 0 to skip), BENCH_CONNECTIONS (default 10), BENCH_ROUNDS (the
 * measured time is split into this many rounds alternating between Atrium and its baseline,
 * default 5), BENCH_VERBOSE=1 (show the server's output), DATABASE_URL (use that PostgreSQL
 * instead of a fresh embedded one).
 *
 * Also prints the dashboard page's initial JavaScript (scripts/bench/dashboard-js.ts).
 *
 * Exits 1 if any request errored or answered non-2xx or that JavaScript is over its goal, 130 when interrupted.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { startAtrium, type AtriumServer } from "./atrium";
import type { Endpoint } from "./baseline";
import { runLoad, stopActiveLoad, summarise, type LoadSettings, type RawRun } from "./load";
import {
  failuresOf,
  formatReport,
  machineInfo,
  ratiosOf,
  writeJson,
  type BenchReport,
  type MeasuredEndpoint,
  type ScenarioResult,
} from "./report";
import { DASHBOARDS_BENCH_ID, runDashboardsBench } from "./dashboards";
import { SETUP_BENCH_ID, runSetupBench } from "./onboarding";
import { SCALE_BENCH_ID, runScaleBench } from "./scale";
import { DBT_CHARTS_BENCH_ID, runDbtChartsBench } from "./dbt-charts";
import { GIT_BENCH_ID, runGitBench } from "./git";
import { COLLAB_BENCH_ID, runCollabBench } from "./collab";
import { formatDashboardJs, measureDashboardJs } from "./dashboard-js";
import { mcpScenarios } from "./mcp";
import { referenceScenarios } from "./references";
import { sharingScenarios } from "./sharing";
import { formatGoals, IDLE_MS, idleRss, type Footprint } from "./goals";
import { formatLcp, measureLcp, type LcpReport } from "./lcp";
import { scenarios as baseScenarios, type Scenario } from "./scenarios";
import { envNumber } from "./util";

const root = path.resolve(import.meta.dirname, "..", "..");
const scenarios: Scenario[] = [...baseScenarios, ...referenceScenarios, ...mcpScenarios, ...sharingScenarios];
/** The query engine's figures (scripts/bench/data.ts), run in a process of their own, last. */
const DATA_BENCH_ID = "data-engine";
/** Largest Contentful Paint of three pages in headless Chromium (scripts/bench/lcp.ts), on the same server. */
const LCP_BENCH_ID = "lcp";

function runDataBench(): number {
  console.log(`\nScenario ${DATA_BENCH_ID}: the query engine vs raw pg (scripts/bench/data.ts)`);
  const tsx = path.join(root, "node_modules", ".bin", "tsx");
  return spawnSync(tsx, [path.join(root, "scripts", "bench", "data.ts")], { cwd: root, stdio: "inherit" }).status ?? 1;
}

class Interrupted extends Error {
  override name = "Interrupted";
}

/* Cleanup: run once, in reverse order, on success, failure or Ctrl-C. */
const cleanups: Array<() => Promise<unknown>> = [];
let cleaning: Promise<void> | undefined;
function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    for (let fn = cleanups.pop(); fn; fn = cleanups.pop()) {
      await fn().catch((err: unknown) => console.error(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  })();
  return cleaning;
}

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) {
      console.error("Interrupted again: exiting without waiting for cleanup.");
      process.exit(130);
    }
    interrupted = true;
    console.error(`\n${signal}: stopping the load and the servers…`);
    stopActiveLoad();
    void cleanupAll().finally(() => process.exit(130));
  });
}
const checkInterrupted = () => {
  if (interrupted) throw new Interrupted("interrupted");
};

function usage(): string {
  return [
    "Usage: npm run bench -- [--json <file>] [--scenario <id>]...",
    "",
    "Scenarios:",
    ...scenarios.map((s) => `  ${s.id.padEnd(20)} ${s.description}`),
    `  ${DASHBOARDS_BENCH_ID.padEnd(20)} dashboards.run (8 charts, cold and cached) vs raw pg for the same SQL; in process, no server`,
    `  ${SETUP_BENCH_ID.padEnd(20)} setup tasks: start → queued at 100 concurrent starters across 20 orgs vs a raw insert, and queued → started; in process`,
    `  ${SCALE_BENCH_ID.padEnd(20)} lists and searches on 100 vs 100,000 dashboards (10,000 members), p50 ratio; in process`,
    `  ${DBT_CHARTS_BENCH_ID.padEnd(20)} a 40-chart dbt Charts board: validate + compile vs Atrium's parse, and get + run vs the same board in Atrium's format; in process`,
    `  ${GIT_BENCH_ID.padEnd(20)} git sync: first import and a one-file incremental sync of 100 vs 1,000 dashboards vs git fetch + cat-file; in process`,
    `  ${COLLAB_BENCH_ID.padEnd(20)} live fan-out: 200 SSE streams of one dashboard on two instances, a save → each stream, vs pg_notify → bare node:http SSE; memory per stream`,
    `  ${DATA_BENCH_ID.padEnd(20)} the query engine vs raw pg over the sample data; in process, no server`,
    `  ${LCP_BENCH_ID.padEnd(20)} TTFB and LCP of the org home, a dashboard list, an 8-chart dashboard and its public link in headless Chromium, cold and warm`,
    "",
    "Environment: BENCH_DURATION=10 BENCH_WARMUP=5 BENCH_CONNECTIONS=10 BENCH_ROUNDS=5 BENCH_VERBOSE=0 DATABASE_URL=(embedded)",
  ].join("\n");
}

function parseCli() {
  const { values } = parseArgs({
    options: {
      json: { type: "string" },
      scenario: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage());
    process.exit(0);
  }
  let selected: Scenario[] = scenarios;
  // The dashboards figures are measured in process (scripts/bench/dashboards.ts), after the HTTP scenarios.
  const dashboards = !values.scenario?.length || values.scenario.includes(DASHBOARDS_BENCH_ID);
  const data = !values.scenario?.length || values.scenario.includes(DATA_BENCH_ID);
  const lcp = !values.scenario?.length || values.scenario.includes(LCP_BENCH_ID);
  const setup = !values.scenario?.length || values.scenario.includes(SETUP_BENCH_ID);
  const scale = !values.scenario?.length || values.scenario.includes(SCALE_BENCH_ID);
  const dbtCharts = !values.scenario?.length || values.scenario.includes(DBT_CHARTS_BENCH_ID);
  const git = !values.scenario?.length || values.scenario.includes(GIT_BENCH_ID);
  const collab = !values.scenario?.length || values.scenario.includes(COLLAB_BENCH_ID);
  if (values.scenario?.length) {
    const unknown = values.scenario.filter((id) => id !== DASHBOARDS_BENCH_ID && id !== SETUP_BENCH_ID && id !== SCALE_BENCH_ID && id !== DBT_CHARTS_BENCH_ID && id !== GIT_BENCH_ID && id !== COLLAB_BENCH_ID && id !== DATA_BENCH_ID && id !== LCP_BENCH_ID && !scenarios.some((s) => s.id === id));
    if (unknown.length) throw new Error(`unknown scenario ${unknown.join(", ")}\n\n${usage()}`);
    selected = scenarios.filter((s) => values.scenario?.includes(s.id));
  }
  return { jsonFile: values.json, selected, dashboards, data, lcp, setup, scale, dbtCharts, git, collab };
}

/** Warm-up, then the measured time in rounds that alternate between the two sides. */
async function runScenario(
  atrium: AtriumServer,
  sides: readonly [Endpoint, Endpoint],
  settings: LoadSettings,
  warmupS: number,
  rounds: number,
): Promise<{ measured: MeasuredEndpoint[]; sequence: string[] }> {
  const sequence: string[] = [];
  const load = async (endpoint: Endpoint, duration: number): Promise<RawRun> => {
    checkInterrupted();
    sequence.push(endpoint.label);
    const run = await Promise.race([runLoad(endpoint.url, endpoint.request, { ...settings, duration }), atrium.unexpectedExit]);
    checkInterrupted();
    return run;
  };
  const warmups: (RawRun | null)[] = [null, null];
  if (warmupS > 0) {
    for (const [k, endpoint] of sides.entries()) {
      console.log(`  warm-up ${warmupS} s: ${endpoint.label}  (${endpoint.request.method} ${endpoint.url}${endpoint.request.path})`);
      warmups[k] = await load(endpoint, warmupS);
    }
  }
  const runs: RawRun[][] = [[], []];
  const slice = settings.duration / rounds;
  for (let r = 0; r < rounds; r++) {
    // B A, A B, B A…: the side warmed up last goes first, then the order flips every round.
    const order = r % 2 === 0 ? [1, 0] : [0, 1];
    const line: string[] = [];
    for (const k of order) {
      const endpoint = sides[k] as Endpoint;
      const run = await load(endpoint, slice);
      runs[k]?.push(run);
      line.push(`${endpoint.label} ${Math.round(run.requests / run.durationS).toLocaleString("en-US")} req/s`);
    }
    console.log(`  round ${r + 1}/${rounds} (${slice.toFixed(1)} s each): ${line.join(", ")}`);
  }
  const measured = sides.map((endpoint, k) => {
    const warmup = warmups[k];
    return {
      label: endpoint.label,
      request: endpoint.request,
      warmup: warmup ? summarise([warmup]) : null,
      result: summarise(runs[k] ?? []),
    };
  });
  return { measured, sequence };
}

async function main(): Promise<number> {
  const { jsonFile, selected, dashboards, data, lcp, setup, scale, dbtCharts, git, collab } = parseCli();
  if (!selected.length && !lcp) {
    if (dashboards) await runDashboardsBench();
    if (setup) await runSetupBench();
    if (scale) await runScaleBench();
    if (dbtCharts) await runDbtChartsBench();
    if (git) await runGitBench();
    if (collab) await runCollabBench();
    return data ? runDataBench() : 0;
  }
  const settings: LoadSettings = {
    duration: envNumber("BENCH_DURATION", 10),
    connections: envNumber("BENCH_CONNECTIONS", 10, { integer: true }),
  };
  const warmupS = envNumber("BENCH_WARMUP", 5, { allowZero: true });
  // Rounds of at least a second each.
  const rounds = Math.max(1, Math.min(envNumber("BENCH_ROUNDS", 5, { integer: true }), Math.floor(settings.duration)));
  const started = performance.now();

  console.log(`Starting the built Atrium server (${process.env.DATABASE_URL ? "DATABASE_URL" : "embedded PostgreSQL in a fresh temp dir"})…`);
  const atrium = await startAtrium({ root, verbose: process.env.BENCH_VERBOSE === "1", keepDataDir: true });
  cleanups.push(async () => {
    rmSync(atrium.dataDir, { recursive: true, force: true });
  });
  cleanups.push(async () => {
    const stopped = await atrium.stop();
    const how = stopped.forced ? "killed after the grace period" : `exit ${stopped.exitCode ?? stopped.signal}`;
    console.log(`Atrium stopped in ${(stopped.ms / 1000).toFixed(1)} s (${how}); temp data dir removed.`);
    const lines = atrium.output().split("\n").filter((l) => l.trim() && !l.startsWith("Listening on"));
    if (lines.length && process.env.BENCH_VERBOSE !== "1") {
      console.log(`Note: Atrium printed ${lines.length} line(s) of warnings or errors; BENCH_VERBOSE=1 shows them.`);
    }
  });
  checkInterrupted();
  console.log(`Atrium is up at ${atrium.url} after ${(atrium.startupMs / 1000).toFixed(1)} s.`);

  const results: ScenarioResult[] = [];
  for (const [i, scenario] of selected.entries()) {
    checkInterrupted();
    console.log(`\nScenario ${scenario.id}: ${scenario.description}`);
    const prepared = await Promise.race([scenario.prepare({ atriumUrl: atrium.url, dataDir: atrium.dataDir }), atrium.unexpectedExit]);
    if (prepared.cleanup) cleanups.push(prepared.cleanup);
    // Alternate which side goes first from one scenario to the next.
    const sides = i % 2 === 0 ? ([prepared.target, prepared.baseline] as const) : ([prepared.baseline, prepared.target] as const);
    const { measured, sequence } = await runScenario(atrium, sides, settings, warmupS, rounds);
    const [target, baseline] = i % 2 === 0 ? measured : [...measured].reverse();
    if (!target || !baseline) throw new Error("internal: a side was not measured");
    results.push({
      id: scenario.id,
      description: scenario.description,
      sequence,
      target,
      baseline,
      ratios: ratiosOf(target.result, baseline.result),
    });
    if (prepared.cleanup) {
      cleanups.splice(cleanups.indexOf(prepared.cleanup), 1);
      await prepared.cleanup();
    }
  }

  let lcpReport: LcpReport | null = null;
  if (lcp) {
    checkInterrupted();
    console.log(`\nScenario ${LCP_BENCH_ID}: Largest Contentful Paint in headless Chromium (scripts/bench/lcp.ts)`);
    lcpReport = await Promise.race([measureLcp(atrium.url), atrium.unexpectedExit]);
  }

  // Footprint: resident memory after the load has stopped and the server has idled, then the
  // time from start to healthy on the cluster that now exists (no initdb, no migrations to run).
  console.log(`\nFootprint: resident memory after ${IDLE_MS / 1000} s without requests, then a restart on the same cluster`);
  const footprint: Footprint = { firstStartMs: atrium.startupMs, ...(await idleRss(atrium.pid)), restartMs: null };
  if (!atrium.database.startsWith("DATABASE_URL")) {
    const stopped = await atrium.stop();
    if (stopped.exitCode === 0 || stopped.signal === "SIGTERM") {
      const again = await startAtrium({ root, verbose: process.env.BENCH_VERBOSE === "1", dataDir: atrium.dataDir, keepDataDir: true });
      footprint.restartMs = again.startupMs;
      await again.stop();
    }
  }

  const failures = results.flatMap((r) => [...failuresOf(r.target), ...failuresOf(r.baseline)]);
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    settings: { ...settings, warmup: warmupS, rounds, pipelining: 1, host: "127.0.0.1" },
    atrium: { database: atrium.database, startupMs: Math.round(atrium.startupMs), nodeEnv: "production", logLevel: "warn" },
    scenarios: results,
    failures,
    ok: failures.length === 0,
  };
  console.log(formatReport(report));
  // The dashboard page's initial JavaScript (from the same build; see dashboard-js.ts).
  const js = measureDashboardJs(root);
  console.log(`\n${formatDashboardJs(js)}`);
  if (lcpReport) console.log(`\n${formatLcp(lcpReport)}`);
  // The 100 vs 100,000 dashboards comparison runs in process on its own cluster (the server is stopped).
  const scaleResult = scale ? await runScaleBench() : null;
  const goals = formatGoals(results, js, footprint, lcpReport, scaleResult);
  console.log(`\n${goals.text}`);
  if (jsonFile) console.log(`\nResults written to ${writeJson(jsonFile, { ...report, footprint, lcp: lcpReport, scale: scaleResult, goals: goals.rows })}`);
  await cleanupAll();
  if (dashboards) await runDashboardsBench();
  if (setup) await runSetupBench();
  const dbt = dbtCharts ? await runDbtChartsBench() : null;
  const gitResult = git ? await runGitBench() : null;
  if (collab) await runCollabBench();
  const dataStatus = data ? runDataBench() : 0;
  console.log(`Total ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  return report.ok && js.ok && dataStatus === 0 && (dbt?.render.ok ?? true) && (gitResult?.met ?? true) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    if (err instanceof Interrupted) return; // the signal handler cleans up and exits
    console.error(`\nBenchmark failed: ${err instanceof Error ? err.message : String(err)}`);
    await cleanupAll();
    process.exit(1);
  },
);
