/**
 * Shares reach the org-wide surfaces, on real PostgreSQL: someone whose only access in an org is
 * a shared dashboard finds it (and nothing else) in search and recent, through an MCP client
 * (tools, resources) with a token they made, and through the assistant's tools; revoking the
 * share takes it away from all of them at once. A member's lists gain the dashboards shared with
 * them, once each.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { asUser, createUser, testRouter } from "../../tests/setup/fixtures";
import { bootDataKernel } from "../data/test-helpers";
import { colleague, createProject, rejectionOf, simpleYaml, workspace } from "../dashboards/test-helpers";
import { mcpHarness } from "../agent/test-helpers";
import type { AssistantConfig } from "../assistant/config";
import { chatFetch, lastToolResult, scriptedModel, TEST_LIMITS, type Person } from "../assistant/test-helpers";
import { AssistantChat } from "../assistant/ui/chat-client";
import { createSession, generateSessionToken, SESSION_COOKIE } from "~/kernel/auth/session";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
});
afterAll(async () => k?.close());

async function verifiedGuest() {
  const user = await createUser(k.kernel, "Guest");
  await k.kernel.ownerDb.updateTable("users").set({ email_verified_at: new Date() }).where("id", "=", user.id).execute();
  return { ...user, caller: asUser(k.kernel, user.id) };
}

/** An org with two projects: "shared" and "private" in the first, "elsewhere" in the second; one guest holding a view share of "shared". */
async function sharedWorld() {
  const w = await workspace(k.kernel);
  const other = await createProject(k.kernel, w.org.id);
  await w.caller.dashboards.create({ ...w.at, yaml: simpleYaml("Shared revenue"), slug: "shared" });
  await w.caller.dashboards.create({ ...w.at, yaml: simpleYaml("Private revenue"), slug: "private" });
  await w.caller.dashboards.create({ orgId: w.org.id, projectId: other.id, yaml: simpleYaml("Elsewhere revenue"), slug: "elsewhere" });
  const guest = await verifiedGuest();
  const share = await w.caller.sharing.share({ ...w.at, slug: "shared", email: guest.email, role: "view" });
  const grantId = (await w.caller.sharing.access({ ...w.at, slug: "shared" })).entries.find((e) => e.kind === "grant")!.grantId!;
  expect(share.created).toBe(true);
  return { w, other, guest, grantId };
}

const slugs = (items: Array<{ slug: string }>) => items.map((i) => i.slug).sort();

