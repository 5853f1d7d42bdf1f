/**
 * The assistant in a real browser, against the built server whose AI_BASE_URL points at a
 * scripted OpenAI-compatible server (plugins/assistant/test-openai-server.ts), so the real
 * provider code streams real SSE. A person signs up, creates an organization and a project,
 * and on the org home clicks a suggested question: the answer streams in after a tool call
 * shown with its result. In the chart builder the assistant draws the chart (a preview), then
 * proposes a change into the SQL editor: they accept the diff, the editor holds it and the
 * assistant hears so.
 * Asked to delete the dashboard, the assistant waits for Confirm; nothing is deleted before.
 * A long answer stops midway on Stop. The conversation is kept and can be renamed from the list.
 * Without AI_* variables, the panel says how to configure a model and the org home still works.
 */
import type { Page } from "playwright-core";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestOpenAiServer, type ScriptedReply, type ScriptedRequest, type TestOpenAiServer } from "../../plugins/assistant/test-openai-server";
import { generateSessionToken, SESSION_COOKIE, sessionIdOf } from "~/kernel/auth/session";
import { createOrganization, createProject, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let model: TestOpenAiServer;
let harness: Harness;
let base: string;
let db: pg.Client;
let owner: RecordedPage;

const OWNER = { name: "Ada Assist", email: "ada@assist.test", password: "questions and answers" };
const ORG = { name: "Ask Works", slug: "ask-works" };
const PROJECT = { name: "Metrics", slug: "metrics" };
const DASHBOARD = { title: "Assistant demo", slug: "assistant-demo" };

const DASHBOARD_YAML = `title: ${DASHBOARD.title}
queries:
  numbers:
    sql: select 1 as x, 2 as y
charts:
  - id: numbers
    title: Numbers
    type: bar
    query: numbers
    x: x
    y: y
layout:
  rows:
    - [{ chart: numbers, width: 12 }]
`;

const LONG_ANSWER = (names: string[]) =>
  `You have ${names.length} data source${names.length === 1 ? "" : "s"}: ${names.join(", ")}. ` +
  "It is the warehouse that belongs to this organization, and you can load the sample data or upload CSV files into it from the data page of any project, then build dashboards on top of it.";

/** The editor text the system prompt carries (what the person has open). */
function editorText(req: ScriptedRequest): string {
  const match = /holds \(unsaved edits included\):\n(`{3,})sql\n([\s\S]*?)\n\1/.exec(req.system);
  return match?.[2] ?? "";
}

/** The "model": decides by the question and by the last tool result, like a real one would. */
function script(req: ScriptedRequest): ScriptedReply {
  const result = req.lastToolResult;
  if (result) {
    const content = result.content as { result?: unknown; accepted?: boolean };
    switch (result.name) {
      case "list_data_sources": {
        const names = ((content.result as Array<{ name: string }>) ?? []).map((s) => s.name);
        return { text: LONG_ANSWER(names), chunkDelayMs: 40 };
      }
      case "write_to_editor":
        return { text: content.accepted ? "Done: the query now stops at 10 rows. Run it to see." : "Fine, I left the query as it was." };
      case "render_chart":
        return { text: "Here is the chart as it stands." };
      case "delete_dashboard":
        return { text: "Deleted. You can restore it from the Deleted list." };
      default:
        return { text: `I called ${result.name}.` };
    }
  }
  const question = req.lastUserText.toLowerCase();
  if (question.includes("what data")) return { text: "Let me look. ", toolCalls: [{ name: "list_data_sources", arguments: {} }] };
  if (question.includes("limit")) {
    const sql = editorText(req).trim();
    return { toolCalls: [{ name: "write_to_editor", arguments: { content: `${sql}\nlimit 10`, note: "Stop at 10 rows" } }] };
  }
  if (question.includes("draw")) return { toolCalls: [{ name: "render_chart", arguments: { slug: DASHBOARD.slug, chartId: "numbers" } }] };
  if (question.includes("long story")) {
    const words = Array.from({ length: 150 }, (_, i) => `word${i}`).join(" ");
    return { text: `Once upon a time ${words}. The end.`, chunkDelayMs: 60 };
  }
  if (question.includes("delete")) return { toolCalls: [{ name: "delete_dashboard", arguments: { slug: DASHBOARD.slug } }] };
  return { text: "I am not sure what you mean." };
}

beforeAll(async () => {
  model = await startTestOpenAiServer(script);
  harness = await startHarness({ env: { AI_BASE_URL: model.baseUrl, AI_MODEL: "test-model", AI_API_KEY: "sk-e2e-test-key-0000000000" } });
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner]);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
  await model?.close();
});

const panel = (page: Page) => page.getByRole("region", { name: /^(Assistant|Ask about your dashboards and data)$/ }).last();

/**
 * Asks as a person would: once the previous answer has finished (the panel ignores a question
 * while one streams, and an answer's last words can show before its stream closes).
 */
async function ask(page: Page, question: string) {
  const assistant = panel(page);
  await assistant.locator('[role="log"]:not([aria-busy="true"])').waitFor({ state: "attached" });
  const input = assistant.getByLabel("Ask the assistant");
  await input.fill(question);
  await input.press("Enter");
}

describe("the assistant", () => {
  it("starts the org home with the chat: a suggested question streams an answer after a tool call", async () => {
    owner = await harness.open();
    const { page } = owner;
    await signUpConfirmed(page, base, db, OWNER);
    await createOrganization(page, base, ORG);

    // The chat comes first, then recent dashboards (none yet), the latest activity, then projects.
    const chat = page.getByRole("region", { name: "Ask about your dashboards and data" });
    await chat.waitFor();
    await page.getByRole("heading", { name: "Recent dashboards" }).waitFor();
    // The setup checklist loads on its own (the org's status): wait for it before reading the order.
    await page.getByRole("heading", { name: `Set up ${ORG.name}` }).waitFor();
    await page.getByRole("heading", { name: "Latest activity" }).waitFor();
    const order = await page.locator("main h2:visible").allTextContents();
    // A new org's setup checklist sits between the assistant and the lists until setup is done.
    expect(order.slice(0, 5)).toEqual(["Ask about your dashboards and data", "Set up Ask Works", "Recent dashboards", "Latest activity", "Projects"]);

    await chat.getByRole("list", { name: "Suggested questions" }).getByRole("button", { name: "What data do we have?" }).click();
    // The tool call shows as it happens, with its result as a table.
    const call = chat.locator('[data-tool="list_data_sources"][data-state="output-available"]');
    await call.waitFor();
    await expect(call.getByRole("table").innerText()).resolves.toContain("Warehouse");
    // The answer streams: part of it is on screen before the whole of it.
    const log = chat.getByRole("log", { name: "Conversation" });
    await log.getByText(/You have 1 data source/).waitFor();
    const partial = await log.innerText();
    expect(partial).not.toContain("build dashboards on top of it.");
    await log.getByText("build dashboards on top of it.", { exact: false }).waitFor();
    await expect(log.innerText()).resolves.toContain(LONG_ANSWER(["Warehouse"]));

    // The model got the tools as the person has them, the key, and no secret in the prompt.
    const first = model.requests.find((r) => r.lastUserText === "What data do we have?")!;
    expect(first.headers.authorization).toBe("Bearer sk-e2e-test-key-0000000000");
    expect(first.toolNames).toContain("list_data_sources");
    expect(first.toolNames).not.toContain("write_to_editor");
    expect(JSON.stringify(first.body.messages)).not.toContain("sk-e2e-test-key");
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("in the chart builder, proposes a SQL change as a diff; accepting it changes the editor", async () => {
    const { page } = owner;
    await createProject(page, base, ORG.slug, PROJECT);

    const { rows } = await db.query<{ org_id: string; id: string }>("select p.org_id, p.id from projects p join orgs o on o.id = p.org_id where o.slug = $1 and p.slug = $2", [ORG.slug, PROJECT.slug]);
    const created = await page.evaluate(
      async (input) => {
        const response = await fetch("/api/trpc/dashboards.create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) });
        return response.status;
      },
      { orgId: rows[0]!.org_id, projectId: rows[0]!.id, yaml: DASHBOARD_YAML, slug: DASHBOARD.slug },
    );
    expect(created).toBe(200);

    await page.goto(`/o/${ORG.slug}/p/${PROJECT.slug}/d/${DASHBOARD.slug}/charts/numbers`);
    await waitForHydration(page);
    const editor = page.getByRole("textbox", { name: "Chart SQL" });
    await expect.poll(() => editor.innerText()).toContain("select 1 as x, 2 as y");

    const assistant = panel(page);
    await assistant.getByRole("heading", { name: "Assistant" }).waitFor();
    // A chart preview comes back from the server's renderer and shows in the conversation.
    await ask(page, "Draw the numbers chart");
    await assistant.getByRole("img", { name: "Chart preview: Numbers" }).waitFor();
    await assistant.getByText("Here is the chart as it stands.").waitFor();
    const rendered = model.requests.find((r) => r.lastToolResult?.name === "render_chart")!;
    expect(rendered.lastToolResult!.raw).toContain("[SVG image,");
    expect(rendered.lastToolResult!.raw).not.toContain("<svg");

    await ask(page, "Limit it to 10 rows please");

    // The proposal shows in the panel and, as a diff, beside the editor.
    await assistant.getByText("Proposed a change: review it in the editor, then Accept or Reject.").waitFor();
    const proposal = page.getByRole("region", { name: "Proposed change" });
    await proposal.waitFor();
    await proposal.getByText("Stop at 10 rows").waitFor();
    await proposal.getByRole("button", { name: "Accept" }).click();
    await expect.poll(() => editor.innerText()).toContain("limit 10");

    // The decision went back to the model, which answers.
    await assistant.getByText("Done: the query now stops at 10 rows. Run it to see.").waitFor();
    await assistant.getByText("You accepted the proposed change.").waitFor();
    const asked = model.requests.find((r) => r.lastUserText === "Limit it to 10 rows please" && !r.lastToolResult)!;
    expect(asked.toolNames).toContain("write_to_editor");
    expect(editorText(asked)).toBe("select 1 as x, 2 as y");
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("waits for the person to confirm a destructive tool before it runs", async () => {
    const { page } = owner;
    const assistant = panel(page);
    await ask(page, "Please delete this dashboard");

    const confirm = assistant.getByRole("group", { name: "Confirm: Delete a dashboard" });
    await confirm.waitFor();
    // Nothing ran: the dashboard is still there, and the model was asked once for this turn.
    const live = async () => (await db.query("select deleted_at from dashboards_dashboards where slug = $1", [DASHBOARD.slug])).rows[0]?.deleted_at as Date | null;
    await new Promise((r) => setTimeout(r, 500));
    expect(await live()).toBeNull();
    expect(model.requests.filter((r) => r.lastUserText === "Please delete this dashboard")).toHaveLength(1);

    await confirm.getByRole("button", { name: "Confirm" }).click();
    await assistant.getByText("Deleted. You can restore it from the Deleted list.").waitFor();
    expect(await live()).not.toBeNull();
    // Audited as the assistant acting for the person.
    const audit = await db.query<{ actor_kind: string; actor_label: string }>(
      "select actor_kind, actor_label from audit_events where action = 'dashboards.delete' or (action = 'assistant.tool.call' and data->>'tool' = 'delete_dashboard') order by created_at",
    );
    expect(audit.rows.length).toBeGreaterThanOrEqual(2);
    expect(audit.rows.every((r) => r.actor_kind === "agent" && r.actor_label === "assistant")).toBe(true);
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("stops a long answer midway and keeps what arrived", async () => {
    const { page } = owner;
    const assistant = panel(page);
    await ask(page, "Tell me a long story");
    const answer = assistant.locator('[data-role="assistant"]').last();
    await answer.getByText(/^Once upon a time/).waitFor();
    await assistant.getByRole("button", { name: "Stop" }).click();
    await assistant.getByRole("button", { name: "Send" }).waitFor();
    const kept = await answer.innerText();
    await new Promise((r) => setTimeout(r, 600));
    await expect(answer.innerText()).resolves.toBe(kept);
    expect(kept).not.toContain("The end.");
    // Stopping reached the model server too: the app closed its stream rather than reading on.
    const story = model.requests.find((r) => r.lastUserText === "Tell me a long story")!;
    await expect.poll(() => story.outcome, { timeout: 5_000 }).toBe("closed");
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("keeps the conversation: listed, renamed, reopened", async () => {
    const { page } = owner;
    const assistant = panel(page);
    await assistant.getByRole("button", { name: "Conversations" }).click();
    const list = assistant.getByRole("list", { name: "Conversations" });
    await list.getByRole("button", { name: "Draw the numbers chart", exact: true }).waitFor();
    await list.getByRole("button", { name: "Rename “Draw the numbers chart”" }).click();
    const dialog = page.getByRole("dialog", { name: "Rename conversation" });
    await dialog.getByLabel("Name").fill("Ten rows");
    await dialog.getByRole("button", { name: "Rename" }).click();
    await list.getByRole("button", { name: "Ten rows", exact: true }).waitFor();

    await assistant.getByRole("button", { name: "New" }).click();
    await assistant.getByRole("list", { name: "Suggested questions" }).waitFor();
    await expect(assistant.locator("[data-role]").count()).resolves.toBe(0);
    await assistant.getByRole("button", { name: "Conversations" }).click();
    await list.getByRole("button", { name: "Ten rows", exact: true }).click();
    await assistant.getByText("Done: the query now stops at 10 rows. Run it to see.").waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("folds its column on request, and the choice holds on the next page", async () => {
    const { page } = owner;
    await page.getByRole("button", { name: "Hide assistant" }).click();
    await panel(page).waitFor({ state: "hidden" });
    await expect(page.getByRole("button", { name: "Show assistant" }).getAttribute("aria-expanded")).resolves.toBe("false");

    await page.goto(`/o/${ORG.slug}/p/${PROJECT.slug}/d/${DASHBOARD.slug}`);
    await waitForHydration(page);
    // Once the panel knows a model is configured (its Conversations button), it stays folded.
    await page.locator("#dash-assistant-panel button", { hasText: "Conversations" }).waitFor({ state: "attached" });
    const show = page.getByRole("button", { name: "Show assistant" });
    await expect(show.getAttribute("aria-expanded")).resolves.toBe("false");
    await expect(panel(page).count()).resolves.toBe(0);
    await show.click();
    await panel(page).getByRole("heading", { name: "Assistant" }).waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  });
});

describe("without a model configured", () => {
  let plain: Harness;
  beforeAll(async () => {
    plain = await startHarness();
  });
  afterAll(async () => plain?.close());

  it("the panel says how to configure one, and the rest of the org home works", async () => {
    const client = new pg.Client({ connectionString: plain.server.databaseUrl });
    await client.connect();
    const token = generateSessionToken();
    try {
      const user = await client.query<{ id: string }>("insert into users (email, name, email_verified_at) values ('nomodel@assist.test', 'No Model', now()) returning id");
      const org = await client.query<{ id: string }>("insert into orgs (slug, name) values ('no-model', 'No Model Inc') returning id");
      await client.query("insert into memberships (org_id, user_id, role) values ($1, $2, 'owner')", [org.rows[0]!.id, user.rows[0]!.id]);
      await client.query("insert into sessions (id, user_id, expires_at) values ($1, $2, now() + interval '1 day')", [sessionIdOf(token), user.rows[0]!.id]);
    } finally {
      await client.end();
    }
    const recorded = await plain.open();
    await recorded.context.addCookies([{ name: SESSION_COOKIE, value: token, url: plain.server.url }]);
    const { page } = recorded;
    await page.goto("/o/no-model");
    await waitForHydration(page);
    const chat = page.getByRole("region", { name: "Ask about your dashboards and data" });
    await chat.getByText("The assistant is not set up yet").waitFor();
    await expect(chat.innerText()).resolves.toContain("AI_BASE_URL");
    await expect(chat.getByLabel("Ask the assistant").count()).resolves.toBe(0);
    // Nothing else breaks: recent dashboards and projects are there, and a project can be made.
    await page.getByRole("heading", { name: "Recent dashboards" }).waitFor();
    await page.getByRole("button", { name: "New project" }).click();
    const dialog = page.getByRole("dialog", { name: "New project" });
    await dialog.getByLabel("Project name").fill("Plain");
    await dialog.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(`${plain.server.url}/o/no-model/p/plain`);
    expect(recorded.unexpectedProblems()).toEqual([]);
  });
});
