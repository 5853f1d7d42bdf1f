/**
 * Time to first byte and Largest Contentful Paint of four pages in headless Chromium on
 * loopback, against the built server the HTTP scenarios used: the org home, a project's
 * dashboard list, an eight-chart dashboard over the sample data (BENCH_DASHBOARD) signed in, and
 * the same dashboard through its public link (`/s/<token>`, no session). Each page is opened cold (a new browser
 * context: empty cache) and then warm (the same context, opened again), BENCH_LCP_RUNS times
 * (default 3); the median and the spread (min–max) are reported.
 *
 * TTFB is the navigation's `responseStart`; LCP is read from the browser's own `largest-contentful-paint` entries once the page has
 * settled (network idle); the chart canvases are not candidates for LCP, their titles and
 * the text around them are. Chromium comes from CHROMIUM_PATH or Debian's /usr/bin/chromium;
 * when it is missing the figure is reported as not measured.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { envNumber } from "./util";
import { originOf } from "./api";
import { publicLinkFixture } from "./sharing";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

type Spread = { median: number; min: number; max: number };

export interface LcpFigure {
  page: string;
  path: string;
  cold: Spread;
  warm: Spread;
  ttfb: { cold: Spread; warm: Spread };
}

export interface LcpReport {
  runs: number;
  pages: LcpFigure[];
}

const spread = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! };
};

/** Opens `url` in `context` and answers its LCP (the last entry once the page settled) and TTFB in ms. */
async function lcpOf(context: BrowserContext, url: string, ready: string): Promise<{ lcp: number; ttfb: number }> {
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
    const { lcp, ttfb } = await page.evaluate(() => ({
      lcp: (window as unknown as { __lcp: number }).__lcp,
      ttfb: (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined)?.responseStart ?? 0,
    }));
    if (!lcp) throw new Error(`${url}: the browser reported no largest-contentful-paint`);
    return { lcp, ttfb };
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
  const { cookie, orgSlug, token } = await publicLinkFixture(atriumUrl, "bench-lcp");

  const pages = [
    { page: "org home", path: `/o/${orgSlug}`, ready: "main h1", signedIn: true },
    { page: "project's dashboard list", path: `/o/${orgSlug}/p/shop/dashboards`, ready: 'a[href$="/d/overview"]', signedIn: true },
    { page: "8-chart dashboard", path: `/o/${orgSlug}/p/shop/d/overview`, ready: "main h1", signedIn: true },
    { page: "8-chart public link", path: `/s/${token}`, ready: "main h1", signedIn: false },
  ];
  const runs = envNumber("BENCH_LCP_RUNS", 3, { integer: true });
  const [name, value] = cookie.split("=") as [string, string];
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const figures: LcpFigure[] = [];
    for (const spec of pages) {
      const cold: { lcp: number; ttfb: number }[] = [];
      const warm: { lcp: number; ttfb: number }[] = [];
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        if (spec.signedIn) await context.addCookies([{ name, value, url: origin }]);
        cold.push(await lcpOf(context, origin + spec.path, spec.ready));
        warm.push(await lcpOf(context, origin + spec.path, spec.ready));
        await context.close();
      }
      const figure: LcpFigure = {
        page: spec.page,
        path: spec.path,
        cold: spread(cold.map((c) => c.lcp)),
        warm: spread(warm.map((w) => w.lcp)),
        ttfb: { cold: spread(cold.map((c) => c.ttfb)), warm: spread(warm.map((w) => w.ttfb)) },
      };
      figures.push(figure);
      console.log(`  ${spec.page}: LCP cold ${Math.round(figure.cold.median)} ms, warm ${Math.round(figure.warm.median)} ms; TTFB cold ${Math.round(figure.ttfb.cold.median)} ms, warm ${Math.round(figure.ttfb.warm.median)} ms`);
    }
    return { runs, pages: figures };
  } finally {
    await browser?.close();
  }
}

export function formatLcp(report: LcpReport | null): string {
  if (!report) return "LCP: not measured (no Chromium).";
  const r = (s: Spread) => `${Math.round(s.median)} ms (${Math.round(s.min)}–${Math.round(s.max)})`;
  const lines = [
    `Largest Contentful Paint and time to first byte, headless Chromium on loopback, median (min–max) of ${report.runs} runs:`,
    ...report.pages.map((p) => `  ${p.page.padEnd(26)} LCP cold ${r(p.cold)}, warm ${r(p.warm)}; TTFB cold ${r(p.ttfb.cold)}, warm ${r(p.ttfb.warm)}`),
  ];
  const signedIn = report.pages.find((p) => p.page === "8-chart dashboard");
  const shared = report.pages.find((p) => p.page === "8-chart public link");
  if (signedIn && shared) {
    const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    lines.push(
      `  public link vs signed-in dashboard: LCP cold ${x(shared.cold.median, signedIn.cold.median)}, warm ${x(shared.warm.median, signedIn.warm.median)}; ` +
        `TTFB cold ${x(shared.ttfb.cold.median, signedIn.ttfb.cold.median)}, warm ${x(shared.ttfb.warm.median, signedIn.ttfb.warm.median)}`,
    );
  }
  return lines.join("\n");
}
