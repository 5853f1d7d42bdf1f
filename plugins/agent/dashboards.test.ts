/**
 * The dashboard tools, resources and template through MCP with the SDK client: read a
 * dashboard as YAML with its version, validate, create, update with the version it edits
 * (stale → conflict), delete (destructive), search, render a chart to SVG; dashboards as
 * `atrium://<org>/<project>/dashboards/<slug>` resources; projects by slug; another org's
 * token reaches none of it.
 */
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Kernel } from "~/kernel/kernel";
import { bootDataKernel, member } from "../data/test-helpers";
import { createToken, mcpHarness, type McpHarness } from "./test-helpers";

const YAML = `title: Weekly numbers
description: Numbers by label
tags: [weekly]
queries:
  numbers:
    sql: select label, value from (values ('a', 1), ('b', 3)) as t(label, value)
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

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let kernel: Kernel;
let mcp: McpHarness;
let owner: Awaited<ReturnType<typeof member>>;
let other: Awaited<ReturnType<typeof member>>;
let projectId: string;
let writer: Client;
let reader: Client;
let outsider: Client;

beforeAll(async () => {
  k = await bootDataKernel();
  kernel = k.kernel;
  mcp = mcpHarness(kernel);
  owner = await member(kernel, "owner");
  other = await member(kernel, "owner");
  const project = await owner.caller.projects.create({ orgId: owner.org.id, slug: "alpha", name: "Alpha" });
  projectId = project.id;
  await other.caller.projects.create({ orgId: other.org.id, slug: "alpha", name: "Other alpha" });
  writer = await mcp.connect((await createToken(kernel, owner.user.id, owner.org.id, ["read", "write"])).token, { headers: { "x-mcp-client": "Dashboard agent" } });
  reader = await mcp.connect((await createToken(kernel, owner.user.id, owner.org.id, ["read"])).token);
  outsider = await mcp.connect((await createToken(kernel, other.user.id, other.org.id, ["read", "write"])).token);
});
afterAll(async () => {
  for (const c of [writer, reader, outsider]) await c?.close().catch(() => {});
  await k?.close();
});

const text = (result: unknown) => ((result as { content: Array<{ text?: string }> }).content[0]?.text ?? "") as string;
const slugOf = (m: Awaited<ReturnType<typeof member>>) => (m.org as { slug: string }).slug;
const data = <T>(result: unknown) => (result as { structuredContent: T }).structuredContent;

describe("dashboard tools", () => {
  let slug = "";

  test("validate, then create (project by slug or id), then read as YAML with its version", async () => {
    const invalid = await writer.callTool({ name: "validate_dashboard", arguments: { projectId: "alpha", yaml: YAML.replace("type: bar", "type: bars") } });
    expect(invalid.isError).toBeFalsy();
    const report = data<{ ok: boolean; errors: Array<{ path: string; hint: string }> }>(invalid);
    expect(report.ok).toBe(false);
    expect(report.errors[0]).toMatchObject({ path: "charts.0.type" });

    const created = await writer.callTool({ name: "create_dashboard", arguments: { projectId: "alpha", yaml: YAML } });
    expect(created.isError, text(created)).toBeFalsy();
    ({ slug } = data<{ slug: string; version: number }>(created));
    expect(data<{ version: number }>(created).version).toBe(1);

    const got = await reader.callTool({ name: "get_dashboard", arguments: { projectId, slug } });
    expect(got.isError, text(got)).toBeFalsy();
    expect(data<{ yaml: string; version: number }>(got)).toMatchObject({ slug, version: 1, yaml: expect.stringContaining("title: Weekly numbers") });

    const badCreate = await writer.callTool({ name: "create_dashboard", arguments: { projectId, yaml: "title: [" } });
    expect(badCreate.isError).toBe(true);
    expect(text(badCreate)).toMatch(/^UNPROCESSABLE_CONTENT/);
    expect(text(badCreate)).toMatch(/yaml/);

    const missingProject = await writer.callTool({ name: "list_dashboards", arguments: { projectId: "no-such-project" } });
    expect(missingProject.isError).toBe(true);
    expect(data<{ error: { code: string; fieldErrors: Record<string, string[]> } }>(missingProject).error).toMatchObject({ code: "NOT_FOUND", fieldErrors: { projectId: expect.any(Array) } });
  });

  test("list and search find it; update with the version read; a stale version is a conflict", async () => {
    const list = await reader.callTool({ name: "list_dashboards", arguments: { projectId: "alpha" } });
    expect(data<{ items: Array<{ slug: string }> }>(list).items.map((d) => d.slug)).toEqual([slug]);
    const search = await reader.callTool({ name: "search_dashboards", arguments: { query: "weekly" } });
    expect(data<{ items: Array<{ slug: string; projectId: string }> }>(search).items).toEqual([expect.objectContaining({ slug, projectId })]);

    const updated = await writer.callTool({ name: "update_dashboard", arguments: { projectId, slug, version: 1, yaml: YAML.replace("Weekly numbers", "Weekly numbers, v2") } });
    expect(updated.isError, text(updated)).toBeFalsy();
    expect(data<{ version: number }>(updated).version).toBe(2);
    const stale = await writer.callTool({ name: "update_dashboard", arguments: { projectId, slug, version: 1, yaml: YAML } });
    expect(stale.isError).toBe(true);
    expect(data<{ error: { code: string } }>(stale).error.code).toBe("CONFLICT");
    expect(text(stale)).toMatch(/version 2/);
  });

  test("render_chart answers SVG, as structured text and as an image", async () => {
    const rendered = await reader.callTool({ name: "render_chart", arguments: { projectId, slug, chartId: "numbers" } });
    expect(rendered.isError, text(rendered)).toBeFalsy();
    expect(data<{ svg: string }>(rendered).svg).toMatch(/^<svg/);
    const image = (rendered.content as Array<{ type: string; mimeType?: string; data?: string }>).find((c) => c.type === "image");
    expect(image?.mimeType).toBe("image/svg+xml");
    expect(Buffer.from(image!.data!, "base64").toString("utf8")).toMatch(/^<svg/);
  });

  test("resources: listed with a template, read as YAML; another org and unknown URIs are not found", async () => {
    const { resourceTemplates } = await reader.listResourceTemplates();
    expect(resourceTemplates).toEqual([expect.objectContaining({ uriTemplate: "atrium://{org}/{project}/dashboards/{slug}", mimeType: "application/yaml" })]);
    const { resources } = await reader.listResources();
    const uri = `atrium://${slugOf(owner)}/alpha/dashboards/${slug}`;
    expect(resources).toEqual([expect.objectContaining({ uri, mimeType: "application/yaml", title: "Weekly numbers, v2 (Alpha)" })]);
    const read = await reader.readResource({ uri });
    expect(read.contents[0]).toMatchObject({ uri, mimeType: "application/yaml", text: expect.stringContaining("Weekly numbers, v2") });

    expect((await outsider.listResources()).resources).toEqual([]);
    for (const bad of [uri, `atrium://${slugOf(other)}/alpha/dashboards/${slug}`, "atrium://x/y/dashboards/z", "file:///etc/passwd"]) {
      const err = await outsider.readResource({ uri: bad }).catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(McpError);
      expect((err as McpError).code).toBe(-32002);
    }
  });

  test("another org's token reaches none of it: get, update, delete, render answer not found", async () => {
    for (const [name, args] of [
      ["get_dashboard", { slug }],
      ["render_chart", { slug, chartId: "numbers" }],
      ["update_dashboard", { slug, version: 2, yaml: YAML }],
      ["delete_dashboard", { slug }],
      ["list_dashboards", {}],
    ] as const) {
      const result = await outsider.callTool({ name, arguments: { ...args, orgId: owner.org.id, projectId } });
      expect(result.isError, name).toBe(true);
      expect(data<{ error: { code: string } }>(result).error.code, name).toBe("NOT_FOUND");
    }
    // Its own "alpha" is another project: the slug is not found there.
    const own = await outsider.callTool({ name: "get_dashboard", arguments: { projectId: "alpha", slug } });
    expect(data<{ error: { code: string } }>(own).error.code).toBe("NOT_FOUND");
  });

  test("delete is destructive, write-only, and audited as the agent", async () => {
    const { tools } = await writer.listTools();
    expect(tools.find((t) => t.name === "delete_dashboard")!.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    await expect(reader.callTool({ name: "delete_dashboard", arguments: { projectId, slug } })).rejects.toThrow(/not found/);
    const deleted = await writer.callTool({ name: "delete_dashboard", arguments: { projectId, slug } });
    expect(deleted.isError, text(deleted)).toBeFalsy();
    const gone = await reader.callTool({ name: "get_dashboard", arguments: { projectId, slug } });
    expect(data<{ deletedAt: string | null }>(gone).deletedAt ?? data<{ error?: { code: string } }>(gone).error?.code).toBeTruthy();
    const events = await kernel.ownerDb
      .selectFrom("audit_events")
      .select(["action", "actor_kind", "actor_label"])
      .where("org_id", "=", owner.org.id)
      .where("action", "like", "dashboards.%")
      .orderBy("id")
      .execute();
    expect(events.map((e) => e.action)).toEqual(["dashboards.create", "dashboards.update", "dashboards.delete"]);
    expect(events.every((e) => e.actor_kind === "agent" && e.actor_label === "Dashboard agent")).toBe(true);
  });

  test("a viewer whose project role is editor can build dashboards there (listed), and only there", async () => {
    const viewer = await member(kernel, "viewer", owner.org.id);
    const beta = await owner.caller.projects.create({ orgId: owner.org.id, slug: "beta", name: "Beta" });
    const plainViewer = await mcp.connect((await createToken(kernel, viewer.user.id, owner.org.id, ["read", "write"])).token);
    expect((await plainViewer.listTools()).tools.map((t) => t.name)).not.toContain("create_dashboard");
    await plainViewer.close();

    await kernel.ownerDb.insertInto("project_roles").values({ project_id: beta.id, org_id: owner.org.id, user_id: viewer.user.id, role: "editor" }).execute();
    const client = await mcp.connect((await createToken(kernel, viewer.user.id, owner.org.id, ["read", "write"])).token);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("create_dashboard");
    // Org-level tools still follow the org role.
    expect(names).not.toContain("run_query");
    const inBeta = await client.callTool({ name: "create_dashboard", arguments: { projectId: "beta", yaml: YAML } });
    expect(inBeta.isError, text(inBeta)).toBeFalsy();
    const inAlpha = await client.callTool({ name: "create_dashboard", arguments: { projectId: "alpha", yaml: YAML } });
    expect(data<{ error: { code: string } }>(inAlpha).error.code).toBe("FORBIDDEN");
    await client.close();
  });

  test("an archived project's dashboards are not listed as resources; unarchived, they are again", async () => {
    const dusty = await owner.caller.projects.create({ orgId: owner.org.id, slug: "dusty", name: "Dusty" });
    const made = await writer.callTool({ name: "create_dashboard", arguments: { projectId: "dusty", yaml: YAML } });
    expect(made.isError, text(made)).toBeFalsy();
    const inDusty = async () => (await reader.listResources()).resources.filter((r) => r.uri.includes("/dusty/"));
    expect(await inDusty()).toHaveLength(1);
    await owner.caller.projects.setArchived({ orgId: owner.org.id, projectId: dusty.id, archived: true });
    expect(await inDusty()).toEqual([]);
    await owner.caller.projects.setArchived({ orgId: owner.org.id, projectId: dusty.id, archived: false });
    expect(await inDusty()).toHaveLength(1);
  });
});
