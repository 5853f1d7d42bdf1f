/**
 * The dashboards benchmark: server time of `dashboards.run` for a dashboard of 8 charts over the
 * sample dataset, against the sum of raw `pg` times for the same SQL with the same parameters,
 * measured in the same run.
 *
 *   npx tsx scripts/bench/dashboards.ts            # alone
 *   npx tsx scripts/bench/index.ts --scenario dashboards
 *
 * Boots a kernel on a fresh embedded PostgreSQL in a temporary directory (or DATABASE_URL's
 * server), loads the sample dataset into one org's warehouse, saves the dashboard, then
 * alternates, per iteration:
 *   - raw:  the 8 bound statements one after another with `pg` Client.query, as the org's
 *           warehouse role on its warehouse database (the work Atrium cannot avoid);
 *   - raw in parallel: the same statements over as many connections as the engine's per-org
 *           concurrency (the parallelism the run uses), to tell overhead from parallelism;
 *   - cold: `dashboards.run` with refresh: true through the tRPC caller (authorization, the
 *           scoped transaction, loading and parsing the YAML, variables, compiling the visual
 *           query against the described tables, binding, the engine's READ ONLY transactions,
 *           up to the per-org concurrency limit in parallel, rows as objects);
 *   - warm: `dashboards.run` served from the engine's result cache.
 * Prints p50/p99 of each and the ratios to raw (cold and warm p50 / raw p50), and cold against
 * raw in parallel.
 *
 * Environment: BENCH_DASHBOARDS_ITERATIONS (measured runs per side, default 30), DATABASE_URL.
 * Flags (alone): --json <file>.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { loadConfig } from "~/kernel/config";
import { bootKernel, type Kernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { createCallerFactory } from "~/kernel/trpc";
import { appRouter, plugins } from "~/plugins";
import { parseDashboard } from "../../plugins/dashboards/document";
import { prepareQuery, resolveValues } from "../../plugins/dashboards/run";
import { closeDataRuntime } from "../../plugins/data/runtime";
import { loadSample } from "../../plugins/data/sample";
import { queryConcurrency } from "../../plugins/data/engine";
import { describeTables } from "../../plugins/data/service";
import { dropWarehouse, findWarehouse, warehouseClientConfig } from "../../plugins/data/warehouse";
import { envNumber, runWhenMain } from "./util";

export const DASHBOARDS_BENCH_ID = "dashboards";

/** Eight charts over the sample shop: seven SQL queries and one visual query, two variables. */
export const BENCH_DASHBOARD = `title: Shop overview
variables:
  - name: channel
    type: select
    default: web
    options: [web, mobile, marketplace]
  - name: period
    type: daterange
    default: { start: "2025-01-01", end: "2025-12-31" }
queries:
  revenue_by_month:
    sql: |
      select date_trunc('month', ordered_at) as month, sum(total) as revenue, count(*) as orders
      from sample.orders
      where status in ('completed', 'shipped') and channel = {{channel}}
        and ordered_at >= {{period.start}}::date and ordered_at < {{period.end}}::date + 1
      group by 1 order by 1
  kpis:
    sql: |
      select count(*) as orders, sum(total) as revenue, round(avg(total), 2) as aov
      from sample.orders where channel = {{channel}}
        and ordered_at >= {{period.start}}::date and ordered_at < {{period.end}}::date + 1
  top_products:
    sql: |
      select p.name, p.category, sum(i.quantity * i.unit_price) as revenue
      from sample.order_items i join sample.products p on p.id = i.product_id
      join sample.orders o on o.id = i.order_id
      where o.channel = {{channel}} and o.ordered_at >= {{period.start}}::date and o.ordered_at < {{period.end}}::date + 1
      group by p.id, p.name, p.category order by revenue desc limit 10
  orders_by_country:
    sql: |
      select c.country, count(*) as orders, round(avg(o.total), 2) as avg_order
      from sample.orders o join sample.customers c on c.id = o.customer_id
      where o.ordered_at >= {{period.start}}::date and o.ordered_at < {{period.end}}::date + 1
      group by c.country order by orders desc
  events_by_week:
    sql: |
      select date_trunc('week', occurred_at) as week, type, count(*) as events
      from sample.events where occurred_at >= {{period.start}}::date and occurred_at < {{period.end}}::date + 1
      group by 1, 2 order by 1, 2
  segment_mix:
    sql: |
      select c.segment, p.category, sum(i.quantity) as units
      from sample.order_items i join sample.orders o on o.id = i.order_id
      join sample.customers c on c.id = o.customer_id join sample.products p on p.id = i.product_id
      where o.channel = {{channel}}
      group by 1, 2 order by 1, 3 desc
  status_split:
    sql: select status, count(*) as orders from sample.orders where channel = {{channel}} group by 1 order by 2 desc
  by_category:
    visual:
      table: sample.products
      dimensions: [{ column: category }]
      measures: [{ fn: count, as: products }, { fn: avg, column: price, as: avg_price }]
      sort: [{ by: category }]
charts:
  - { id: revenue, type: line, title: Revenue by month, query: revenue_by_month, x: month, y: revenue }
  - { id: kpi, type: kpi, title: Orders, query: kpis, value: orders }
  - { id: top, type: bar, title: Top products, query: top_products, x: name, y: revenue }
  - { id: countries, type: bar, title: Orders by country, query: orders_by_country, x: country, y: orders }
  - { id: events, type: area, title: Events by week, query: events_by_week, x: week, y: events, color: type }
  - { id: segments, type: table, title: Segment mix, query: segment_mix }
  - { id: statuses, type: pie, title: Order status, query: status_split, x: status, y: orders }
  - { id: categories, type: bar, title: Products by category, query: by_category, x: category, y: products }
layout:
  rows:
    - [{ chart: kpi, width: 4 }, { chart: revenue, width: 8 }]
    - [{ chart: top, width: 6 }, { chart: countries, width: 6 }]
    - [{ chart: events, width: 12 }]
    - [{ chart: segments, width: 6 }, { chart: statuses, width: 3 }, { chart: categories, width: 3 }]
`;

