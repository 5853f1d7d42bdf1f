/**
 * AI agents against the BUILT server over real HTTP: the resource metadata and the 401 that
 * names it, the MCP Inspector's CLI (`tools/list`, `tools/call`), the SDK's Client over
 * Streamable HTTP (a dashboard built, read, rendered and listed as a resource), and a person
 * connecting an agent from the account page in Chromium: token,
 * URL and snippet, then that very snippet's token used by an MCP client, and the agent's calls
 * in the organization's audit log.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";
import { ROOT } from "./paths";

let harness: Harness;
let base: string;
let db: pg.Client;
let person: RecordedPage | undefined;

const OWNER = { name: "Ada Agent", email: "ada@agents.test", password: "agents act for people" };
const ORG = { name: "Agent Works", slug: "agent-works" };

beforeAll(async () => {
  harness = await startHarness();
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [person]);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
});

/**
 * Runs the MCP Inspector's CLI and parses its JSON output. The `mcp-inspector` launcher fails
 * here (its commander is older than it expects: "allowExcessArguments is not a function"), so
 * this runs the `mcp-inspector-cli` bin. That one looks for its own package.json relative to
 * the working directory but imports it relative to itself, so it runs from its build folder.
 */
function inspector(args: string[]): Promise<{ code: number | null; json: unknown; stderr: string }> {
  const packageDir = path.join(ROOT, "node_modules", "@modelcontextprotocol", "inspector-cli");
  const bin = path.join(ROOT, "node_modules", ".bin", "mcp-inspector-cli");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "--cli", `${base}/mcp`, "--transport", "http", ...args], {
      cwd: path.join(packageDir, "build"),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), 45_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      let json: unknown = null;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = { unparsed: stdout };
      }
      resolve({ code, json, stderr });
    });
  });
}

let token = "";

const DASHBOARD = `title: Agent-made numbers
queries:
  numbers:
    sql: select label, value from (values ('a', 1), ('b', 2)) as t(label, value)
charts:
  - id: numbers
    title: Numbers
    type: bar
    query: numbers
    x: label
    y: value
layout:
  rows:
    - [{ chart: numbers, width: 12 }]
`;

