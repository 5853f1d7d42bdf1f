/**
 * Isolation at the MCP surface: every tool × { read token, write token, viewer's token,
 * editor's token, another org's token }, through the SDK client.
 *
 * - A tool is listed exactly when the token's scope and its person's role allow it; a tool
 *   that is not listed answers "not found" when called, like one that does not exist.
 * - A listed tool, called with valid arguments on the token's own org, is never refused
 *   (no FORBIDDEN, no NOT_FOUND): what is listed works.
 * - Another org's token never reaches org A: any tool called with org A's ids answers
 *   NOT_FOUND (or is not listed), and tools that need no org show nothing of org A.
 *
 * New tools are covered automatically (the walk is over the router's tools); give them
 * sample arguments in `SAMPLES` so their calls are meaningful.
 */
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Kernel } from "~/kernel/kernel";
import type { Role } from "~/kernel/db/schema";
import { toolsOf, type ToolDescriptor } from "~/kernel/tools";
import { asUser, createOrg, createUser, testRouter, unique } from "../../tests/setup/fixtures";
import { bootDataKernel, createExternalDatabase } from "../data/test-helpers";
import { matrixRemote } from "../../tests/isolation/rows/git-sync";
import { hasProcedure } from "./context";
import { createToken, mcpHarness, type McpHarness } from "./test-helpers";

