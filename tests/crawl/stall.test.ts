/**
 * The crawl's own limits, on a small local site in Chromium: a visit whose page never answers
 * the browser is closed after its limit and tried once more, and fails if it stalls again; one
 * that stalls once passes on its second try and says so; visits not begun by the deadline fail
 * as not visited. (Without these a stalled page held the crawl's hook until its thirty minutes
 * ran out, with no report and no word of which page it was.)
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { launchBrowser } from "../e2e/harness";
import { Crawler, type Visit } from "./crawl";
import type { Seed } from "./seed";

// Like the app: hydrated at once, and the theme follows the system's (the dark-theme check waits for it).
const THEME = `<script>const dark = matchMedia("(prefers-color-scheme: dark)"); const follow = () => { document.documentElement.dataset.theme = dark.matches ? "dark" : "light"; }; follow(); dark.addEventListener("change", follow);</script>`;
const PAGE = (script = "") =>
  `<!doctype html><html lang="en" data-hydrated><head><meta charset="utf-8"><title>Page</title>${THEME}</head><body><main><h1>Page</h1><p>Text.</p></main>${script}</body></html>`;
// A second after load (hydrated, the network idle, the checks begun) the page's main thread
// never comes back: a call into the page without a timeout of its own (an evaluate) waits for ever.
const SPIN = `<script>addEventListener("load", () => setTimeout(() => { for (;;) {} }, 1000));</script>`;

let site: Server;
let baseUrl: string;
let browser: Browser;
let reportDir: string;
const hits = new Map<string, number>();

beforeAll(async () => {
  site = createServer((req, res) => {
    const count = (hits.get(req.url!) ?? 0) + 1;
    hits.set(req.url!, count);
    const stalls = req.url === "/stuck" || (req.url === "/once" && count === 1);
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE(stalls ? SPIN : ""));
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  reportDir = mkdtempSync(path.join(tmpdir(), "atrium-crawl-stall-"));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
  if (reportDir) rmSync(reportDir, { recursive: true, force: true });
});

const visit = (url: string): Visit => ({ role: "anonymous", url, pattern: url, source: "stall.test.ts", via: "link", from: "/", expect: { kind: "link" } });
// The anonymous visitor needs no cookies: nothing of the seed is read.
const seed = {} as Seed;

it("closes a page that stalls, tries once more, and fails the visit naming where it stood", async () => {
  const crawler = new Crawler({ browser, baseUrl, seed, reportDir, visitLimitMs: 8_000 });
  try {
    const started = Date.now();
    const [stuck, once] = await crawler.run([visit("/stuck"), visit("/once")]);
    expect(Date.now() - started).toBeLessThan(60_000);

    expect(hits.get("/stuck")).toBe(2);
    expect(stuck!.failures).toEqual([expect.stringMatching(/^the visit stalled: still open after 8 s \(after goto \d+ms[^)]*\) on two tries, so its page was closed$/)]);
    expect(stuck!.stalled).toBeUndefined();

    expect(hits.get("/once")).toBe(2);
    expect(once!.stalled).toMatch(/^after goto \d+ms/);
    expect(once!.failures.filter((f) => /stalled|visit failed/.test(f))).toEqual([]);
    expect(once!.screenshot).not.toBeNull();
  } finally {
    await crawler.close();
  }
}, 90_000);

it("does not begin visits after its deadline: they fail as not visited", async () => {
  const crawler = new Crawler({ browser, baseUrl, seed, reportDir, deadline: Date.now() - 1 });
  try {
    const before = hits.get("/late") ?? 0;
    const [late] = await crawler.run([visit("/late")]);
    expect(hits.get("/late") ?? 0).toBe(before);
    expect(late!.failures).toEqual([expect.stringMatching(/^not visited: the crawl was still running at its deadline/)]);
  } finally {
    await crawler.close();
  }
}, 30_000);
