/**
 * The browser test harness: the BUILT server (`node .output/server/index.mjs`) on a fresh
 * database and a free port, and Debian's Chromium driven by playwright-core. Pages record
 * every console error, uncaught page error, failed request and response with status >= 400,
 * so a test can assert that none happened (except those it expects).
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { createTestDatabase, TEST_SECRET } from "../setup/database";
import { CHROMIUM_PATH, ROOT, SERVER_ENTRY } from "./paths";

/** Flags that work on these machines (docs: /work/shared/STACK.md). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LIMIT = 64 * 1024;

/* ----------------------------------------------------------------------------------------
 * Server
 * ------------------------------------------------------------------------------------- */

export interface AppServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly databaseUrl: string;
  /** The server's stdout and stderr so far (the last 64 KB). */
  logs(): string;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and drops its database. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Starts the built server on a fresh database cloned from the migrated template (or on `databaseUrl`, left as it is). */
export async function startServer(options: { env?: Record<string, string>; databaseUrl?: string } = {}): Promise<AppServer> {
  // A second instance on another server's database (two app instances, one database): that
  // database is the other server's to drop.
  const database = options.databaseUrl ? { url: options.databaseUrl, drop: async () => {} } : await createTestDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      PORT: String(port),
      // The Origin check compares with PUBLIC_URL: the address browsers and fetch use here.
      PUBLIC_URL: url,
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      // Production requires a secret. The app role's password derives from it and the role is
      // cluster-wide, so every kernel on the test cluster uses the same one.
      ATRIUM_SECRET: TEST_SECRET,
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-LOG_LIMIT);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited(child);
      clearTimeout(timer);
    }
    await database.drop();
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await database.drop();
      throw new Error(`The server exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${output}`);
    }
    const healthy = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (healthy) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The server did not answer /api/health with 200 within ${START_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, databaseUrl: database.url, logs: () => output, stop };
}

/* ----------------------------------------------------------------------------------------
 * Browser
 * ------------------------------------------------------------------------------------- */

/** Launches Debian's Chromium (or CHROMIUM_PATH). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** What went wrong while a page was open. */
export interface PageProblems {
  consoleErrors: Array<{ text: string; url: string }>;
  pageErrors: string[];
  /** Responses with status >= 400, by path (with query). */
  badResponses: Array<{ path: string; status: number }>;
  /** Requests that got no response at all (aborted navigations aside). */
  failedRequests: Array<{ path: string; error: string }>;
}

/**
 * A response a test expects to fail, e.g. the 404 page's own document. `path` is the path
 * with its query (or a pattern for it); `status` "failed" means no response at all.
 */
export interface ExpectedResponse {
  path: string | RegExp;
  status: number | "failed";
}

export interface RecordedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly problems: PageProblems;
  /**
   * Every problem except the expected responses (and the browser's own console line about
   * each of them), as readable lines: assert it equals `[]`.
   */
  unexpectedProblems(expected?: readonly ExpectedResponse[]): string[];
  close(): Promise<void>;
}

/** A URL's path and query (the text itself when it is not a URL). */
export function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

/** Opens a page in a fresh browser context (own storage) that records its problems. */
export async function openPage(browser: Browser, baseUrl: string, options: BrowserContextOptions = {}): Promise<RecordedPage> {
  const context = await browser.newContext({ baseURL: baseUrl, ...options });
  const page = await context.newPage();
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], badResponses: [], failedRequests: [] };
  page.on("console", (message) => {
    if (message.type() === "error") problems.consoleErrors.push({ text: message.text(), url: message.location().url });
  });
  page.on("pageerror", (error) => problems.pageErrors.push(error.stack ?? error.message));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.badResponses.push({ path: pathOf(response.url()), status: response.status() });
  });
  page.on("requestfailed", (request) => {
    const error = request.failure()?.errorText ?? "failed";
    // A navigation or reload cancels requests still in flight; that is not a fault.
    if (error !== "net::ERR_ABORTED") problems.failedRequests.push({ path: pathOf(request.url()), error });
  });

  return {
    page,
    context,
    problems,
    unexpectedProblems(expected = []) {
      const isExpected = (path: string, status?: number | "failed") =>
        expected.some(
          (e) => (typeof e.path === "string" ? e.path === path : e.path.test(path)) && (status === undefined || e.status === status),
        );
      const lines: string[] = [];
      for (const r of problems.badResponses) if (!isExpected(r.path, r.status)) lines.push(`HTTP ${r.status} for ${r.path}`);
      for (const r of problems.failedRequests) if (!isExpected(r.path, "failed")) lines.push(`request failed: ${r.path} (${r.error})`);
      for (const e of problems.pageErrors) lines.push(`page error: ${e}`);
      for (const c of problems.consoleErrors) {
        // The browser's own line about a request the test expected to fail.
        const aboutExpected = /^Failed to load resource: /.test(c.text) && isExpected(pathOf(c.url));
        if (!aboutExpected) lines.push(`console error: ${c.text}${c.url ? ` (${pathOf(c.url)})` : ""}`);
      }
      return lines;
    },
    close: () => context.close(),
  };
}

/** Waits until the app in `page` is hydrated (the shell marks <html data-hydrated>). */
export async function waitForHydration(page: Page): Promise<void> {
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
}

/* ----------------------------------------------------------------------------------------
 * Everything together
 * ------------------------------------------------------------------------------------- */

export interface Harness {
  readonly server: AppServer;
  readonly browser: Browser;
  /** Opens a recording page in a fresh context; closed by `close()` if the test does not. */
  open(options?: BrowserContextOptions): Promise<RecordedPage>;
  close(): Promise<void>;
}

/** Starts the server and the browser; call `close()` in `afterAll`. */
export async function startHarness(options: { env?: Record<string, string> } = {}): Promise<Harness> {
  const server = await startServer(options);
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await server.stop();
    throw err;
  }
  const pages = new Set<RecordedPage>();
  return {
    server,
    browser,
    async open(contextOptions) {
      const recorded = await openPage(browser, server.url, contextOptions);
      pages.add(recorded);
      return recorded;
    },
    async close() {
      for (const p of pages) await p.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}