describe("connecting an AI agent", () => {
  it("the 401 names the resource metadata document, which the server serves", async () => {
    const res = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });
    expect(res.status).toBe(401);
    const metadataUrl = `${base}/.well-known/oauth-protected-resource/mcp`;
    expect(res.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${metadataUrl}"`);
    const metadata = await fetch(metadataUrl);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({ resource: `${base}/mcp`, bearer_methods_supported: ["header"], scopes_supported: ["read", "write"] });
    // Only ".well-known" serves it.
    expect((await fetch(`${base}/elsewhere/oauth-protected-resource/mcp`)).status).toBe(404);
    // A browser page on another site cannot drive the endpoint.
    const evil = await fetch(`${base}/mcp`, { method: "POST", headers: { origin: "https://evil.example", "content-type": "application/json" }, body: "{}" });
    expect(evil.status).toBe(403);
    // A page of our own origin may (CORS preflight answered, without credentials).
    const preflight = await fetch(`${base}/mcp`, { method: "OPTIONS", headers: { origin: base, "access-control-request-method": "POST" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(base);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("mcp-protocol-version");
  });

  it("a person creates an agent token on the account page and gets the URL and a snippet with it", async () => {
    person = await harness.open({ permissions: ["clipboard-read", "clipboard-write"] });
    const { page } = person;
    await signUpConfirmed(page, base, db, OWNER);
    await createOrganization(page, base, ORG);

    await page.goto("/account#agents");
    await waitForHydration(page);
    const section = page.getByRole("region", { name: "Connect an AI agent" });
    await section.waitFor();
    // Plugin sections join the page's "On this page" links.
    const onThisPage = page.getByRole("navigation", { name: "On this page" });
    await onThisPage.getByRole("link", { name: "Connect an AI agent" }).waitFor();
    await expect(onThisPage.getByRole("link", { name: "Connect an AI agent" }).getAttribute("href")).resolves.toBe("#agents");
    await expect(section.getByLabel("MCP server URL").inputValue()).resolves.toBe(`${base}/mcp`);
    // Before a token exists, the snippet holds a placeholder.
    await expect(section.getByTestId("snippet-claude-code").innerText()).resolves.toContain("<your token>");

    await section.getByLabel("Agent name").fill("Desk agent");
    await section.getByLabel("Access").selectOption("write");
    await section.getByRole("button", { name: "Create agent token" }).click();
    const secret = section.getByTestId("agent-token");
    await secret.waitFor();
    token = await secret.getByLabel("Token “Desk agent”").inputValue();
    expect(token).toMatch(/^atr_[a-z2-7]{32}$/);

    const cli = await section.getByTestId("snippet-claude-code").innerText();
    expect(cli).toContain(`${base}/mcp`);
    expect(cli).toContain(`Authorization: Bearer ${token}`);
    await section.getByLabel("Your MCP client").selectOption("cursor");
    const cursor = JSON.parse(await section.getByTestId("snippet-cursor").innerText()) as { mcpServers: { atrium: { url: string; headers: Record<string, string> } } };
    expect(cursor.mcpServers.atrium).toEqual({ url: `${base}/mcp`, headers: { Authorization: `Bearer ${token}`, "X-MCP-Client": "Cursor" } });
    await section.getByRole("button", { name: "Copy the Cursor configuration" }).click();
    await section.getByRole("button", { name: "Copy the Cursor configuration" }).getByText("Copied").waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toContain(`Bearer ${token}`);
    expect(person.unexpectedProblems()).toEqual([]);
  });

  it("the MCP Inspector's CLI lists the tools and calls one with that token", async () => {
    const auth = ["--header", `Authorization: Bearer ${token}`, "--header", "X-MCP-Client: MCP Inspector"];
    const list = await inspector([...auth, "--method", "tools/list"]);
    expect(list.code, list.stderr).toBe(0);
    const names = (list.json as { tools: Array<{ name: string }> }).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["whoami", "list_orgs", "list_projects", "list_data_sources", "describe_tables", "run_query"]));

    const call = await inspector([...auth, "--method", "tools/call", "--tool-name", "whoami"]);
    expect(call.code, call.stderr).toBe(0);
    expect((call.json as { structuredContent: unknown }).structuredContent).toMatchObject({ email: OWNER.email, orgs: [{ slug: ORG.slug, role: "owner" }] });

    const query = await inspector([...auth, "--method", "tools/call", "--tool-name", "run_query", "--tool-arg", "sql=select 40 + 2 as answer"]);
    expect(query.code, query.stderr).toBe(0);
    expect(JSON.stringify((query.json as { structuredContent: unknown }).structuredContent)).toContain("42");

    const bad = await inspector(["--method", "tools/list"]);
    expect(bad.code).not.toBe(0);
  }, 120_000);

  it("the SDK's Client over Streamable HTTP builds, reads and renders a dashboard with the same token", async () => {
    const { rows } = await db.query<{ id: string }>("select id from orgs where slug = $1", [ORG.slug]);
    await db.query("insert into projects (org_id, slug, name) values ($1, 'alpha', 'Alpha')", [rows[0]!.id]);
    const client = new Client({ name: "e2e", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}`, "x-mcp-client": "E2E client" } } }));
    const projects = await client.callTool({ name: "list_projects", arguments: {} });
    expect(projects.structuredContent).toMatchObject({ items: [{ slug: "alpha" }] });
    const bad = await client.callTool({ name: "run_query", arguments: { sql: 7 } });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain("sql");

    const created = await client.callTool({ name: "create_dashboard", arguments: { projectId: "alpha", yaml: DASHBOARD } });
    expect(created.isError, JSON.stringify(created.content)).toBeFalsy();
    const { slug } = created.structuredContent as { slug: string };
    const read = await client.callTool({ name: "get_dashboard", arguments: { projectId: "alpha", slug } });
    expect(read.structuredContent).toMatchObject({ version: 1, yaml: expect.stringContaining("Agent-made") });
    const chart = await client.callTool({ name: "render_chart", arguments: { projectId: "alpha", slug, chartId: "numbers" } });
    expect((chart.structuredContent as { svg: string }).svg).toMatch(/^<svg/);
    const uri = `atrium://${ORG.slug}/alpha/dashboards/${slug}`;
    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual([uri]);
    expect((await client.readResource({ uri })).contents[0]).toMatchObject({ mimeType: "application/yaml", text: expect.stringContaining("Agent-made") });
    await client.close();
  });

  it("the organization's audit log shows the agent's calls, as an agent with its client's name", async () => {
    const { page } = person!;
    await page.goto(`/o/${ORG.slug}/settings#audit`);
    await waitForHydration(page);
    const audit = page.getByRole("region", { name: "Audit log" });
    // The unfiltered log first (the org's creation), then only the agents.
    await audit.getByText("org.create").waitFor();
    await audit.getByLabel("Done by").selectOption("agent");
    await audit.getByRole("button", { name: "Apply filters" }).click();
    await audit.getByText("org.create").waitFor({ state: "detached" });
    const text = await audit.locator("tbody").innerText();
    expect(text).toContain("agent.tool.call");
    expect(text).toContain("MCP Inspector");
    expect(text).toContain("E2E client");
    expect(await audit.locator('tbody tr:not([data-actor-kind="agent"])').count()).toBe(0);
    expect(person!.unexpectedProblems()).toEqual([]);
  });
});
