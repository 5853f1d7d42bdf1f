/**
 * The quality gate: every page of the app (found from src/routes and the plugins' page lists),
 * as every role (anonymous, viewer, editor, admin, owner, a member of another org), on a seeded
 * instance, and the pages they link to. Each page must answer the role with the right status,
 * log nothing to the console, fail no request, have no serious or critical axe-core finding
 * (WCAG 2.2 AA, light and dark theme), let Tab reach every control and fit 390 px.
 * `npm run test:crawl` writes the report to .crawl-report/ (index.html, report.json, screenshots).
 */
import { rmSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, startServer, type AppServer } from "../e2e/harness";
import { ROOT } from "../e2e/paths";
import { Crawler, plannedVisits, type VisitResult } from "./crawl";
import { writeReport } from "./report";
import { discoverPages } from "./routes";
import { ROLES, seedInstance } from "./seed";

const REPORT_DIR = process.env.CRAWL_REPORT_DIR ?? path.join(ROOT, ".crawl-report");
const templates = discoverPages();

let server: AppServer | undefined;
let browser: Browser | undefined;
// A local run can be narrowed (CI never does): CRAWL_ROLES=owner,viewer to some roles,
// CRAWL_PAGES=<regex> to the page patterns it matches (`charts`, `^/o/:org$`). The tests of what
// was left out are then not defined, rather than failing for want of a visit.
const onlyRoles = process.env.CRAWL_ROLES?.split(",");
const onlyPages = process.env.CRAWL_PAGES ? new RegExp(process.env.CRAWL_PAGES) : null;
const roleWanted = (role: string) => !onlyRoles || onlyRoles.includes(role);
const patternWanted = (pattern: string) => !onlyPages || onlyPages.test(pattern);

/** The setup hook's limit (the config's hookTimeout reads the same variable). */
const CRAWL_LIMIT_MS = Number(process.env.CRAWL_TIMEOUT_MS ?? 1_800_000);
let crawler: Crawler | undefined;
let results: VisitResult[] = [];

beforeAll(async () => {
  const started = Date.now();
  rmSync(REPORT_DIR, { recursive: true, force: true });
  server = await startServer();
  const [seed, launched] = await Promise.all([seedInstance(server.url, server.databaseUrl), launchBrowser()]);
  browser = launched;
  const planned = plannedVisits(templates, seed);
  const { unseeded } = planned;
  const visits = planned.visits.filter((v) => roleWanted(v.role) && patternWanted(v.pattern));
  // Visits stop being begun six minutes before the limit (a visit begun may stall twice, two
  // minutes each), so that a slow crawl still ends in a report and the server's log.
  const deadline = started + CRAWL_LIMIT_MS - 6 * 60_000;
  crawler = new Crawler({ browser, baseUrl: server.url, seed, reportDir: REPORT_DIR, deadline, log: (line) => console.log(line) });
  results = await crawler.run(visits);
  const failing = results.filter((r) => r.failures.length).length;
  writeReport(REPORT_DIR, results, { pages: templates.length, roles: ROLES.length, visits: results.length, failing, seconds: Math.round((Date.now() - started) / 1000), unseeded });
  console.log(`crawl: ${templates.length} pages × ${ROLES.length} roles, ${results.length} visits, ${failing} failing, ${Math.round((Date.now() - started) / 1000)} s; report: ${path.join(REPORT_DIR, "index.html")}`);
  for (const r of results.filter((r) => r.stalled)) console.log(`crawl: [${r.role}] ${r.url} stalled on its first try (${r.stalled}); the second try ${r.failures.length ? "failed" : "passed"}`);
  if ((failing || results.some((r) => r.stalled)) && server) console.log(`--- server log\n${server.logs().slice(-3000)}`);
}, CRAWL_LIMIT_MS);

afterAll(async () => {
  await crawler?.close();
  await browser?.close().catch(() => {});
  await server?.stop();
});

/** Each failure as `[role] url (page pattern, declared in …): what`. */
function failuresOf(found: readonly VisitResult[]): string[] {
  return found.flatMap((r) => r.failures.map((f) => `[${r.role}] ${r.url} (${r.pattern}, ${r.source}): ${f}`));
}

it("finds the pages from the route files and the plugins' page lists", () => {
  const patterns = templates.map((t) => t.pattern);
  // The kernel's own and a plugin's, to prove both sources are read.
  expect(patterns).toEqual(expect.arrayContaining(["/", "/account", "/invite/:token", "/o/:org", "/o/:org/p/:project", "/forgot-password"]));
  expect(patterns.filter((p) => p.startsWith("/o/:org/p/:project/")).length).toBeGreaterThan(2);
});

describe.each(ROLES.filter(roleWanted))("as %s", (role) => {
  it.each(templates.filter((t) => patternWanted(t.pattern)).map((t) => [t.pattern, t] as const))("%s", (pattern) => {
    const found = results.filter((r) => r.role === role && r.pattern === pattern);
    expect(found.length, `no visit of ${pattern} as ${role}: the crawl did not run`).toBeGreaterThan(0);
    expect(failuresOf(found)).toEqual([]);
  });

  it("pages linked from those pages", () => {
    expect(failuresOf(results.filter((r) => r.role === role && r.via === "link"))).toEqual([]);
  });
});
