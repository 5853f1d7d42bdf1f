/**
 * `atrium login` from a terminal (a real tmux pane) against the BUILT server, with the device
 * authorization grant: the CLI prints a link and a code; the person, signed in in Chromium,
 * opens the link, sees the code's client and chooses read and write; the CLI finishes by
 * itself and saves the token (0600). With that token an MCP tools/call works and so does the
 * ingestion API (`atrium status`), also after the hour-long access token has expired (the CLI
 * refreshes it). The admin opens the org's AI agent usage dashboard from Settings › AI agents
 * and sees the CLI's call. `atrium logout` ends the connection on the server.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let base: string;
let db: pg.Client;
let person: RecordedPage | undefined;
let home: string;
const SESSION = `atrium-login-${process.pid}`;

const OWNER = { name: "Dev Ice", email: "dev@device.test", password: "codes on the terminal" };
const ORG = { name: "Terminal Co", slug: "terminal-co" };

beforeAll(async () => {
  harness = await startHarness();
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
  home = mkdtempSync(join(tmpdir(), "atrium-device-"));
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    process.stderr.write(`--- tmux pane:\n${pane()}\n`);
    await reportFailure(harness, [person]);
  }
});

afterAll(async () => {
  spawnSync("tmux", ["kill-session", "-t", SESSION]);
  rmSync(home, { recursive: true, force: true });
  await db?.end();
  await harness?.close();
});

const configDir = () => join(home, "config");

/** The CLI as a person would run it, in a tmux pane (a real terminal: a TTY). */
function cliCommand(args: string): string {
  return `cd ${process.cwd()} && ATRIUM_CONFIG_DIR=${configDir()} node --import tsx scripts/atrium.ts ${args}; echo "[exit $?]"`;
}

function pane(): string {
  const r = spawnSync("tmux", ["capture-pane", "-p", "-J", "-S", "-200", "-t", SESSION], { encoding: "utf8" });
  return r.stdout ?? "";
}

async function paneShows(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = pattern.exec(pane());
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`The pane never showed ${pattern}:\n${pane()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs the CLI to the end (not in the pane): for the commands that need no person. */
function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/atrium.ts", ...args], { env: { PATH: process.env.PATH, HOME: home, ATRIUM_CONFIG_DIR: configDir() }, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("atrium login with a code", () => {
  it("the terminal shows a code, the person approves it in Chromium, the CLI saves a token that works for MCP and sync", async () => {
    person = await harness.open();
    const page = person.page;
    await signUpConfirmed(page, base, db, OWNER);
    await createOrganization(page, base, ORG);

    // The terminal: `atrium login` prints where to go and the code, then waits.
    execFileSync("tmux", ["new-session", "-d", "-s", SESSION, "-x", "200", "-y", "50", cliCommand(`login --server ${base}`)]);
    execFileSync("tmux", ["set-option", "-t", SESSION, "remain-on-exit", "on"]);
    const [, link, code] = await paneShows(/open (\S+\/connect\/device\?code=\S+)[\s\S]*?\n\s+([B-Z]{4}-[B-Z]{4})\s/);
    expect(link).toBe(`${base}/connect/device?code=${code}`);

    // The person opens the link: the device page shows who asks; they tick Write and allow.
    await page.goto(link!);
    await waitForHydration(page);
    await page.getByRole("heading", { level: 1, name: "Connect a device to Atrium" }).waitFor();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("Atrium CLI").first().waitFor();
    await page.getByText("(command line)").waitFor();
    expect(await page.getByRole("checkbox", { name: /^Write/ }).isChecked()).toBe(false);
    await page.getByRole("checkbox", { name: /^Write/ }).check();
    await page.getByRole("button", { name: "Allow" }).click();
    await page.getByText("Device connected").waitFor();

    // The terminal finishes by itself.
    await paneShows(/Logged in to \S+ \(read and write\)[\s\S]*\[exit 0\]/, 30_000);
    const file = join(configDir(), "config.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, "utf8")) as { token: string; oauth: { refreshToken: string } };
    expect(saved.token).toMatch(/^mcpa_/);
    expect(pane()).not.toContain(saved.token);

    // An MCP tools/call with the stored token.
    const call = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${saved.token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } }),
    });
    expect(call.status).toBe(200);
    expect(JSON.stringify(await call.json())).toContain(OWNER.email);

    // The ingestion API with the same login; then again once the access token has expired (refreshed).
    const status = cli(["status", "--json"]);
    expect(status.status, status.stderr).toBe(0);
    await db.query("update mcp_oauth_tokens set expires_at = now() - interval '1 second' where kind = 'access'");
    const again = cli(["status", "--json"]);
    expect(again.status, again.stderr).toBe(0);
    const rotated = JSON.parse(readFileSync(file, "utf8")) as { token: string; oauth: { refreshToken: string } };
    expect(rotated.token).not.toBe(saved.token);
    expect(rotated.oauth.refreshToken).not.toBe(saved.oauth.refreshToken);

    // The admin opens the usage dashboard from Settings › AI agents: the call above is counted.
    const { rows: orgs } = await db.query<{ id: string }>("select id from orgs where slug = $1", [ORG.slug]);
    await db.query("insert into projects (org_id, slug, name) values ($1, 'ops', 'Ops')", [orgs[0]!.id]);
    await page.goto(`/o/${ORG.slug}/settings#ai-agents`);
    await waitForHydration(page);
    const section = page.locator("#ai-agents");
    await section.getByRole("heading", { name: "Usage" }).waitFor();
    await section.getByRole("button", { name: "Open the usage dashboard" }).click();
    await page.waitForURL(`${base}/o/${ORG.slug}/p/ops/d/ai-agent-usage`);
    await page.getByRole("heading", { level: 1, name: "AI agent usage" }).waitFor();
    await page.getByText("Tool calls").first().waitFor();

    // Logging out ends the connection on the server.
    expect(cli(["logout"]).status).toBe(0);
    const { rows } = await db.query<{ revoked: boolean }>("select revoked_at is not null as revoked from mcp_oauth_grants");
    expect(rows).toEqual([{ revoked: true }]);

    expect(person.unexpectedProblems()).toEqual([]);
  });
});