describe("someone whose only access in the org is a shared dashboard", () => {
  test("finds that dashboard alone in search and recent; revoking the share makes both 404 again", async () => {
    const { w, other, guest, grantId } = await sharedWorld();
    const orgId = w.org.id;

    const found = await guest.caller.dashboards.search({ orgId, query: "revenue" });
    expect(found.items).toEqual([expect.objectContaining({ slug: "shared", title: "Shared revenue", projectId: w.project.id })]);
    expect(slugs((await guest.caller.dashboards.recent({ orgId, limit: 50 })).items)).toEqual(["shared"]);
    // Staying in another project finds nothing there; the org's other pages stay 404.
    expect((await guest.caller.dashboards.search({ orgId, query: "revenue", projectId: other.id })).items).toEqual([]);
    for (const call of [() => guest.caller.projects.list({ orgId }), () => guest.caller.dashboards.list(w.at), () => guest.caller.orgs.members.list({ orgId })]) {
      expect(await rejectionOf(call())).toMatchObject({ code: "NOT_FOUND" });
    }

    await w.caller.sharing.revoke({ ...w.at, grantId });
    for (const call of [() => guest.caller.dashboards.search({ orgId, query: "revenue" }), () => guest.caller.dashboards.recent({ orgId })]) {
      expect(await rejectionOf(call())).toMatchObject({ code: "NOT_FOUND" });
    }
  });

  test("a whole-project share lists that project's dashboards, not the other project's; a stranger still gets 404", async () => {
    const { w, guest } = await sharedWorld();
    const projectGuest = await verifiedGuest();
    await w.caller.sharing.share({ ...w.at, email: projectGuest.email, role: "view" });
    expect(slugs((await projectGuest.caller.dashboards.search({ orgId: w.org.id, query: "revenue" })).items)).toEqual(["private", "shared"]);
    const stranger = await verifiedGuest();
    expect(await rejectionOf(stranger.caller.dashboards.search({ orgId: w.org.id, query: "revenue" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(slugs((await guest.caller.dashboards.search({ orgId: w.org.id, query: "revenue" })).items)).toEqual(["shared"]);
  });

  test("through MCP, with a token they made: the shared dashboard is the one resource and the one search hit; the rest stays hidden", async () => {
    const { w, guest, grantId } = await sharedWorld();
    const org = await k.kernel.ownerDb.selectFrom("orgs").select(["slug"]).where("id", "=", w.org.id).executeTakeFirstOrThrow();
    const { token, id: tokenId } = await guest.caller.auth.tokens.create({ orgId: w.org.id, name: "my agent", scopes: ["read"] });
    // Their token list names the org, which row-level security hides from a non-member.
    expect((await guest.caller.auth.tokens.list()).map((t) => [t.id, t.orgId, t.orgSlug])).toEqual([[tokenId, w.org.id, org.slug]]);
    const client = await mcpHarness(k.kernel, { router: testRouter }).connect(token);
    try {
      const sharedUri = `atrium://${org.slug}/${w.project.slug}/dashboards/shared`;
      expect((await client.listResources()).resources.map((r) => r.uri)).toEqual([sharedUri]);
      const read = await client.readResource({ uri: sharedUri });
      expect(read.contents[0]).toMatchObject({ uri: sharedUri, text: expect.stringContaining("Shared revenue") });
      await expect(client.readResource({ uri: `atrium://${org.slug}/${w.project.slug}/dashboards/private` })).rejects.toThrow();

      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(["search_dashboards", "get_dashboard", "run_dashboard"]));
      expect(tools).not.toContain("list_projects");
      const search = await client.callTool({ name: "search_dashboards", arguments: { query: "revenue" } });
      expect(search.isError).toBeFalsy();
      expect(slugs((search.structuredContent as { items: Array<{ slug: string }> }).items)).toEqual(["shared"]);

      await w.caller.sharing.revoke({ ...w.at, grantId });
      expect((await client.listResources()).resources).toEqual([]);
      // An org they reach no more drops out of their token list.
      expect(await guest.caller.auth.tokens.list()).toEqual([]);
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain("search_dashboards");
    } finally {
      await client.close();
    }
  });

  test("through the assistant: its search tool finds the shared dashboard and nothing else", async () => {
    const { w, guest } = await sharedWorld();
    const session = generateSessionToken();
    await createSession(k.kernel.db, session, guest.id);
    const person: Person = { id: guest.id, cookie: `${SESSION_COOKIE}=${session}` };
    const config: AssistantConfig = { configured: true, provider: "openai-compatible", baseUrl: "http://127.0.0.1:9/v1", model: "scripted", apiKey: null, limits: TEST_LIMITS };
    let seen: unknown = null;
    const model = scriptedModel((options, call) => {
      if (call === 0) return { toolCalls: [{ name: "search_dashboards", input: { query: "revenue" } }] };
      seen = lastToolResult(options.prompt)?.output.value;
      return { text: "One dashboard is shared with you." };
    });
    const { fetch } = chatFetch(k.kernel, { router: testRouter, config, model }, person);
    const chat = new AssistantChat({ scope: () => ({ orgId: w.org.id, projectId: w.project.id, place: "dashboard.view", dashboardSlug: "shared" }), fetch });
    await chat.sendMessage({ text: "Which revenue dashboards can I see?" });
    expect(chat.status).toBe("ready");
    expect(JSON.stringify(seen)).toContain('"slug":"shared"');
    expect(JSON.stringify(seen)).not.toMatch(/private|elsewhere/);
    const offered = model.doStreamCalls[0]!.tools!.map((t) => t.name);
    expect(offered).toEqual(expect.arrayContaining(["search_dashboards", "get_dashboard"]));
    expect(offered).not.toContain("create_dashboard");
    // Another project of the org is not theirs to talk about.
    const elsewhere = await asUser(k.kernel, guest.id).assistant.threads.list({ orgId: w.org.id, projectId: (await createProject(k.kernel, w.org.id)).id }).then(
      () => "opened",
      (e: { code?: string }) => e.code,
    );
    expect(elsewhere).toBe("NOT_FOUND");
  });
});

test("a member's search and recent list the dashboards shared with them once each, beside their own projects'", async () => {
  const { w, other } = await sharedWorld();
  const viewer = await colleague(k.kernel, w.org.id, "viewer");
  const user = await k.kernel.ownerDb.selectFrom("users").select("email").where("id", "=", viewer.user.id).executeTakeFirstOrThrow();
  await k.kernel.ownerDb.updateTable("users").set({ email_verified_at: new Date() }).where("id", "=", viewer.user.id).execute();
  await w.caller.sharing.share({ ...w.at, slug: "shared", email: user.email, role: "edit" });
  const found = await viewer.caller.dashboards.search({ orgId: w.org.id, query: "revenue" });
  expect(slugs(found.items)).toEqual(["elsewhere", "private", "shared"]);
  expect(found.items.find((i) => i.slug === "elsewhere")!.projectId).toBe(other.id);
  expect(slugs((await viewer.caller.dashboards.recent({ orgId: w.org.id, limit: 50 })).items)).toEqual(["elsewhere", "private", "shared"]);
});
