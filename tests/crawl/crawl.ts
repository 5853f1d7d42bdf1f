/**
 * The crawl: every page (tests/crawl/routes.ts) as every role (tests/crawl/seed.ts), then the
 * in-page links of those pages one level deep, and for each visit the status the role should
 * get, the console, the network, axe-core in both themes, keyboard reach and the 390 px width.
 * Each role browses in one context of its own; a few pages load at once.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, ConsoleMessage, Page } from "playwright-core";
import { pathOf, waitForHydration } from "../e2e/harness";
import { darkContrast, keyboardReach, narrowOverflow, pageLinks, runAxe, type Violation } from "./checks";
import { apiPatterns, fillPattern, type PageTemplate } from "./routes";
import { ROLES, type CrawlRole, type Seed } from "./seed";

/** What a visit should find. */
export type Expectation =
  /** The page, HTTP 200 (403 allowed for a member without the capability when `forbiddenOk`). */
  | { kind: "visible"; forbiddenOk: boolean }
  /** HTTP 404: not visible to this role, or not there at all. */
  | { kind: "not-found" }
  /** Sent to `/sign-in?next=<path>`. */
  | { kind: "sign-in" }
  /** A link followed from a page: anything but a broken page (404, 5xx). */
  | { kind: "link" };

export interface Visit {
  role: CrawlRole;
  url: string;
  /** The page it is an instance of, and where that page is declared. */
  pattern: string;
  source: string;
  /** How the crawl came here. */
  via: "page" | "not-found" | "link";
  /** For links: the page the link was on. */
  from?: string;
  expect: Expectation;
}

export interface VisitResult extends Visit {
  status: number | null;
  finalUrl: string;
  /** Everything that fails the visit, one readable line each (the rule, the page, the element). */
  failures: string[];
  /** Moderate and minor axe findings: reported, not failing. */
  reported: Violation[];
  /** Serious and critical axe findings (also in `failures`). */
  violations: Violation[];
  screenshot: string | null;
  links: string[];
  ms: number;
  /** A try that stalled and was made again on a fresh page (reported, not failing): where it stood. */
  stalled?: string;
}

const VIEWPORT = { width: 1280, height: 800 };
const CONCURRENCY = Number(process.env.CRAWL_CONCURRENCY ?? 3);
/**
 * A visit still open after this long has stalled (a page that never answers, a browser call
 * that never returns): its page is closed, which ends whatever call was waiting on it. On two
 * cores the median visit takes about 6 s and the slowest under 30 s.
 */
const VISIT_LIMIT_MS = Number(process.env.CRAWL_VISIT_LIMIT_MS ?? 120_000);
/** How often a running crawl prints how far it got and what is open. */
const PROGRESS_EVERY_MS = 60_000;


