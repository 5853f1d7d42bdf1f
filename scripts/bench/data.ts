/**
 * `npx tsx scripts/bench/data.ts`: the query engine against raw `pg` on the sample dataset.
 *
 * Boots a kernel on a fresh embedded PostgreSQL in a temporary directory (or DATABASE_URL's
 * server), loads the sample dataset into one org's warehouse, then for 8 representative
 * queries alternates, in the same run, between:
 *   - raw:    `pg` Client.query(sql) as the org's warehouse role on its warehouse database;
 *   - engine: the data plugin's runQuery (refresh: true): warehouse lookup, pooled connection,
 *             READ ONLY transaction with timeouts, capped portal read, typed values;
 *   - cached: runQuery served from the result cache.
 * It prints p50/p95 per query and the engine/raw ratio (goal ≤ 1.2× uncached).
 *
 * Environment: BENCH_DATA_ITERATIONS (measured runs per side and query, default 30),
 * DATABASE_URL (use that server instead of a temporary embedded one).
 * Flags: --json <file> to write the results.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { loadConfig } from "~/kernel/config";
import { bootKernel, type Kernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { plugins } from "~/plugins";
import { closeDataRuntime } from "../../plugins/data/runtime";
import { loadSample } from "../../plugins/data/sample";
import { runQuery } from "../../plugins/data/service";
import { dropWarehouse, findWarehouse, warehouseClientConfig } from "../../plugins/data/warehouse";
import { envNumber } from "./util";

interface BenchQuery {
  id: string;
  sql: string;
  params?: unknown[];
}

export const dataQueries: BenchQuery[] = [
  {
    id: "revenue-by-month",
    sql: `select date_trunc('month', ordered_at) as month, sum(total) as revenue, count(*) as orders
          from sample.orders where status in ('completed', 'shipped') group by 1 order by 1`,
  },
  {
    id: "top-products",
    sql: `select p.name, p.category, sum(i.quantity * i.unit_price) as revenue
          from sample.order_items i join sample.products p on p.id = i.product_id
          group by p.id, p.name, p.category order by revenue desc limit 10`,
  },
  {
    id: "orders-by-country",
    sql: `select c.country, count(*) as orders, round(avg(o.total), 2) as avg_order
          from sample.orders o join sample.customers c on c.id = o.customer_id group by c.country order by orders desc`,
  },
  {
    id: "aov-by-channel-since",
    sql: `select channel, count(*) as orders, round(avg(total), 2) as aov from sample.orders
          where ordered_at >= $1::timestamptz and status <> 'cancelled' group by channel order by channel`,
    params: ["2025-01-01T00:00:00Z"],
  },
  {
    id: "events-by-week-type",
    sql: `select date_trunc('week', occurred_at) as week, type, count(*) as events
          from sample.events group by 1, 2 order by 1, 2`,
  },
  {
    id: "repeat-customers",
    sql: `with per_customer as (select customer_id, count(*) as n from sample.orders group by customer_id)
          select count(*) filter (where n > 1)::numeric / count(*) as repeat_rate, max(n) as most_orders from per_customer`,
  },
  {
    id: "segment-category-mix",
    sql: `select c.segment, p.category, sum(i.quantity) as units
          from sample.order_items i join sample.orders o on o.id = i.order_id
          join sample.customers c on c.id = o.customer_id join sample.products p on p.id = i.product_id
          group by 1, 2 order by 1, 3 desc`,
  },
  {
    id: "recent-orders-5000-rows",
    sql: `select id, customer_id, ordered_at, status, channel, total from sample.orders order by ordered_at desc limit 5000`,
  },
];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const ms = (n: number) => `${n.toFixed(2)} ms`;

async function main() {
  const { values } = parseArgs({ options: { json: { type: "string" } } });
  const iterations = envNumber("BENCH_DATA_ITERATIONS", 30, { integer: true });
  const dataDir = process.env.DATABASE_URL ? null : mkdtempSync(path.join(tmpdir(), "atrium-bench-data-"));
  const config = loadConfig({
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : { ATRIUM_DATA_DIR: dataDir! }),
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
    ATRIUM_SECRET: "bench-secret-for-the-data-plugin-0123456789",
  });
  let kernel: Kernel | undefined;
  let orgId: string | undefined;
  try {
    kernel = await bootKernel({ config, plugins, workJobs: false, log: createLogger("silent") });
    const org = await kernel.ownerDb
      .insertInto("orgs")
      .values({ slug: `bench-${Date.now().toString(36)}`, name: "Bench" })
      .returning("id")
      .executeTakeFirstOrThrow();
    orgId = org.id;
    const loadStarted = performance.now();
    const sample = await loadSample(kernel, kernel.ownerDb, orgId);
    console.log(`sample: ${sample.totalRows} rows loaded in ${(performance.now() - loadStarted).toFixed(0)} ms`);

    const info = (await findWarehouse(kernel, kernel.ownerDb, orgId))!;
    const raw = new pg.Client({ ...warehouseClientConfig(kernel, info), application_name: "atrium-bench-raw" });
    await raw.connect();
    const engine = (q: BenchQuery, refresh: boolean) => runQuery(kernel!, kernel!.ownerDb, orgId!, { sourceId: "warehouse", sql: q.sql, params: (q.params ?? []) as never, refresh });
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };

    const results = [];
    for (const q of dataQueries) {
      for (let i = 0; i < 3; i++) {
        await raw.query(q.sql, q.params);
        await engine(q, true);
      }
      const rawTimes: number[] = [];
      const engineTimes: number[] = [];
      for (let i = 0; i < iterations; i++) {
        // Alternate which side goes first so neither always gets a warmer cache.
        if (i % 2) {
          rawTimes.push(await time(() => raw.query(q.sql, q.params)));
          engineTimes.push(await time(() => engine(q, true)));
        } else {
          engineTimes.push(await time(() => engine(q, true)));
          rawTimes.push(await time(() => raw.query(q.sql, q.params)));
        }
      }
      await engine(q, false);
      const cachedTimes: number[] = [];
      for (let i = 0; i < iterations; i++) cachedTimes.push(await time(() => engine(q, false)));
      const sampleResult = await engine(q, false);
      const row = {
        id: q.id,
        rows: sampleResult.rowCount,
        rawP50: percentile(rawTimes, 50),
        rawP95: percentile(rawTimes, 95),
        engineP50: percentile(engineTimes, 50),
        engineP95: percentile(engineTimes, 95),
        cachedP50: percentile(cachedTimes, 50),
        ratio: percentile(engineTimes, 50) / percentile(rawTimes, 50),
      };
      results.push(row);
    }
    await raw.end();

    console.log(`\n${iterations} runs per side; engine = runQuery(refresh: true), raw = pg Client.query as the same role\n`);
    console.log(["query".padEnd(26), "rows".padStart(6), "raw p50".padStart(11), "engine p50".padStart(11), "ratio".padStart(7), "engine p95".padStart(11), "cached p50".padStart(11)].join(" "));
    for (const r of results) {
      console.log(
        [r.id.padEnd(26), String(r.rows).padStart(6), ms(r.rawP50).padStart(11), ms(r.engineP50).padStart(11), `${r.ratio.toFixed(2)}×`.padStart(7), ms(r.engineP95).padStart(11), ms(r.cachedP50).padStart(11)].join(" "),
      );
    }
    const over = results.filter((r) => r.ratio > 1.2);
    console.log(`\n${over.length ? `over the 1.2× goal: ${over.map((r) => r.id).join(", ")}` : "every query within the 1.2× goal"}`);
    if (values.json) writeFileSync(values.json, JSON.stringify({ iterations, sampleRows: sample.totalRows, results }, null, 2));
  } finally {
    if (kernel) {
      await closeDataRuntime(kernel);
      if (orgId) await dropWarehouse(kernel, orgId).catch(() => {});
      await kernel.stop();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