/** The bound statements a run of BENCH_DASHBOARD at its defaults sends to `orgId`'s warehouse, one per chart. */
export async function benchStatements(kernel: Kernel, orgId: string): Promise<Array<{ sql: string; parameters: readonly unknown[] }>> {
  const parsed = parseDashboard(BENCH_DASHBOARD);
  if (!parsed.ok) throw new Error(`the bench dashboard is invalid: ${JSON.stringify(parsed.errors)}`);
  const doc = parsed.doc;
  const values = resolveValues(doc.variables ?? [], {});
  const tables = await describeTables(kernel, kernel.ownerDb, orgId, "warehouse");
  return (doc.charts ?? []).map((chart) => {
    const prepared = prepareQuery(doc.queries![(chart as { query: string }).query]!, doc.variables ?? [], values, tables);
    if (!prepared.ok) throw new Error(`chart ${chart.id}: ${prepared.error.message}`);
    return prepared;
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

export interface DashboardsBenchResult {
  iterations: number;
  charts: number;
  raw: { p50: number; p99: number };
  rawParallel: { p50: number; p99: number };
  cold: { p50: number; p99: number };
  warm: { p50: number; p99: number };
  ratios: { coldP50: number; coldP99: number; warmP50: number; coldVsParallelP50: number };
}

/** Runs the benchmark and prints its table; returns the figures. */
export async function runDashboardsBench(): Promise<DashboardsBenchResult> {
  const iterations = envNumber("BENCH_DASHBOARDS_ITERATIONS", 30, { integer: true });
  const dataDir = process.env.DATABASE_URL ? null : mkdtempSync(path.join(tmpdir(), "atrium-bench-dashboards-"));
  const config = loadConfig({
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : { ATRIUM_DATA_DIR: dataDir! }),
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
    ATRIUM_SECRET: "bench-secret-for-the-dashboards-plugin-0123456789",
  });
  let kernel: Kernel | undefined;
  let orgId: string | undefined;
  try {
    kernel = await bootKernel({ config, plugins, workJobs: false, log: createLogger("silent") });
    const stamp = Date.now().toString(36);
    const user = await kernel.ownerDb.insertInto("users").values({ email: `bench-${stamp}@example.test`, name: "Bench" }).returning("id").executeTakeFirstOrThrow();
    const org = await kernel.ownerDb.insertInto("orgs").values({ slug: `bench-${stamp}`, name: "Bench" }).returning("id").executeTakeFirstOrThrow();
    orgId = org.id;
    await kernel.ownerDb.insertInto("memberships").values({ org_id: org.id, user_id: user.id, role: "owner" }).execute();
    const project = await kernel.ownerDb.insertInto("projects").values({ org_id: org.id, slug: "bench", name: "Bench" }).returning("id").executeTakeFirstOrThrow();
    const loadStarted = performance.now();
    const sample = await loadSample(kernel, kernel.ownerDb, org.id);
    console.log(`sample: ${sample.totalRows} rows loaded in ${(performance.now() - loadStarted).toFixed(0)} ms`);

    const k = kernel;
    const caller = createCallerFactory(appRouter)({ kernel: k, actor: { kind: "user", userId: user.id }, db: k.db, requestId: "bench", ip: null, resHeaders: null });
    const at = { orgId: org.id, projectId: project.id };
    const { slug } = await caller.dashboards.create({ ...at, yaml: BENCH_DASHBOARD, slug: "shop" });

    // The baseline's statements: exactly what the run binds (the visual query compiled the same way).
    const statements = await benchStatements(k, org.id);
    const info = (await findWarehouse(k, k.ownerDb, org.id))!;
    const raw = new pg.Client({ ...warehouseClientConfig(k, info), application_name: "atrium-bench-raw" });
    await raw.connect();

    const runRaw = async () => {
      for (const s of statements) await raw.query(s.sql, s.parameters as unknown[]);
    };
    // The run uses up to the engine's per-org concurrency at once: the same parallelism on raw pg.
    const parallel = new pg.Pool({ ...warehouseClientConfig(k, info), max: queryConcurrency(k), application_name: "atrium-bench-raw" });
    const runRawParallel = async () => {
      let next = 0;
      const worker = async () => {
        while (next < statements.length) {
          const s = statements[next++]!;
          await parallel.query(s.sql, s.parameters as unknown[]);
        }
      };
      await Promise.all(Array.from({ length: queryConcurrency(k) }, worker));
    };
    const run = async (refresh: boolean) => {
      const out = await caller.dashboards.run({ ...at, slug, refresh });
      const failed = Object.entries(out.results).filter(([, r]) => !r.ok);
      if (failed.length) throw new Error(`queries failed: ${JSON.stringify(failed)}`);
      return out;
    };
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };

    for (let i = 0; i < 3; i++) {
      await runRaw();
      await runRawParallel();
      await run(true);
    }
    const rawTimes: number[] = [];
    const parallelTimes: number[] = [];
    const coldTimes: number[] = [];
    for (let i = 0; i < iterations; i++) {
      // Rotate which side goes first so none always finds the warmer buffers.
      const sides = [
        async () => rawTimes.push(await time(runRaw)),
        async () => parallelTimes.push(await time(runRawParallel)),
        async () => coldTimes.push(await time(() => run(true))),
      ];
      for (let j = 0; j < sides.length; j++) await sides[(i + j) % sides.length]!();
    }
    await run(false);
    const warmTimes: number[] = [];
    for (let i = 0; i < iterations; i++) warmTimes.push(await time(() => run(false)));
    const check = await run(false);
    if (!Object.values(check.results).every((r) => r.ok && r.cached)) throw new Error("the warm run was not served from the cache");
    await raw.end();
    await parallel.end();

    const stat = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) });
    const result: DashboardsBenchResult = {
      iterations,
      charts: statements.length,
      raw: stat(rawTimes),
      rawParallel: stat(parallelTimes),
      cold: stat(coldTimes),
      warm: stat(warmTimes),
      ratios: {
        coldP50: percentile(coldTimes, 50) / percentile(rawTimes, 50),
        coldP99: percentile(coldTimes, 99) / percentile(rawTimes, 99),
        warmP50: percentile(warmTimes, 50) / percentile(rawTimes, 50),
        coldVsParallelP50: percentile(coldTimes, 50) / percentile(parallelTimes, 50),
      },
    };
    console.log(`\ndashboards.run, ${result.charts} charts over the sample data, ${iterations} runs per side (server time, in process)`);
    console.log(["".padEnd(44), "p50".padStart(10), "p99".padStart(10), "p50 ratio".padStart(10)].join(" "));
    const line = (label: string, s: { p50: number; p99: number }, ratio: string) => console.log([label.padEnd(44), ms(s.p50).padStart(10), ms(s.p99).padStart(10), ratio.padStart(10)].join(" "));
    line("raw pg, the 8 statements one after another", result.raw, "1.00×");
    line(`raw pg, ${queryConcurrency(k)} connections in parallel`, result.rawParallel, `${(result.rawParallel.p50 / result.raw.p50).toFixed(2)}×`);
    line("dashboards.run refresh: true (cold)", result.cold, `${result.ratios.coldP50.toFixed(2)}×`);
    line("dashboards.run cached (warm)", result.warm, `${result.ratios.warmP50.toFixed(2)}×`);
    console.log(`cold vs raw in parallel (same concurrency): ${result.ratios.coldVsParallelP50.toFixed(2)}× at p50`);
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

runWhenMain(import.meta.url, runDashboardsBench);
