/**
 * Someone whose only access in an organization is a shared dashboard, in a real browser: under
 * "Shared with me" they create an access token for that organization (its settings are not
 * theirs to open), and an MCP client with that token sees the shared dashboard and nothing else;
 * on the shared dashboard's page the assistant is offered beside it, and a question about it is
 * answered (a scripted OpenAI-compatible model, as in assistant.test.ts) with the dashboard's
 * own context and tools that reach only what is shared.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestOpenAiServer, type ScriptedReply, type ScriptedRequest, type TestOpenAiServer } from "../../plugins/assistant/test-openai-server";
import { createOrganization, heading, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let model: TestOpenAiServer;
let harness: Harness;
let base: string;
let db: pg.Client;
let owner: RecordedPage;
let guest: RecordedPage;

const OWNER = { name: "Rhea Reach", email: "rhea@reach.test", password: "reaching further words" };
const GUEST = { name: "Gus Grant", email: "gus@grant.test", password: "only what is shared" };
const ORG = { name: "Reach Works", slug: "reach-works" };
const PROJECT = { slug: "finance", name: "Finance" };
const SHARED = { slug: "cash", title: "Cash position" };
const PRIVATE = { slug: "payroll", title: "Payroll position" };
const yamlOf = (title: string) => `title: ${title}
queries:
  answer:
    sql: select 42 as answer
charts:
  - id: answer
    title: The answer
    type: kpi
    query: answer
    value: answer
`;

function script(req: ScriptedRequest): ScriptedReply {
  if (req.lastToolResult?.name === "search_dashboards") {
    const items = ((req.lastToolResult.content as { result?: { items?: Array<{ title: string }> } }).result?.items ?? []).map((i) => i.title);
    return { text: `You can see: ${items.join(", ")}.` };
  }
  if (req.lastUserText.toLowerCase().includes("which dashboards")) return { toolCalls: [{ name: "search_dashboards", arguments: { query: "position" } }] };
  return { text: "I am not sure what you mean." };
}

let orgId = "";
let projectId = "";

beforeAll(async () => {
  model = await startTestOpenAiServer(script);
  harness = await startHarness({ env: { AI_BASE_URL: model.baseUrl, AI_MODEL: "test-model", AI_API_KEY: "sk-e2e-test-key-0000000000" } });
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner, guest]);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
  await model?.close();
});

describe("a person whose only access is a shared dashboard", () => {
  it("the owner's organization has two dashboards; one is shared with the guest", async () => {
    owner = await harness.open();
    guest = await harness.open();
    await signUpConfirmed(guest.page, base, db, GUEST);
    await signUpConfirmed(owner.page, base, db, OWNER);
    await createOrganization(owner.page, base, ORG);
    // Written as the app would (sharing.test.ts clicks through the Share dialog).
    const { rows } = await db.query<{ org_id: string; id: string }>(
      "insert into projects (org_id, slug, name) select id, $2, $3 from orgs where slug = $1 returning org_id, id",
      [ORG.slug, PROJECT.slug, PROJECT.name],
    );
    orgId = rows[0]!.org_id;
    projectId = rows[0]!.id;
    for (const d of [SHARED, PRIVATE]) {
      await db.query(
        `with u as (select id from users where email = $5),
              d as (insert into dashboards_dashboards (org_id, project_id, slug, title, yaml, version, created_by, updated_by)
                    select $1, $2, $3, $4, $6, 1, u.id, u.id from u returning id, org_id, created_by)
         insert into dashboards_versions (org_id, dashboard_id, version, yaml, author_id) select org_id, id, 1, $6, created_by from d`,
        [orgId, projectId, d.slug, d.title, OWNER.email, yamlOf(d.title)],
      );
    }
    await db.query(
      `insert into sharing_grants (org_id, project_id, dashboard_id, user_id, role, created_by)
       select $1, $2, d.id, g.id, 'view', o.id from dashboards_dashboards d, users g, users o
        where d.project_id = $2 and d.slug = $3 and g.email = $4 and o.email = $5`,
      [orgId, projectId, SHARED.slug, GUEST.email, OWNER.email],
    );
  });

  it("creates an access token under Shared with me; an MCP client with it sees the shared dashboard alone", async () => {
    const { page } = guest;
    await page.goto("/shared");
    await waitForHydration(page);
    await heading(page, "Shared with me");
    await page.getByRole("link", { name: SHARED.title }).waitFor();
    const section = page.getByRole("region", { name: "Access tokens for what is shared with you" });
    const form = section.getByRole("form", { name: "Create a token" });
    await form.getByLabel("Token name").fill("My agent");
    expect(await form.getByLabel("Organization").locator("option").allTextContents()).toEqual([ORG.name]);
    await form.getByRole("button", { name: "Create token" }).click();
    const created = section.getByTestId("new-token");
    await created.getByText("Copy your new token now").waitFor();
    const token = await created.getByRole("textbox").inputValue();
    expect(token).toMatch(/^atr_/);
    await created.getByRole("button", { name: "I’ve copied it" }).click();
    await section.getByRole("table").getByText("My agent").waitFor();

    const client = new Client({ name: "e2e", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}`, "x-mcp-client": "E2E client" } } }));
    try {
      expect((await client.listResources()).resources.map((r) => r.uri)).toEqual([`atrium://${ORG.slug}/${PROJECT.slug}/dashboards/${SHARED.slug}`]);
      const found = await client.callTool({ name: "search_dashboards", arguments: { query: "position" } });
      expect(found.isError, JSON.stringify(found.content)).toBeFalsy();
      expect((found.structuredContent as { items: Array<{ slug: string }> }).items.map((i) => i.slug)).toEqual([SHARED.slug]);
    } finally {
      await client.close();
    }
    expect(guest.unexpectedProblems()).toEqual([]);
  });

  it("on the shared dashboard's page, asks the assistant; it answers from what is shared only", async () => {
    const { page } = guest;
    await page.getByRole("link", { name: SHARED.title }).click();
    await heading(page, SHARED.title);
    await page.locator('[data-chart="answer"]').getByText("42").waitFor();
    const assistant = page.getByRole("complementary", { name: "Assistant" });
    const panel = assistant.getByRole("region", { name: "Assistant" });
    // With a model configured the column opens by itself.
    await panel.getByRole("list", { name: "Suggested questions" }).waitFor();
    await panel.locator('[role="log"]:not([aria-busy="true"])').waitFor({ state: "attached" });
    const input = panel.getByLabel("Ask the assistant");
    await input.fill("Which dashboards can I see?");
    await input.press("Enter");
    const log = panel.getByRole("log", { name: "Conversation" });
    await log.getByText(`You can see: ${SHARED.title}.`).waitFor();
    await expect(log.innerText()).resolves.not.toContain(PRIVATE.title);

    const asked = model.requests.find((r) => r.lastUserText === "Which dashboards can I see?")!;
    expect(asked.system).toContain(SHARED.slug);
    expect(asked.toolNames).toEqual(expect.arrayContaining(["search_dashboards", "get_dashboard"]));
    expect(asked.toolNames).not.toContain("create_dashboard");
    // Keyboard: the fold button is reachable and says what it does.
    await expect(assistant.getByRole("button", { name: "Hide assistant" }).getAttribute("aria-expanded")).resolves.toBe("true");
    expect(guest.unexpectedProblems()).toEqual([]);
  });
});
