/**
 * Largest Contentful Paint of three pages in headless Chromium on loopback, against the built
 * server the HTTP scenarios used: the org home, a project's dashboard list and an eight-chart
 * dashboard over the sample data (BENCH_DASHBOARD). Each page is opened cold (a new browser
 * context: empty cache) and then warm (the same context, opened again), BENCH_LCP_RUNS times
 * (default 3); the median and the spread (min–max) are reported.
 *
 * LCP is read from the browser's own `largest-contentful-paint` entries once the page has
 * settled (network idle); the chart canvases are not candidates for LCP, their titles and
 * the text around them are. Chromium comes from CHROMIUM_PATH or Debian's /usr/bin/chromium;
 * when it is missing the figure is reported as not measured.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { BENCH_DASHBOARD } from "./dashboards";
import { envNumber } from "./util";
import { originOf, signUp, trpcPost } from "./api";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export interface LcpFigure {
  page: string;
  path: string;
  cold: { median: number; min: number; max: number };
  warm: { median: number; min: number; max: number };
}

export interface LcpReport {
  runs: number;
  pages: LcpFigure[];
}

const spread = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! };
};

/** Opens `url` in `context` and answers its LCP in ms (the last entry once the page settled). */
async function lcpOf(context: BrowserContext, url: string, ready: string): Promise<number> {
  const page = await context.newPage();
  try {
    await page.addInitScript(() => {
      const w = window as unknown as { __lcp: number };
      w.__lcp = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__lcp = Math.max(w.__lcp, entry.startTime);
      }).observe({ type: "largest-contentful-paint", buffered: true });
    });
    const response = await page.goto(url, { waitUntil: "networkidle", timeout: 60_000 });
    if (!response?.ok()) throw new Error(`${url} answered ${response?.status()}`);
    await page.locator(ready).first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(300);
    const lcp = await page.evaluate(() => (window as unknown as { __lcp: number }).__lcp);
    if (!lcp) throw new Error(`${url}: the browser reported no largest-contentful-paint`);
    return lcp;
  } finally {
    await page.close();
  }
}

/** Sets up an org with the sample data and the eight-chart dashboard, then measures. Null without Chromium. */
export async function measureLcp(atriumUrl: string): Promise<LcpReport | null> {
  if (!existsSync(CHROMIUM)) {
    console.log(`  LCP not measured: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH).`);
    return null;
  }
  const origin = originOf(atriumUrl);
  const { cookie } = await signUp(atriumUrl, "bench-lcp");
  const orgSlug = `bench-lcp-${Date.now().toString(36)}`;
  const org = await trpcPost(atriumUrl, "orgs.create", { slug: orgSlug, name: "Bench LCP" }, cookie);
  const orgId = org.data.id as string;
  await trpcPost(atriumUrl, "data.loadSample", { orgId }, cookie, 120_000);
  const project = await trpcPost(atriumUrl, "projects.create", { orgId, slug: "shop", name: "Shop" }, cookie);
  const projectId = project.data.id as string;
  await trpcPost(atriumUrl, "dashboards.create", { orgId, projectId, yaml: BENCH_DASHBOARD, slug: "overview" }, cookie);

  const pages = [
    { page: "org home", path: `/o/${orgSlug}`, ready: "main h1" },
    { page: "project's dashboard list", path: `/o/${orgSlug}/p/shop/dashboards`, ready: 'a[href$="/d/overview"]' },
    { page: "8-chart dashboard", path: `/o/${orgSlug}/p/shop/d/overview`, ready: "main h1" },
  ];
  const runs = envNumber("BENCH_LCP_RUNS", 3, { integer: true });
  const [name, value] = cookie.split("=") as [string, string];
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const figures: LcpFigure[] = [];
    for (const spec of pages) {
      const cold: number[] = [];
      const warm: number[] = [];
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        await context.addCookies([{ name, value, url: origin }]);
        cold.push(await lcpOf(context, origin + spec.path, spec.ready));
        warm.push(await lcpOf(context, origin + spec.path, spec.ready));
        await context.close();
      }
      figures.push({ page: spec.page, path: spec.path, cold: spread(cold), warm: spread(warm) });
      console.log(`  LCP ${spec.page}: cold ${Math.round(spread(cold).median)} ms, warm ${Math.round(spread(warm).median)} ms`);
    }
    return { runs, pages: figures };
  } finally {
    await browser?.close();
  }
}

export function formatLcp(report: LcpReport | null): string {
  if (!report) return "LCP: not measured (no Chromium).";
  const r = (s: { median: number; min: number; max: number }) => `${Math.round(s.median)} ms (${Math.round(s.min)}–${Math.round(s.max)})`;
  return [
    `Largest Contentful Paint, headless Chromium on loopback, median (min–max) of ${report.runs} runs:`,
    ...report.pages.map((p) => `  ${p.page.padEnd(26)} cold ${r(p.cold)}, warm ${r(p.warm)}`),
  ].join("\n");
}