function fileSafe(text: string): string {
  return text.replace(/^\//, "").replace(/[^a-zA-Z0-9-]+/g, "_").slice(0, 100) || "home";
}

/** The params a page's pattern needs, from the seed: the page's own values first, then the org layout's. */
function paramsFor(template: PageTemplate, seed: Seed): Record<string, string> {
  return { ...(template.inOrg ? seed.params : {}), ...seed.pageParams[template.pattern] };
}

/** What `role` should get on a page that exists and that the seed filled in. */
function expectationFor(template: PageTemplate, role: CrawlRole): Expectation {
  if (role === "anonymous") return template.signIn ? { kind: "sign-in" } : { kind: "visible", forbiddenOk: false };
  if (template.inOrg && role === "outsider") return { kind: "not-found" };
  return { kind: "visible", forbiddenOk: template.inOrg && role !== "owner" };
}

/**
 * The first round of visits: each page as each role; pages whose params the seed cannot fill
 * are visited for an address that does not exist (they must answer 404); and each seeded page
 * with params once more, as the owner, with its last param changed to one that does not exist.
 */
export function plannedVisits(templates: readonly PageTemplate[], seed: Seed): { visits: Visit[]; unseeded: string[] } {
  const visits: Visit[] = [];
  const unseeded: string[] = [];
  for (const template of templates) {
    const values = paramsFor(template, seed);
    const url = fillPattern(template.pattern, values);
    const base = { pattern: template.pattern, source: template.source };
    if (url === null) {
      unseeded.push(template.pattern);
      const missing = Object.fromEntries(template.params.map((p) => [p, values[p] ?? `no-such-${p.toLowerCase()}`]));
      const ghost = fillPattern(template.pattern, missing)!;
      for (const role of ROLES) {
        const expect: Expectation = role === "anonymous" && template.signIn ? { kind: "sign-in" } : { kind: "not-found" };
        visits.push({ ...base, role, url: ghost, via: "not-found", expect });
      }
      continue;
    }
    for (const role of ROLES) visits.push({ ...base, role, url, via: "page", expect: expectationFor(template, role) });
    const last = template.params.at(-1);
    if (last) {
      const ghost = fillPattern(template.pattern, { ...values, [last]: `no-such-${last.toLowerCase()}` })!;
      visits.push({ ...base, role: "owner", url: ghost, via: "not-found", expect: { kind: "not-found" } });
    }
  }
  return { visits, unseeded };
}

/** What the in-page checks found in one document. */
interface Audit {
  failures: string[];
  violations: Violation[];
  reported: Violation[];
}

/** axe in both themes, keyboard reach and the 390 px width, on the open page. */
async function auditPage(page: Page, step: (name: string) => void): Promise<Audit> {
  const failures: string[] = [];
  const light = await runAxe(page, "light");
  step("axe");
  const dark = await darkContrast(page);
  step("dark");
  const all = [...light, ...dark];
  const violations = all.filter((v) => v.impact === "serious" || v.impact === "critical");
  const reported = all.filter((v) => v.impact !== "serious" && v.impact !== "critical");
  for (const v of violations) failures.push(`axe ${v.impact} ${v.rule} (${v.theme} theme): ${v.help} — at ${v.selectors.join(", ")}`);

  const keys = await keyboardReach(page);
  for (const el of keys.unreached) failures.push(`keyboard: Tab never reaches ${el}`);
  if (keys.trapped) failures.push(`keyboard: focus is trapped at ${keys.trapped} (Tab, and Escape then Tab, do not move it)`);
  step("keys");
  const wide = await narrowOverflow(page);
  if (wide.length) failures.push(`390 px wide: the shell scrolls sideways: ${wide.join("; ")}`);
  step("narrow");
  return { failures, violations, reported };
}

/**
 * A hash of the rendered document: equal documents get equal findings. Hydration keys, the
 * signed-in person's address (everyone in the seed shares one name) and `next=` return paths
 * (every signed-out visit ends on the same sign-in form) do not make a document different.
 */
async function documentFingerprint(page: Page): Promise<string> {
  const html = await page.evaluate(() =>
    document.body.outerHTML
      .replace(/ data-hk="[^"]*"/g, "")
      .replace(/\b[a-z]+@crawl\.test\b/g, "person@crawl.test")
      .replace(/([?&](amp;)?next=)[^"&]*/g, "$1…"),
  );
  return createHash("sha256").update(`${page.viewportSize()?.width}|${html}`).digest("hex");
}

/** Response and console problems, recorded per page. */
interface Recorder {
  bad: Array<{ path: string; status: number }>;
  failed: Array<{ path: string; error: string }>;
  console: Array<{ type: string; text: string; url: string }>;
  errors: string[];
}

function record(page: Page): Recorder {
  const rec: Recorder = { bad: [], failed: [], console: [], errors: [] };
  page.on("response", (r) => {
    if (r.status() >= 400) rec.bad.push({ path: pathOf(r.url()), status: r.status() });
  });
  page.on("requestfailed", (r) => {
    const error = r.failure()?.errorText ?? "failed";
    if (error !== "net::ERR_ABORTED") rec.failed.push({ path: pathOf(r.url()), error });
  });
  page.on("console", (m: ConsoleMessage) => {
    if (m.type() === "error" || m.type() === "warning") rec.console.push({ type: m.type(), text: m.text(), url: m.location().url });
  });
  page.on("pageerror", (e) => rec.errors.push(e.message));
  return rec;
}

export interface CrawlOptions {
  browser: Browser;
  baseUrl: string;
  seed: Seed;
  reportDir: string;
  /**
   * When visits stop being begun (epoch ms): those left fail as not visited, so that a crawl
   * that runs long still ends with a report (and the server's log) inside the test's limit.
   */
  deadline?: number;
  /** Where progress lines go (every minute: visits done, the ones open and their steps). */
  log?: (line: string) => void;
  /** How long a try may stay open before it counts as stalled ({@link VISIT_LIMIT_MS} unless set). */
  visitLimitMs?: number;
}

/** Runs `items` on a small pool of workers; an item not begun by `deadline` gets `late(item)` instead. */
async function runPool<T, R>(items: readonly T[], worker: (item: T) => Promise<R>, deadline: number, late: (item: T) => R): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = Date.now() < deadline ? await worker(items[index]!) : late(items[index]!);
      }
    }),
  );
  return results;
}

