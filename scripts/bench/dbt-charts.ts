/**
 * The dbt Charts benchmark, two figures measured in the same run:
 *
 *   1. validate + compile a 40-chart board: `readDbtCharts` (YAML with line positions, the
 *      strict board schema, templates compiled to bound parameters, conversion, the check as an
 *      Atrium document), against `parseDashboard` of the same board written in Atrium's format
 *      (the work Atrium does for its own document);
 *   2. render of the imported board against the same board stored in Atrium's format, with the
 *      same queries: what the board's page asks the server for, `dashboards.get` then
 *      `dashboards.run` (refresh: true, so every query reaches the database), through the tRPC
 *      caller. Goal: the board within 1.1× of the Atrium dashboard at p50.
 *
 *   npx tsx scripts/bench/dbt-charts.ts
 *   npm run bench -- --scenario dbt-charts
 *
 * Environment: BENCH_DBT_ITERATIONS (measured runs per side, default 20), DATABASE_URL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig } from "~/kernel/config";
import { bootKernel, type Kernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { createCallerFactory } from "~/kernel/trpc";
import { appRouter, plugins } from "~/plugins";
import { parseDashboard, stringifyDashboard } from "../../plugins/dashboards/document";
import { readDbtCharts } from "../../plugins/dashboards/document/dbt-charts";
import { closeDataRuntime } from "../../plugins/data/runtime";
import { ensureWarehouse } from "../../plugins/data/engine";
import { dropWarehouse } from "../../plugins/data/warehouse";
import { envNumber } from "./util";

export const DBT_CHARTS_BENCH_ID = "dbt-charts";

const CHART_TYPES = ["kpi", "bar", "line", "area", "scatter", "pie", "table", "histogram", "heatmap", "spark_bar"] as const;

/** A 40-chart board: 20 templated queries over generated rows, every chart type, three variables. */
export function benchBoard(charts = 40): string {
  const lines = [
    "# A large board for the benchmark: every chart type, templated SQL.",
    "title: Operations at scale",
    "source: warehouse",
    "variables:",
    "  region:",
    "    input: select",
    "    options: { static: [north, south, east, west] }",
    "    default: north",
    "  period:",
    "    input: daterange",
    "    default: [2025-01-01, 2025-12-31]",
    "  min_value:",
    "    input: number",
    "    default: 10",
    "queries:",
  ];
  const queries = charts / 2;
  for (let q = 0; q < queries; q++) {
    lines.push(
      `  q${q}: |`,
      "    SELECT * FROM (",
      `      SELECT g % 7 AS x, (g * ${q + 3}) % 97 AS y, g % 5 AS band, (ARRAY['north','south','east','west'])[1 + g % 4] AS region,`,
      "             DATE '2025-01-01' + (g % 365) AS day",
      `      FROM generate_series(1, ${200 + q * 10}) AS g`,
      "    ) AS t",
      "    WHERE {{ filter('region', region) }} AND {{ filter('y', min_value, '>=') }} AND {{ filter_date_range('day', period) }}",
    );
  }
  lines.push("charts:");
  const ids: string[] = [];
  for (let c = 0; c < charts; c++) {
    const type = CHART_TYPES[c % CHART_TYPES.length]!;
    const id = `c${c}_${type}`;
    ids.push(id);
    const q = `q${Math.floor(c / 2)}`;
    lines.push(`  ${id}:`, `    type: ${type}`, `    query: ${q}`, `    title: Chart ${c} in {{ region }}`);
    if (type === "kpi") lines.push("    value: y", "    style: { value: { format: integer } }");
    else if (type === "table") lines.push("    style: { columns: { y: { format: integer } } }");
    else if (type === "histogram") lines.push("    x: y");
    else if (type === "heatmap") lines.push("    x: x", "    y: band", "    color: y");
    else if (type === "spark_bar") lines.push("    x: y", "    y: region");
    else if (type === "pie") lines.push("    x: region", "    y: y");
    else lines.push("    x: x", "    y: y", ...(type === "bar" ? ["    sort: { by: y, order: desc }"] : []));
  }
  lines.push("rows:");
  for (let c = 0; c < ids.length; c += 4) lines.push(`  - cols: [${ids.slice(c, c + 4).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const stat = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) });
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function time(fn: () => unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export interface DbtChartsBenchResult {
  charts: number;
  compile: { iterations: number; board: { p50: number; p99: number }; atrium: { p50: number; p99: number }; ratioP50: number };
  render: { iterations: number; board: { p50: number; p99: number }; atrium: { p50: number; p99: number }; ratioP50: number; goal: number; ok: boolean };
}

/** Runs both figures and prints them; returns them. */
export async function runDbtChartsBench(): Promise<DbtChartsBenchResult> {
  const iterations = envNumber("BENCH_DBT_ITERATIONS", 20, { integer: true });
  const board = benchBoard(40);
  const read = readDbtCharts(board, { sources: { warehouse: "warehouse" } });
  if (!read.ok) throw new Error(`the bench board is invalid: ${JSON.stringify(read.errors.slice(0, 3))}`);
  const atriumYaml = stringifyDashboard(read.doc);
  const charts = read.doc.charts?.length ?? 0;

  // 1. Validate + compile, alternating sides.
  const compileIterations = iterations * 10;
  for (let i = 0; i < 20; i++) {
    readDbtCharts(board);
    parseDashboard(atriumYaml);
  }
  const compileBoard: number[] = [];
  const compileAtrium: number[] = [];
  for (let i = 0; i < compileIterations; i++) {
    const sides = [async () => compileBoard.push(await time(() => readDbtCharts(board))), async () => compileAtrium.push(await time(() => parseDashboard(atriumYaml)))];
    for (let j = 0; j < 2; j++) await sides[(i + j) % 2]!();
  }

  // 2. Render: the page's server work for the board and for the same board in Atrium's format.
  const dataDir = process.env.DATABASE_URL ? null : mkdtempSync(path.join(tmpdir(), "atrium-bench-dbt-"));
  const config = loadConfig({
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : { ATRIUM_DATA_DIR: dataDir! }),
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
    ATRIUM_SECRET: "bench-secret-for-the-dbt-charts-boards-0123456789",
  });
  let kernel: Kernel | undefined;
  let orgId: string | undefined;
  try {
    kernel = await bootKernel({ config, plugins, workJobs: false, log: createLogger("silent") });
    const k = kernel;
    const stamp = Date.now().toString(36);
    const user = await k.ownerDb.insertInto("users").values({ email: `bench-${stamp}@example.test`, name: "Bench" }).returning("id").executeTakeFirstOrThrow();
    const org = await k.ownerDb.insertInto("orgs").values({ slug: `bench-${stamp}`, name: "Bench" }).returning("id").executeTakeFirstOrThrow();
    orgId = org.id;
    await k.ownerDb.insertInto("memberships").values({ org_id: org.id, user_id: user.id, role: "owner" }).execute();
    const project = await k.ownerDb.insertInto("projects").values({ org_id: org.id, slug: "bench", name: "Bench" }).returning("id").executeTakeFirstOrThrow();
    await ensureWarehouse(k, k.ownerDb, org.id);
    const caller = createCallerFactory(appRouter)({ kernel: k, actor: { kind: "user", userId: user.id }, db: k.db, requestId: "bench", ip: null, resHeaders: null });
    const at = { orgId: org.id, projectId: project.id };
    const imported = await caller.dashboards.create({ ...at, yaml: board, format: "dbt-charts", slug: "board" });
    const own = await caller.dashboards.create({ ...at, yaml: atriumYaml, slug: "atrium" });

    const page = async (slug: string) => {
      await caller.dashboards.get({ ...at, slug });
      const out = await caller.dashboards.run({ ...at, slug, refresh: true });
      const failed = Object.entries(out.results).filter(([, r]) => !r.ok);
      if (failed.length) throw new Error(`${slug}: queries failed: ${JSON.stringify(failed.slice(0, 2))}`);
    };
    for (let i = 0; i < 3; i++) {
      await page(imported.slug);
      await page(own.slug);
    }
    const renderBoard: number[] = [];
    const renderAtrium: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const sides = [async () => renderBoard.push(await time(() => page(imported.slug))), async () => renderAtrium.push(await time(() => page(own.slug)))];
      for (let j = 0; j < 2; j++) await sides[(i + j) % 2]!();
    }

    const compile = { iterations: compileIterations, board: stat(compileBoard), atrium: stat(compileAtrium), ratioP50: percentile(compileBoard, 50) / percentile(compileAtrium, 50) };
    const renderRatio = percentile(renderBoard, 50) / percentile(renderAtrium, 50);
    const render = { iterations, board: stat(renderBoard), atrium: stat(renderAtrium), ratioP50: renderRatio, goal: 1.1, ok: renderRatio <= 1.1 };
    const result: DbtChartsBenchResult = { charts, compile, render };

    console.log(`\ndbt Charts: a ${charts}-chart board (${Object.keys(read.doc.queries ?? {}).length} templated queries), in process`);
    console.log(["".padEnd(58), "p50".padStart(10), "p99".padStart(10), "p50 ratio".padStart(10)].join(" "));
    const line = (label: string, s: { p50: number; p99: number }, ratio: string) => console.log([label.padEnd(58), ms(s.p50).padStart(10), ms(s.p99).padStart(10), ratio.padStart(10)].join(" "));
    line(`Atrium document: parse + validate (${compileIterations}×)`, compile.atrium, "1.00×");
    line("dbt Charts board: validate + compile templates + convert", compile.board, `${compile.ratioP50.toFixed(2)}×`);
    line(`Atrium dashboard: get + run, refresh (${iterations}×)`, render.atrium, "1.00×");
    line("the same board imported: get + run, refresh", render.board, `${render.ratioP50.toFixed(2)}×`);
    console.log(`render of the imported board vs Atrium's format: ${render.ratioP50.toFixed(2)}× at p50 (goal ≤ ${render.goal}×): ${render.ok ? "met" : "NOT met"}`);
    return result;
  } finally {
    if (kernel) {
      await closeDataRuntime(kernel);
      if (orgId) await dropWarehouse(kernel, orgId).catch(() => {});
      await kernel.stop();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runDbtChartsBench().then(
    (result) => process.exit(result.render.ok ? 0 : 1),
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    },
  );
}
