/**
 * What a person does in a project, done by an agent through MCP with the SDK client: history,
 * a past version, restoring it, duplicating, restoring a deleted dashboard, creating, renaming
 * and archiving projects, listing members and inviting one. A read token sees none of the
 * writes; another org's token finds nothing.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createToken, mcpHarness } from "../../plugins/agent/test-helpers";
import { useTestKernel } from "../setup/kernel";
import { asUser, createOrg, createUser, unique } from "../setup/fixtures";

const YAML = `title: Parity
queries:
  one:
    sql: select 1 as n
charts:
  - id: n
    type: kpi
    query: one
    value: n
`;

let writer: Client;
let reader: Client;
let outsider: Client;
let orgId: string;
let projectId: string;

const data = <T>(result: unknown) => (result as { structuredContent: T }).structuredContent;
const text = (result: unknown) => ((result as { content: Array<{ text?: string }> }).content[0]?.text ?? "") as string;
async function ok<T>(client: Client, name: string, args: Record<string, unknown>): Promise<T> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError, `${name}: ${text(result)}`).toBeFalsy();
  return data<T>(result);
}

const booted = useTestKernel();
beforeAll(async () => {
  const { kernel } = booted;
  const mcp = mcpHarness(kernel);
  const owner = await createUser(kernel, "Owner");
  const stranger = await createUser(kernel, "Stranger");
  orgId = (await createOrg(kernel, [{ userId: owner.id, role: "owner" }])).id;
  const otherOrg = await createOrg(kernel, [{ userId: stranger.id, role: "owner" }]);
  projectId = (await asUser(kernel, owner.id).projects.create({ orgId, slug: "alpha", name: "Alpha" })).id;
  writer = await mcp.connect((await createToken(kernel, owner.id, orgId, ["read", "write"])).token);
  reader = await mcp.connect((await createToken(kernel, owner.id, orgId, ["read"])).token);
  outsider = await mcp.connect((await createToken(kernel, stranger.id, otherOrg.id, ["read", "write"])).token);
});
afterAll(async () => {
  for (const c of [writer, reader, outsider]) await c?.close().catch(() => {});
});

describe("dashboard history and recovery", () => {
  test("history, a past version, restoring it, duplicating, deleting and restoring", async () => {
    const { slug } = await ok<{ slug: string }>(writer, "create_dashboard", { projectId, yaml: YAML });
    await ok(writer, "update_dashboard", { projectId, slug, version: 1, yaml: YAML.replace("title: Parity", "title: Parity two"), message: "rename" });

    const history = await ok<{ versions: Array<{ version: number; message: string }> }>(reader, "dashboard_history", { projectId, slug });
    expect(history.versions.map((v) => [v.version, v.message])).toEqual([
      [2, "rename"],
      [1, expect.any(String)],
    ]);
    const first = await ok<{ yaml: string }>(reader, "get_dashboard_version", { projectId, slug, version: 1 });
    expect(first.yaml).toContain("title: Parity\n");

    const restored = await ok<{ version: number }>(writer, "restore_dashboard_version", { projectId, slug, version: 1, currentVersion: 2 });
    expect(restored.version).toBe(3);
    expect((await ok<{ yaml: string }>(reader, "get_dashboard", { projectId, slug })).yaml).toContain("title: Parity\n");

    const copy = await ok<{ slug: string; version: number }>(writer, "duplicate_dashboard", { projectId, slug });
    expect(copy).toMatchObject({ version: 1, slug: expect.not.stringMatching(new RegExp(`^${slug}$`)) });
    expect((await ok<{ yaml: string }>(reader, "get_dashboard", { projectId, slug: copy.slug })).yaml).toContain("Parity (copy)");

    await ok(writer, "delete_dashboard", { projectId, slug: copy.slug });
    const deleted = await ok<{ items: Array<{ slug: string }> }>(reader, "list_dashboards", { projectId, deleted: true });
    expect(deleted.items.map((d) => d.slug)).toEqual([copy.slug]);
    await ok(writer, "restore_dashboard", { projectId, slug: copy.slug });
    const live = await ok<{ items: Array<{ slug: string }> }>(reader, "list_dashboards", { projectId });
    expect(live.items.map((d) => d.slug).sort()).toEqual([copy.slug, slug].sort());
  });

  test("a read token lists none of the writes and cannot call them", async () => {
    const names = (await reader.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["dashboard_history", "get_dashboard_version", "list_members", "run_dashboard"]));
    for (const name of ["restore_dashboard_version", "duplicate_dashboard", "restore_dashboard", "create_project", "archive_project", "invite_member"]) {
      expect(names, name).not.toContain(name);
    }
    await expect(reader.callTool({ name: "duplicate_dashboard", arguments: { projectId, slug: "parity" } })).rejects.toThrow(/not found/i);
  });
});

describe("projects and members", () => {
  test("create, rename and archive a project", async () => {
    const slug = unique("proj").toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 40);
    const created = await ok<{ id: string; slug: string }>(writer, "create_project", { slug, name: "Made by an agent" });
    expect(created.slug).toBe(slug);
    const renamed = await ok<{ name: string }>(writer, "update_project", { projectId: created.id, name: "Renamed by an agent" });
    expect(renamed.name).toBe("Renamed by an agent");
    await ok(writer, "archive_project", { projectId: created.id, archived: true });
    const listed = await ok<Array<{ id: string }> | { items?: unknown }>(reader, "list_projects", {});
    expect(JSON.stringify(listed)).not.toContain(created.id);
    const withArchived = await ok<unknown>(reader, "list_projects", { includeArchived: true });
    expect(JSON.stringify(withArchived)).toContain(created.id);
  });

  test("list members, invite one (mailed), list and revoke the invitation", async () => {
    const members = await ok<unknown>(reader, "list_members", {});
    expect(JSON.stringify(members)).toContain('"role":"owner"');
    const email = `${unique("invitee")}@example.test`;
    const invitation = await ok<{ id: string; email: string; role: string }>(writer, "invite_member", { email, role: "editor" });
    expect(invitation).toMatchObject({ email, role: "editor" });
    const invitations = await ok<unknown>(writer, "list_invitations", {});
    expect(JSON.stringify(invitations)).toContain(email);
    await ok(writer, "revoke_invitation", { invitationId: invitation.id });
    const again = await writer.callTool({ name: "revoke_invitation", arguments: { invitationId: invitation.id } });
    expect(data<{ error: { code: string } }>(again).error.code).toBe("NOT_FOUND");
  });

  test("another org's token finds none of it", async () => {
    for (const [name, args] of [
      ["dashboard_history", { projectId, slug: "parity" }],
      ["restore_dashboard", { projectId, slug: "parity" }],
      ["update_project", { projectId, name: "x" }],
      ["list_members", {}],
      ["invite_member", { email: "x@example.test", role: "viewer" }],
    ] as const) {
      const result = await outsider.callTool({ name, arguments: { ...args, orgId } });
      expect(result.isError, name).toBe(true);
      expect(data<{ error: { code: string } }>(result).error.code, name).toBe("NOT_FOUND");
    }
  });
});
