/**
 * Two builds' Largest Contentful Paint of the same page, loads alternated: for deciding whether a
 * change to the browser code helps, where one build's run after another's would mostly measure
 * how busy the machine was in between.
 *
 *   git worktree add /tmp/before <commit> && ln -s "$PWD/node_modules" /tmp/before/node_modules
 *   (cd /tmp/before && npm run build) && npm run build
 *   npx tsx scripts/bench/lcp-pair.ts /tmp/before .
 *
 * Serves every build given (its `.output`, each on its own embedded PostgreSQL) at once, seeds
 * each with the lcp scenario's org and eight-chart dashboard, then opens the page BENCH_PAIR_LOADS
 * times per build (default 10) in a new browser context, one build after the other and the order
 * reversed every round, and prints each build's median, mean and every load's LCP in ms.
 *
 * Environment: BENCH_PAIR_LOADS, BENCH_PAIR_PAGE (`dashboard`, the default, or `home`: the org
 * home), BENCH_PAIR_WARM=1 (open the page once in the context first: a warm cache), CHROMIUM_PATH.
 */
import path from "node:path";
import { chromium } from "playwright-core";
import { startAtrium, type AtriumServer } from "./atrium";
import { originOf } from "./api";
import { publicLinkFixture } from "./sharing";
import { envNumber } from "./util";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function main() {
  const roots = process.argv.slice(2).map((root) => path.resolve(root));
  if (roots.length < 2) throw new Error("Usage: npx tsx scripts/bench/lcp-pair.ts <build root> <build root> [...]");
  const loads = envNumber("BENCH_PAIR_LOADS", 10, { integer: true });
  const warm = process.env.BENCH_PAIR_WARM === "1";
  const servers: AtriumServer[] = [];
  try {
    for (const root of roots) servers.push(await startAtrium({ root, verbose: false }));
    const targets = [];
    for (const server of servers) {
      const origin = originOf(server.url);
      const { cookie, orgSlug } = await publicLinkFixture(server.url, "pair");
      const [name, value] = cookie.split("=") as [string, string];
      targets.push({ origin, name, value, path: process.env.BENCH_PAIR_PAGE === "home" ? `/o/${orgSlug}` : `/o/${orgSlug}/p/shop/d/overview` });
    }
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const lcp: number[][] = roots.map(() => []);
    try {
      for (let round = 0; round < loads; round++) {
        const order = targets.map((_, i) => i);
        if (round % 2) order.reverse();
        for (const which of order) {
          const target = targets[which]!;
          const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
          try {
            await context.addCookies([{ name: target.name, value: target.value, url: target.origin }]);
            if (warm) {
              const first = await context.newPage();
              await first.goto(target.origin + target.path, { waitUntil: "networkidle" });
              await first.close();
            }
            const page = await context.newPage();
            await page.addInitScript(() => {
              const w = window as unknown as { __lcp: number };
              w.__lcp = 0;
              new PerformanceObserver((list) => {
                for (const entry of list.getEntries()) w.__lcp = entry.startTime;
              }).observe({ type: "largest-contentful-paint", buffered: true });
            });
            await page.goto(target.origin + target.path, { waitUntil: "networkidle" });
            await page.waitForTimeout(200);
            lcp[which]!.push(Math.round(await page.evaluate(() => (window as unknown as { __lcp: number }).__lcp)));
          } finally {
            await context.close();
          }
        }
      }
    } finally {
      await browser.close();
    }
    for (const [i, values] of lcp.entries()) {
      const sorted = [...values].sort((a, b) => a - b);
      const mean = Math.round(values.reduce((a, b) => a + b, 0) / values.length);
      console.log(`${roots[i]}: LCP ${warm ? "warm" : "cold"} median ${sorted[Math.floor(sorted.length / 2)]} ms, mean ${mean} ms (${values.join(", ")})`);
    }
  } finally {
    for (const server of servers) await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
