/**
 * An MCP client signs in with OAuth against the BUILT server: the SDK's client discovers the
 * authorization server from /mcp's 401 and registers; the person approves in Chromium on the
 * consent screen, narrowed to one project and read only (the default); the client exchanges
 * the code, calls tools (the other project is not found), refreshes and revokes. Then the
 * person sees the app under Connected apps and disconnects it.
 */
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MemoryOAuthProvider, REDIRECT_URI } from "../../plugins/mcp-oauth/test-oauth-provider";
import { createOrganization, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let base: string;
let db: pg.Client;
let person: RecordedPage | undefined;

const OWNER = { name: "Olga Oauth", email: "olga@oauth.test", password: "consent before tokens" };
const ORG = { name: "Consent Co", slug: "consent-co" };

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

const provider = new MemoryOAuthProvider();
const connect = async () => {
  const client = new Client({ name: "oauth-e2e", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { authProvider: provider }));
  return client;
};
const data = <T>(result: unknown) => (result as { structuredContent: T }).structuredContent;

describe("an MCP client signs in with OAuth", () => {
  it("discovery, registration, consent clicked in Chromium, tools, refresh, revoke; then Connected apps", async () => {
    person = await harness.open();
    const page = person.page;
    await signUpConfirmed(page, base, db, OWNER);
    await createOrganization(page, base, ORG);
    const { rows } = await db.query<{ id: string }>("select id from orgs where slug = $1", [ORG.slug]);
    const orgId = rows[0]!.id;
    const project = async (slug: string, name: string) =>
      (await db.query<{ id: string }>("insert into projects (org_id, slug, name) values ($1, $2, $3) returning id", [orgId, slug, name])).rows[0]!.id;
    const alpha = await project("alpha", "Alpha");
    const beta = await project("beta", "Beta");

    // The client: 401 → resource metadata → authorization server metadata → registration → authorize.
    await expect(connect()).rejects.toBeInstanceOf(UnauthorizedError);
    const authorizationUrl = provider.lastAuthorizationUrl!;
    expect(authorizationUrl.origin).toBe(base);
    expect(authorizationUrl.searchParams.get("resource")).toBe(`${base}/mcp`);

    // The person, in the browser: the consent screen; read only by default; narrow to Alpha.
    await page.route(`${REDIRECT_URI}**`, (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>Client</title><p>Back in the client.</p>" }));
    await page.goto(authorizationUrl.toString());
    await waitForHydration(page);
    await page.getByRole("heading", { level: 1, name: "Connect an app to Atrium" }).waitFor();
    await page.getByText("Test agent").first().waitFor();
    expect(await page.getByRole("checkbox", { name: /^Read/ }).isChecked()).toBe(true);
    expect(await page.getByRole("checkbox", { name: /^Write/ }).isChecked()).toBe(false);
    await page.getByLabel("Only the projects I choose").check();
    await page.getByRole("checkbox", { name: "Alpha" }).check();
    const back = page.waitForRequest((r) => r.url().startsWith(REDIRECT_URI));
    await page.getByRole("button", { name: "Allow" }).click();
    const callback = new URL((await back).url());
    expect(callback.searchParams.get("state")).toBe(provider.stateValue);
    const code = callback.searchParams.get("code")!;

    // The client finishes: tokens, then tools within what was granted.
    await new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { authProvider: provider }).finishAuth(code);
    expect(provider.saved).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "read" });
    const client = await connect();
    const projects = JSON.stringify(data(await client.callTool({ name: "list_projects", arguments: {} })));
    expect(projects).toContain(alpha);
    expect(projects).not.toContain(beta);
    const other = await client.callTool({ name: "list_dashboards", arguments: { projectId: beta } });
    expect(data<{ error: { code: string } }>(other).error.code).toBe("NOT_FOUND");
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain("create_dashboard");
    await client.close();

    // Refresh rotates; revoking the refresh token ends the connection.
    const form = (body: Record<string, string>) => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body).toString() });
    const clientId = provider.client!.client_id;
    const refreshed = await fetch(`${base}/oauth/token`, form({ grant_type: "refresh_token", client_id: clientId, refresh_token: provider.saved!.refresh_token! }));
    expect(refreshed.status).toBe(200);
    const pair = (await refreshed.json()) as { access_token: string; refresh_token: string };
    const call = (token: string) =>
      fetch(`${base}/mcp`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } }),
      });
    expect((await call(pair.access_token)).status).toBe(200);

    // Connected apps on the account page: the client, its org, scope, project; disconnect it.
    await page.goto("/account");
    await waitForHydration(page);
    const section = page.locator("#connected-apps");
    await section.getByText("Test agent").waitFor();
    await section.getByText(/Consent Co · read · Alpha/).waitFor();
    await section.getByRole("button", { name: "Disconnect Test agent" }).click();
    await section.getByText("No connected apps yet.").waitFor();
    const after = await call(pair.access_token);
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    expect((await fetch(`${base}/oauth/revoke`, form({ client_id: clientId, token: pair.refresh_token }))).status).toBe(200);

    expect(person.unexpectedProblems()).toEqual([]);
  });
});