const YAML = `title: Isolation check
queries:
  numbers:
    sql: select 'a' as label, 1 as value
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

interface World {
  kernel: Kernel;
  orgA: { id: string; slug: string };
  orgB: { id: string; slug: string };
  projectA: { id: string; slug: string };
  owner: { id: string };
  sourceId: string;
  sourceConfig: Record<string, unknown>;
}

type Sample = (world: World) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** A fresh dashboard in project A (so mutating calls never trip over an earlier cell's change). */
async function freshDashboard(world: World): Promise<{ slug: string; version: number }> {
  const caller = asUser(world.kernel, world.owner.id) as unknown as {
    dashboards: { create: (input: unknown) => Promise<{ slug: string; version: number }> };
  };
  return caller.dashboards.create({ orgId: world.orgA.id, projectId: world.projectA.id, yaml: YAML, slug: unique("iso") });
}

/** A setup run of `task` in org A, written directly (an active one replaces the task's previous active run). */
async function freshRun(world: World, task: string, status: "queued" | "failed"): Promise<string> {
  const db = world.kernel.ownerDb.withTables<{ onboarding_task_runs: { id?: string; org_id: string; task: string; status: string; params: string; requested_by: string } }>();
  await db.deleteFrom("onboarding_task_runs").where("org_id", "=", world.orgA.id).where("task", "=", task).where("status", "in", ["queued", "running"]).execute();
  const row = await db.insertInto("onboarding_task_runs").values({ org_id: world.orgA.id, task, status, params: "{}", requested_by: world.owner.id }).returning("id").executeTakeFirstOrThrow();
  return row.id!;
}

/** Valid arguments per tool, aimed at org A's own things. */
const SAMPLES: Record<string, Sample> = {
  whoami: () => ({}),
  list_orgs: () => ({}),
  list_projects: () => ({}),
  list_notes: () => ({}),
  list_data_sources: () => ({}),
  list_synced_datasets: () => ({}),
  list_sync_sources: () => ({}),
  describe_tables: () => ({}),
  run_query: () => ({ sql: "select 1 as one" }),
  test_data_source: (w) => ({ sourceId: w.sourceId }),
  create_data_source: (w) => ({ name: unique("src"), type: "postgres", config: w.sourceConfig }),
  update_data_source: (w) => ({ sourceId: w.sourceId, name: unique("renamed") }),
  delete_data_source: (w) => ({ sourceId: w.sourceId }),
  import_csv: () => ({ table: "iso_rows", csv: "id,label\n1,a\n" }),
  list_dashboards: (w) => ({ projectId: w.projectA.id }),
  search_dashboards: () => ({ query: "Isolation" }),
  get_dashboard: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug }),
  validate_dashboard: (w) => ({ projectId: w.projectA.id, yaml: YAML }),
  create_dashboard: (w) => ({ projectId: w.projectA.id, yaml: YAML, slug: unique("new") }),
  update_dashboard: async (w) => {
    const d = await freshDashboard(w);
    return { projectId: w.projectA.id, slug: d.slug, version: d.version, yaml: YAML.replace("Isolation check", "Isolation, changed") };
  },
  delete_dashboard: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug }),
  render_chart: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug, chartId: "numbers" }),
  list_board_sources: (w) => ({ projectId: w.projectA.id }),
  map_board_source: (w) => ({ projectId: w.projectA.id, name: "analytics", sourceId: "warehouse" }),
  unmap_board_source: (w) => ({ projectId: w.projectA.id, name: "analytics" }),
  list_notifications: () => ({}),
  get_activity: (w) => ({ projectId: w.projectA.id }),
  list_comments: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug }),
  add_comment: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug, chartId: "numbers", body: "From the isolation walk" }),
  resolve_comment: async (w) => {
    const { slug } = await freshDashboard(w);
    const caller = asUser(w.kernel, w.owner.id) as unknown as { collaboration: { comments: { add: (input: unknown) => Promise<{ threadId: string }> } } };
    const { threadId } = await caller.collaboration.comments.add({ orgId: w.orgA.id, projectId: w.projectA.id, slug, body: "Resolve me" });
    return { projectId: w.projectA.id, slug, threadId };
  },
  list_shares: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug }),
  share_dashboard: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug, email: `${unique("guest")}@example.test`, role: "view" }),
  revoke_share: async (w) => {
    const { slug } = await freshDashboard(w);
    const caller = asUser(w.kernel, w.owner.id) as unknown as { sharing: { share: (input: unknown) => Promise<{ grantId: string }> } };
    const { grantId } = await caller.sharing.share({ orgId: w.orgA.id, projectId: w.projectA.id, slug, email: `${unique("guest")}@example.test`, role: "view" });
    return { projectId: w.projectA.id, grantId };
  },
  list_shared_with_me: () => ({}),
  create_public_link: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug, expiresInDays: 7 }),
  list_public_links: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug }),
  revoke_public_link: async (w) => {
    const { slug } = await freshDashboard(w);
    const caller = asUser(w.kernel, w.owner.id) as unknown as { sharing: { links: { create: (input: unknown) => Promise<{ linkId: string }> } } };
    const { linkId } = await caller.sharing.links.create({ orgId: w.orgA.id, projectId: w.projectA.id, slug });
    return { projectId: w.projectA.id, linkId };
  },
  invite_viewer: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug, email: `${unique("viewer")}@example.test` }),
  list_view_invitations: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug }),
  revoke_view_invitation: async (w) => {
    const { slug } = await freshDashboard(w);
    const caller = asUser(w.kernel, w.owner.id) as unknown as { sharing: { invites: { create: (input: unknown) => Promise<{ inviteId: string }> } } };
    const { inviteId } = await caller.sharing.invites.create({ orgId: w.orgA.id, projectId: w.projectA.id, slug, email: `${unique("viewer")}@example.test` });
    return { projectId: w.projectA.id, inviteId };
  },
  create_embed_token: async (w) => {
    const { slug } = await freshDashboard(w);
    const caller = asUser(w.kernel, w.owner.id) as unknown as { sharing: { embeds: { rotate: (input: unknown) => Promise<unknown> } } };
    await caller.sharing.embeds.rotate({ orgId: w.orgA.id, projectId: w.projectA.id });
    return { projectId: w.projectA.id, slug, expiresInMinutes: 5 };
  },
  get_setup_status: () => ({}),
  list_setup_tasks: () => ({}),
  start_setup_task: () => ({ task: "schema.introspect", params: { sourceId: "warehouse" }, idempotent: true }),
  get_task_run: async (w) => ({ runId: await freshRun(w, "sample.load", "failed") }),
  cancel_setup_task: async (w) => ({ runId: await freshRun(w, "dashboard.run", "queued") }),
  run_dashboard: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug }),
  dashboard_history: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug }),
  get_dashboard_version: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug, version: 1 }),
  duplicate_dashboard: async (w) => ({ projectId: w.projectA.id, slug: (await freshDashboard(w)).slug }),
  restore_dashboard: async (w) => {
    const d = await freshDashboard(w);
    await owner(w).dashboards.delete({ orgId: w.orgA.id, projectId: w.projectA.id, slug: d.slug });
    return { projectId: w.projectA.id, slug: d.slug };
  },
  restore_dashboard_version: async (w) => {
    const d = await freshDashboard(w);
    await owner(w).dashboards.update({ orgId: w.orgA.id, projectId: w.projectA.id, slug: d.slug, version: 1, yaml: YAML.replace("Isolation check", "Isolation, v2") });
    return { projectId: w.projectA.id, slug: d.slug, version: 1, currentVersion: 2 };
  },
  create_project: () => ({ slug: unique("proj").toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 40), name: "Made by an agent" }),
  update_project: async (w) => ({ projectId: (await freshProject(w)).id, name: "Renamed by an agent" }),
  archive_project: async (w) => ({ projectId: (await freshProject(w)).id, archived: true }),
  list_project_roles: (w) => ({ projectId: w.projectA.id }),
  list_members: () => ({}),
  list_invitations: () => ({}),
  invite_member: () => ({ email: `${unique("invitee")}@example.test`, role: "viewer" }),
  revoke_invitation: async (w) => ({
    invitationId: (await owner(w).orgs.invitations.create({ orgId: w.orgA.id, email: `${unique("invitee")}@example.test`, role: "viewer" })).id,
  }),
  list_audit_events: () => ({}),
  connect_repository: async (w) => ({ projectId: (await freshProject(w)).id, remoteUrl: matrixRemote() }),
  get_git_status: (w) => ({ projectId: w.projectA.id }),
  sync_branch: async (w) => ({ projectId: await connectedProject(w) }),
  list_branches: async (w) => ({ projectId: await connectedProject(w) }),
  get_dashboard_at_branch: async (w) => ({ projectId: await connectedProject(w), slug: "matrix" }),
  run_dashboard_at_branch: async (w) => ({ projectId: await connectedProject(w), slug: "matrix" }),
  commit_changes: async (w) => ({ projectId: await connectedProject(w), message: "Committed by an agent" }),
  promote_branch: async (w) => ({ projectId: await connectedProject(w), branch: "atrium/not-a-branch" }),
  list_conflicts: async (w) => ({ projectId: await connectedProject(w) }),
  resolve_conflict: async (w) => ({ projectId: await connectedProject(w), path: "dashboards/matrix.yaml", take: "theirs" }),
};

/** The owner of org A, calling procedures directly (to set up what a tool acts on). */
function owner(w: World) {
  return asUser(w.kernel, w.owner.id);
}

/** A fresh project in org A (so renaming or archiving never disturbs project A). */
function freshProject(w: World) {
  return owner(w).projects.create({ orgId: w.orgA.id, slug: unique("p").toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 40), name: "Fresh" });
}

/** A fresh project in org A connected to the matrix repository (so each sync has its own). */
async function connectedProject(w: World): Promise<string> {
  const project = await freshProject(w);
  await w.kernel.ownerDb
    .withTables<{ git_sync_repositories: { org_id: string; project_id: string; remote_url: string; trunk: string } }>()
    .insertInto("git_sync_repositories")
    .values({ org_id: w.orgA.id, project_id: project.id, remote_url: matrixRemote(), trunk: "main" })
    .execute();
  return project.id;
}

/** Listed, but too slow to call in every cell (its authorization is covered by the other-org and listing checks). */
const NOT_CALLED = new Set(["load_sample_data"]);

const TOKENS = ["read", "viewer", "editor", "otherOrg", "write"] as const;
type TokenName = (typeof TOKENS)[number];
const ROLE: Record<TokenName, Role> = { read: "owner", viewer: "viewer", editor: "editor", otherOrg: "owner", write: "owner" };

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let world: World;
let mcp: McpHarness;
let external: Awaited<ReturnType<typeof createExternalDatabase>>;
const clients = {} as Record<TokenName, Client>;
const tools: ToolDescriptor[] = toolsOf(testRouter);

beforeAll(async () => {
  k = await bootDataKernel();
  const kernel = k.kernel;
  mcp = mcpHarness(kernel);
  const owner = await createUser(kernel, "Owner");
  const viewer = await createUser(kernel, "Viewer");
  const editor = await createUser(kernel, "Editor");
  const outsider = await createUser(kernel, "Outsider");
  const orgA = await createOrg(kernel, [
    { userId: owner.id, role: "owner" },
    { userId: viewer.id, role: "viewer" },
    { userId: editor.id, role: "editor" },
  ]);
  const orgB = await createOrg(kernel, [{ userId: outsider.id, role: "owner" }]);
  const ownerCaller = asUser(kernel, owner.id);
  const projectA = await ownerCaller.projects.create({ orgId: orgA.id, slug: "alpha", name: "Alpha" });
  await asUser(kernel, outsider.id).projects.create({ orgId: orgB.id, slug: "alpha", name: "Outsider's alpha" });
  external = await createExternalDatabase();
  const source = await ownerCaller.data.sources.create({ orgId: orgA.id, name: "external", type: "postgres", config: external.config });
  world = { kernel, orgA, orgB, projectA: { id: projectA.id, slug: projectA.slug }, owner, sourceId: source.id, sourceConfig: external.config as unknown as Record<string, unknown> };
  const tokens: Record<TokenName, string> = {
    read: (await createToken(kernel, owner.id, orgA.id, ["read"])).token,
    viewer: (await createToken(kernel, viewer.id, orgA.id, ["read", "write"])).token,
    editor: (await createToken(kernel, editor.id, orgA.id, ["read", "write"])).token,
    otherOrg: (await createToken(kernel, outsider.id, orgB.id, ["read", "write"])).token,
    write: (await createToken(kernel, owner.id, orgA.id, ["read", "write"])).token,
  };
  for (const name of TOKENS) clients[name] = await mcp.connect(tokens[name], { headers: { "x-mcp-client": `isolation ${name}` } });
}, 120_000);

afterAll(async () => {
  for (const client of Object.values(clients)) await client?.close().catch(() => {});
  await k?.close();
  await external?.drop();
});

function expectedListed(tool: ToolDescriptor, token: TokenName): boolean {
  if (token === "read" && !(tool.readOnly && tool.type === "query")) return false;
  return tool.capability === null || world.kernel.capabilities.allows(ROLE[token], tool.capability);
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  try {
    const result = await client.callTool({ name, arguments: args });
    const structured = result.structuredContent as { error?: { code: string } } | undefined;
    return { kind: "result" as const, isError: result.isError === true, code: result.isError ? (structured?.error?.code ?? "?") : null, json: JSON.stringify(result.structuredContent) };
  } catch (err) {
    if (err instanceof McpError) return { kind: "protocol" as const, message: err.message };
    throw err;
  }
}

test("the walk covers the tools the issue names, when their plugins are installed", () => {
  const names = tools.map((t) => t.name);
  for (const name of ["whoami", "list_orgs", "list_projects", "list_data_sources", "describe_tables", "run_query"]) expect(names).toContain(name);
  if (hasProcedure(testRouter, "dashboards.get")) {
    for (const name of ["list_dashboards", "search_dashboards", "get_dashboard", "validate_dashboard", "create_dashboard", "update_dashboard", "delete_dashboard", "render_chart"]) {
      expect(names).toContain(name);
    }
  }
  // Every tool has sample arguments, so no cell passes by calling with nothing.
  expect(tools.filter((t) => !SAMPLES[t.name] && !NOT_CALLED.has(t.name)).map((t) => t.name)).toEqual([]);
});

describe.each(TOKENS)("%s token", (token) => {
  test("lists exactly what its scope and role allow", async () => {
    const listed = (await clients[token].listTools()).tools.map((t) => t.name).sort();
    const expected = tools.filter((t) => expectedListed(t, token)).map((t) => t.name).sort();
    expect(listed).toEqual(expected);
  });

  test.each(tools.map((t) => [t.name, t] as const))("%s", async (_name, tool) => {
    const client = clients[token];
    const listed = expectedListed(tool, token);
    const sample = SAMPLES[tool.name] ?? (() => ({}));

    if (token === "otherOrg") {
      // Aimed at org A with the outsider's token: never reached.
      const args: Record<string, unknown> = { ...(await sample(world)), orgId: world.orgA.id };
      if ("projectId" in tool.inputSchema.properties) args.projectId = world.projectA.id;
      const outcome = await call(client, tool.name, args);
      if (tool.capability === null) {
        // Needs no org: it answers about the outsider only.
        expect(outcome.kind === "result" && outcome.json.includes(world.orgA.id), `${tool.name} showed org A`).toBe(false);
      } else if (!listed) {
        expect(outcome).toMatchObject({ kind: "protocol", message: expect.stringMatching(/not found/) });
      } else {
        expect(outcome, tool.name).toMatchObject({ kind: "result", isError: true, code: "NOT_FOUND" });
      }
      return;
    }

    if (!listed) {
      const outcome = await call(client, tool.name, await sample(world));
      expect(outcome, tool.name).toMatchObject({ kind: "protocol", message: `MCP error -32602: Tool "${tool.name}" not found.` });
      return;
    }
    if (NOT_CALLED.has(tool.name)) return;
    const outcome = await call(client, tool.name, await sample(world));
    expect(outcome.kind, tool.name).toBe("result");
    if (outcome.kind === "result" && outcome.isError) {
      // Listed and aimed at its own org's things: never refused, never hidden.
      expect(["FORBIDDEN", "NOT_FOUND", "UNAUTHORIZED", "INTERNAL_SERVER_ERROR"], `${tool.name}: ${outcome.json}`).not.toContain(outcome.code);
    }
  });
});
