/**
 * The org's AI agent usage as a dashboard: agents call tools (one fails), the admin opens the
 * usage from settings, and the dashboard's table counts calls per day, tool and client, with
 * errors, from the audit log; another org's calls never show; members without the capability
 * are refused.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Kernel } from "~/kernel/kernel";
import { asUser, createOrg, createUser } from "../../tests/setup/fixtures";
import { createToken, mcpHarness } from "../agent/test-helpers";
import { bootDataKernel } from "../data/test-helpers";
import { USAGE_DASHBOARD_SLUG, USAGE_TABLE } from "./usage";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let kernel: Kernel;
let owner: { id: string };
let viewer: { id: string };
let orgId: string;
let otherOrgId: string;
let projectId: string;

beforeAll(async () => {
  k = await bootDataKernel();
  kernel = k.kernel;
  owner = await createUser(kernel, "Owner");
  viewer = await createUser(kernel, "Viewer");
  orgId = (await createOrg(kernel, [{ userId: owner.id, role: "owner" }, { userId: viewer.id, role: "viewer" }])).id;
  otherOrgId = (await createOrg(kernel, [{ userId: owner.id, role: "owner" }])).id;
  projectId = (await asUser(kernel, owner.id).projects.create({ orgId, slug: "ops", name: "Ops" })).id;
});
afterAll(async () => k?.close());

describe("agent usage", () => {
  test("calls per tool, client and day with errors, as an Atrium dashboard opened from settings", async () => {
    const mcp = mcpHarness(kernel);
    const { token } = await createToken(kernel, owner.id, orgId, ["read"]);
    const claude = await mcp.connect(token, { headers: { "x-mcp-client": "Desk agent" } });
    await claude.callTool({ name: "whoami", arguments: {} });
    await claude.callTool({ name: "whoami", arguments: {} });
    await claude.callTool({ name: "list_projects", arguments: {} });
    const failed = await claude.callTool({ name: "get_dashboard", arguments: { projectId, slug: "missing" } });
    expect(failed.isError).toBe(true);
    const ide = await mcp.connect(token, { headers: { "x-mcp-client": "IDE agent" } });
    await ide.callTool({ name: "whoami", arguments: {} });
    // Another org's agent: never counted here.
    const other = await createToken(kernel, owner.id, otherOrgId, ["read"]);
    await (await mcp.connect(other.token, { headers: { "x-mcp-client": "Elsewhere agent" } })).callTool({ name: "whoami", arguments: {} });

    await auditedCalls(5);

    const as = asUser(kernel, owner.id);
    const opened = await as.mcpOauth.usage.publish({ orgId, projectId });
    expect(opened).toEqual({ href: `/o/${await orgSlug(orgId)}/p/ops/d/${USAGE_DASHBOARD_SLUG}`, calls: 5 });
    const dashboard = await as.dashboards.get({ orgId, projectId, slug: USAGE_DASHBOARD_SLUG });
    expect(dashboard.yaml).toContain("title: AI agent usage");

    const byTool = await as.data.runQuery({ orgId, sql: `select tool, client, calls, errors from ${USAGE_TABLE} order by tool, client` });
    expect(byTool.rows).toEqual([
      ["get_dashboard", "Desk agent", 1, 1],
      ["list_projects", "Desk agent", 1, 0],
      ["whoami", "Desk agent", 2, 0],
      ["whoami", "IDE agent", 1, 0],
    ]);
    const perDay = await as.data.runQuery({ orgId, sql: `select count(distinct day)::int from ${USAGE_TABLE}` });
    expect(perDay.rows).toEqual([[1]]);

    // Opening it again refreshes the table and keeps one dashboard (no new version when unchanged).
    await claude.callTool({ name: "list_projects", arguments: {} });
    await auditedCalls(6);
    expect((await as.mcpOauth.usage.publish({ orgId, projectId })).calls).toBe(6);
    expect((await as.dashboards.get({ orgId, projectId, slug: USAGE_DASHBOARD_SLUG })).version).toBe(dashboard.version);
  });

  test("publishing several times at once answers each (one table, one dashboard), never a 500", async () => {
    // A fresh org: its warehouse, the table and the dashboard do not exist yet.
    const fresh = (await createOrg(kernel, [{ userId: owner.id, role: "owner" }])).id;
    const as = asUser(kernel, owner.id);
    const freshProject = (await as.projects.create({ orgId: fresh, slug: "ops", name: "Ops" })).id;
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => as.mcpOauth.usage.publish({ orgId: fresh, projectId: freshProject })));
    expect(results.map((r) => (r.status === "rejected" ? String((r.reason as Error).message) : "ok"))).toEqual(["ok", "ok", "ok", "ok"]);
  });

  test("members without the capability are refused; another org's project is not found", async () => {
    await expect(asUser(kernel, viewer.id).mcpOauth.usage.publish({ orgId, projectId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(asUser(kernel, owner.id).mcpOauth.usage.publish({ orgId: otherOrgId, projectId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

/** Read-only calls are audited in batches: waits until `n` of the org's calls are in. */
async function auditedCalls(n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const row = await kernel.ownerDb.selectFrom("audit_events").select((eb) => eb.fn.countAll<string>().as("n")).where("action", "=", "agent.tool.call").where("org_id", "=", orgId).executeTakeFirstOrThrow();
    if (Number(row.n) >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${row.n} audited calls`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function orgSlug(id: string): Promise<string> {
  return (await kernel.ownerDb.selectFrom("orgs").select("slug").where("id", "=", id).executeTakeFirstOrThrow()).slug;
}