/** The result of a visit that never got a page. */
function unvisited(visit: Visit, failure: string, ms: number): VisitResult {
  return { ...visit, status: null, finalUrl: visit.url, failures: [failure], violations: [], reported: [], screenshot: null, links: [], ms };
}

/** `promise`, or a rejection naming `what` once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

export class Crawler {
  private contexts = new Map<CrawlRole, Promise<BrowserContext>>();
  private audits = new Map<string, Promise<Audit>>();
  private readonly shots: string;
  /** The visits open now, with the steps each has done: what a progress line shows. */
  private readonly open = new Map<Visit, string[]>();
  private progress = { name: "first round", done: 0, total: 0, started: Date.now() };

  constructor(private readonly options: CrawlOptions) {
    this.shots = path.join(options.reportDir, "shots");
    mkdirSync(this.shots, { recursive: true });
  }

  /** One context per role, signed in with the seeded session (none for the anonymous visitor). */
  private context(role: CrawlRole): Promise<BrowserContext> {
    // The promise is kept, so that visits of one role starting together share one context.
    let context = this.contexts.get(role);
    if (!context) {
      context = (async () => {
        const made = await this.options.browser.newContext({ baseURL: this.options.baseUrl, viewport: VIEWPORT, colorScheme: "light", reducedMotion: "reduce" });
        if (role !== "anonymous") {
          await made.addCookies([{ name: "atrium_session", value: this.options.seed.cookies[role], url: this.options.baseUrl, httpOnly: true, sameSite: "Lax" }]);
        }
        return made;
      })();
      this.contexts.set(role, context);
    }
    return context;
  }

  async close(): Promise<void> {
    for (const context of this.contexts.values()) await within(context, 10_000, "a context").then((c) => c.close()).catch(() => {});
  }

  /** Visits every page as every role, then the links found on them one level deep. */
  async run(visits: readonly Visit[]): Promise<VisitResult[]> {
    const progress = setInterval(() => this.options.log?.(this.progressLine()), PROGRESS_EVERY_MS);
    progress.unref();
    try {
      return await this.rounds(visits);
    } finally {
      clearInterval(progress);
    }
  }

  /** How far the crawl got, and the visits open with the steps they have done. */
  private progressLine(): string {
    const { name, done, total, started } = this.progress;
    const short = (url: string) => (url.length > 90 ? `${url.slice(0, 90)}…` : url);
    const open = [...this.open].map(([v, steps]) => `${v.role} ${short(pathOf(v.url))} (${steps.join(", ") || "loading"})`);
    return `crawl: ${done} of ${total} visits of the ${name} done in ${Math.round((Date.now() - started) / 1000)} s; open: ${open.join("; ") || "none"}`;
  }

  /** One round of visits on the pool; those not begun by the deadline fail as not visited. */
  private round(name: string, visits: readonly Visit[]): Promise<VisitResult[]> {
    this.progress = { name, done: 0, total: visits.length, started: Date.now() };
    const deadline = this.options.deadline ?? Infinity;
    const late = (visit: Visit) =>
      unvisited(visit, `not visited: the crawl was still running at its deadline (${new Date(deadline).toISOString()}); the progress lines say what was slow`, 0);
    const counted = async (visit: Visit) => {
      const result = await this.visit(visit);
      this.progress.done++;
      return result;
    };
    return runPool(visits, counted, deadline, late);
  }

  private async rounds(visits: readonly Visit[]): Promise<VisitResult[]> {
    const first = await this.round("first round", visits);
    const seen = new Map<CrawlRole, Set<string>>();
    for (const r of first) {
      const set = seen.get(r.role) ?? new Set<string>();
      set.add(pathOf(r.url));
      set.add(pathOf(r.finalUrl));
      seen.set(r.role, set);
    }
    const api = apiPatterns();
    const followed: Visit[] = [];
    for (const r of first) {
      // Links on a page the role must not see (its not-found panel's crumbs) lead nowhere it may go.
      if (r.via !== "page" || r.expect.kind === "not-found") continue;
      for (const link of r.links) {
        const set = seen.get(r.role)!;
        const linkPath = link.split("?")[0]!;
        if (set.has(link) || api.some((re) => re.test(linkPath))) continue;
        set.add(link);
        followed.push({ role: r.role, url: link, pattern: "(link)", source: `a link on ${pathOf(r.url)}`, via: "link", from: pathOf(r.url), expect: { kind: "link" } });
      }
    }
    const second = await this.round("links round", followed);
    return [...first, ...second];
  }

  /**
   * One visit. A try that stalls (still open after {@link VISIT_LIMIT_MS}) is made once more on
   * a fresh page, and the result says where the first one stood; a second stall fails the visit.
   */
  private async visit(visit: Visit): Promise<VisitResult> {
    const first = await this.attempt(visit);
    if (first.stalledAt === null) return first.result;
    const again = await this.attempt(visit);
    if (again.stalledAt !== null) return again.result;
    return { ...again.result, stalled: first.stalledAt };
  }

  private async attempt(visit: Visit): Promise<{ result: VisitResult; stalledAt: string | null }> {
    const started = Date.now();
    const steps: string[] = [];
    this.open.set(visit, steps);
    try {
      return await this.attemptOn(visit, started, steps);
    } catch (error) {
      // The browser did not give a page (see `within` in attemptOn): the visit fails, the crawl goes on.
      return { result: unvisited(visit, `the visit failed: ${(error as Error).message.split("\n")[0]}`, Date.now() - started), stalledAt: null };
    } finally {
      this.open.delete(visit);
    }
  }

  private async attemptOn(visit: Visit, started: number, steps: string[]): Promise<{ result: VisitResult; stalledAt: string | null }> {
    const limit = this.options.visitLimitMs ?? VISIT_LIMIT_MS;
    const context = await within(this.context(visit.role), limit, "opening the role's browser context");
    const page = await within(context.newPage(), limit, "opening a page");
    let stalledAt: string | null = null;
    const watchdog = setTimeout(() => {
      stalledAt = `after ${steps.join(", ") || "nothing"}`;
      void page.close().catch(() => {});
    }, limit);
    const rec = record(page);
    const failures: string[] = [];
    let status: number | null = null;
    let violations: Violation[] = [];
    let reported: Violation[] = [];
    let screenshot: string | null = null;
    let links: string[] = [];
    let mark = Date.now();
    const step = (name: string) => {
      steps.push(`${name} ${Date.now() - mark}ms`);
      mark = Date.now();
    };
    try {
      const response = await page.goto(visit.url, { waitUntil: "load" });
      status = response?.status() ?? null;
      step("goto");
      await waitForHydration(page);
      step("hydrated");
      if (visit.expect.kind === "sign-in") {
        // The shell sends signed-out visitors on once it knows nobody is signed in.
        await page.waitForURL((u) => u.pathname === "/sign-in", { timeout: 10_000 }).catch(() => {});
      }
      await page.waitForLoadState("networkidle");
      step("idle");
      failures.push(...this.statusProblems(visit, status, page.url()));
      failures.push(...this.networkProblems(visit, rec, status));

      // The same document (a role sees what another saw; every signed-out visit ends on the
      // same sign-in page) gets the same findings: audit each distinct document once.
      const fingerprint = await documentFingerprint(page);
      // Another visit's audit that failed (its page stalled and was closed) is made again here.
      const shared = this.audits.get(fingerprint);
      let found = shared ? await shared.catch(() => null) : null;
      if (!found) {
        const audit = auditPage(page, step);
        this.audits.set(fingerprint, audit);
        found = await audit.catch((error: unknown) => {
          if (this.audits.get(fingerprint) === audit) this.audits.delete(fingerprint);
          throw error;
        });
      }
      violations = found.violations;
      reported = found.reported;
      failures.push(...found.failures);

      links = visit.via === "page" ? await pageLinks(page) : [];
      const file = `${visit.role}--${fileSafe(pathOf(visit.url))}--${visit.via}.jpg`;
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(this.shots, file), type: "jpeg", quality: 55 });
      screenshot = `shots/${file}`;
      step("shot");
      // Problems found while the checks ran (a theme switch, a resize) count too.
      failures.push(...this.consoleProblems(visit, rec, status));
    } catch (error) {
      failures.push(
        stalledAt !== null
          ? `the visit stalled: still open after ${limit / 1000} s (${stalledAt}) on two tries, so its page was closed`
          : `the visit failed: ${(error as Error).message.split("\n")[0]}`,
      );
    } finally {
      clearTimeout(watchdog);
      await within(page.close(), 10_000, "closing the page").catch(() => {});
      if (process.env.CRAWL_DEBUG) console.log(`${visit.role} ${visit.url}: ${steps.join(", ")}${stalledAt ? ` (stalled ${stalledAt})` : ""}${failures.map((f) => `\n  ✗ ${f}`).join("")}`);
    }
    const result = { ...visit, status, finalUrl: page.url(), failures, violations, reported, screenshot, links, ms: Date.now() - started };
    return { result, stalledAt };
  }

  private statusProblems(visit: Visit, status: number | null, finalUrl: string): string[] {
    const at = new URL(finalUrl);
    const expected = visit.expect;
    switch (expected.kind) {
      case "visible":
        if (status === 200 || (expected.forbiddenOk && status === 403)) return [];
        return [`HTTP ${status}, expected 200${expected.forbiddenOk ? " (or 403)" : ""}: the page should be visible to ${visit.role}`];
      case "not-found":
        return status === 404 ? [] : [`HTTP ${status}, expected 404: ${visit.via === "not-found" ? "the address names nothing that exists" : `${visit.role} must not see it`}`];
      case "sign-in": {
        const wanted = pathOf(new URL(visit.url, this.options.baseUrl).href);
        if (at.pathname === "/sign-in" && at.searchParams.get("next") === wanted) return [];
        return [`expected a redirect to /sign-in?next=${wanted}, ended at ${pathOf(finalUrl)} (HTTP ${status})`];
      }
      case "link":
        if (status !== null && status < 400) return [];
        return [`broken link: HTTP ${status} (linked from ${visit.from})`];
    }
  }

  /** 4xx/5xx and failed requests, but for the page's own expected answer (its 404, and the lookups that found nothing). */
  private networkProblems(visit: Visit, rec: Recorder, status: number | null): string[] {
    const own = pathOf(new URL(visit.url, this.options.baseUrl).href);
    const notFoundPage = visit.expect.kind === "not-found" && status === 404;
    const forbiddenPage = visit.expect.kind === "visible" && status === 403;
    const expected = (r: { path: string; status: number }) =>
      (r.path === own && (r.status === status || visit.expect.kind === "link")) ||
      (notFoundPage && r.status === 404 && r.path.startsWith("/api/")) ||
      (forbiddenPage && r.status === 403 && r.path.startsWith("/api/trpc/"));
    return [
      ...rec.bad.filter((r) => !expected(r)).map((r) => `request failed: HTTP ${r.status} for ${r.path}`),
      ...rec.failed.map((r) => `request failed: ${r.path} (${r.error})`),
    ];
  }

  private consoleProblems(visit: Visit, rec: Recorder, status: number | null): string[] {
    const out = rec.errors.map((e) => `page error: ${e}`);
    for (const c of rec.console) {
      // The browser's own line for a response already judged above.
      if (/^Failed to load resource: the server responded with a status of (403|404)/.test(c.text) && (status === 404 || status === 403 || pathOf(c.url) === pathOf(visit.url))) continue;
      out.push(`console ${c.type}: ${c.text.slice(0, 300)}${c.url ? ` (${pathOf(c.url)})` : ""}`);
    }
    return out;
  }
}
