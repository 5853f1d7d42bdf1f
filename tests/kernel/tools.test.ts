/**
 * The tool registry (src/kernel/tools.ts): MCP-tagged procedures seen as agent tools, what each
 * caller may use, and calls that go through the procedure (validation, authorization, scope).
 */
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { generateApiToken, hashApiToken } from "~/kernel/auth/tokens";
import { availableTools, callTool, inputSchemaWithDefaults, toolsOf, type ToolDescriptor } from "~/kernel/tools";
import { createTRPCRouter, publicProcedure, type Actor } from "~/kernel/trpc";
import { useTestKernel } from "../setup/kernel";
import { contextFor, createOrg, createUser, testRouter } from "../setup/fixtures";

const booted = useTestKernel();

async function tokenActor(userId: string, orgId: string, scopes: Array<"read" | "write">): Promise<Actor> {
  const { kernel } = booted;
  const row = await kernel.ownerDb
    .insertInto("api_tokens")
    .values({ user_id: userId, org_id: orgId, name: "tools test", token_hash: hashApiToken(generateApiToken()), scopes })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { kind: "token", userId, orgId, scopes, tokenId: row.id };
}

async function world() {
  const { kernel } = booted;
  const owner = await createUser(kernel, "Owner");
  const viewer = await createUser(kernel, "Viewer");
  const outsider = await createUser(kernel, "Outsider");
  const org = await createOrg(kernel, [
    { userId: owner.id, role: "owner" },
    { userId: viewer.id, role: "viewer" },
  ]);
  const otherOrg = await createOrg(kernel, [{ userId: outsider.id, role: "owner" }]);
  const project = await kernel.ownerDb.insertInto("projects").values({ org_id: org.id, slug: "alpha", name: "Alpha" }).returning(["id"]).executeTakeFirstOrThrow();
  return { owner, viewer, outsider, org, otherOrg, project };
}

const names = (tools: ToolDescriptor[]) => tools.map((t) => t.name);

describe("toolsOf", () => {
  test("lists MCP-tagged procedures with snake_case names and object input schemas", () => {
    const tools = toolsOf(testRouter);
    expect(names(tools)).toEqual(expect.arrayContaining(["whoami", "list_orgs", "list_projects", "list_data_sources", "describe_tables", "run_query"]));
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      expect(tool.inputSchema.type).toBe("object");
      expect(tool.description.length).toBeGreaterThan(10);
    }
    const listProjects = tools.find((t) => t.name === "list_projects")!;
    expect(listProjects).toMatchObject({ path: "projects.list", type: "query", readOnly: true, capability: "org.view" });
    expect(listProjects.inputSchema.required).toContain("orgId");
    const whoami = tools.find((t) => t.name === "whoami")!;
    expect(whoami.capability).toBeNull();
  });

  test("refuses a badly named or duplicated tool", () => {
    const bad = createTRPCRouter({ a: publicProcedure.meta({ mcp: { name: "GetThing", description: "Gets a thing." } }).query(() => 1) });
    expect(() => toolsOf(bad)).toThrow(/snake_case/);
    const twice = createTRPCRouter({
      a: publicProcedure.meta({ mcp: { name: "get_thing", description: "Gets a thing." } }).query(() => 1),
      b: publicProcedure.meta({ mcp: { name: "get_thing", description: "Gets a thing." } }).query(() => 2),
    });
    expect(() => toolsOf(twice)).toThrow(/already used by a/);
  });

  test("a mutation cannot pass for read-only (test_data_source did): it writes at least its audit event", () => {
    const lying = createTRPCRouter({ a: publicProcedure.meta({ mcp: { name: "touch_thing", description: "Touches a thing.", readOnly: true } }).mutation(() => 1) });
    expect(() => toolsOf(lying)).toThrow(/cannot be a read-only MCP tool/);
    for (const tool of toolsOf(testRouter)) if (tool.readOnly) expect(tool.type, tool.name).toBe("query");
    expect(toolsOf(testRouter).find((t) => t.name === "test_data_source")).toMatchObject({ readOnly: false, destructive: false, idempotent: true });
  });

  test("a union input still has a top-level object schema", () => {
    const router = createTRPCRouter({
      pick: publicProcedure
        .meta({ mcp: { name: "pick_one", description: "Picks one of two shapes." } })
        .input(z.union([z.object({ a: z.string() }), z.object({ b: z.number() })]))
        .query(() => 1),
    });
    expect(toolsOf(router)[0]!.inputSchema.type).toBe("object");
  });

  test("defaults make an argument optional and say what it defaults to", () => {
    const tool = toolsOf(testRouter).find((t) => t.name === "list_projects")!;
    const schema = inputSchemaWithDefaults(tool, { orgId: "the token's organization" });
    expect(schema.required ?? []).not.toContain("orgId");
    expect(schema.properties.orgId).toMatchObject({ description: "Defaults to the token's organization." });
    expect(tool.inputSchema.required).toContain("orgId");
  });
});

describe("availableTools", () => {
  test("nobody gets no tools", async () => {
    const { kernel } = booted;
    expect(await availableTools(kernel, testRouter, { kind: "anonymous" })).toEqual([]);
  });

  test("a read token sees read-only queries only; a write token sees mutations too", async () => {
    const { kernel } = booted;
    const w = await world();
    const read = await availableTools(kernel, testRouter, await tokenActor(w.owner.id, w.org.id, ["read"]));
    expect(read.every((t) => t.readOnly && t.type === "query")).toBe(true);
    expect(names(read)).toContain("run_query");
    expect(names(read)).not.toContain("create_data_source");
    const write = await availableTools(kernel, testRouter, await tokenActor(w.owner.id, w.org.id, ["read", "write"]));
    expect(names(write)).toEqual(expect.arrayContaining(["create_data_source", "delete_data_source"]));
  });

  test("a member sees only the tools their role allows", async () => {
    const { kernel } = booted;
    const w = await world();
    const viewer = await availableTools(kernel, testRouter, await tokenActor(w.viewer.id, w.org.id, ["read", "write"]));
    expect(names(viewer)).toContain("list_projects");
    expect(names(viewer)).not.toContain("create_data_source"); // datasource.manage
    expect(names(viewer)).not.toContain("run_query"); // viewers cannot run SQL
    const person = await availableTools(kernel, testRouter, { kind: "user", userId: w.viewer.id }, { orgId: w.org.id });
    expect(names(person)).toEqual(names(viewer));
  });

  test("someone no longer in the token's org keeps only tools that need no org", async () => {
    const { kernel } = booted;
    const w = await world();
    const actor = await tokenActor(w.viewer.id, w.org.id, ["read", "write"]);
    await kernel.ownerDb.deleteFrom("memberships").where("user_id", "=", w.viewer.id).where("org_id", "=", w.org.id).execute();
    const tools = await availableTools(kernel, testRouter, actor);
    expect(tools.every((t) => t.capability === null)).toBe(true);
    expect(names(tools)).toContain("whoami");
  });
});

describe("callTool", () => {
  test("calls through the procedure, with the token's org as the default", async () => {
    const { kernel } = booted;
    const w = await world();
    const actor = await tokenActor(w.owner.id, w.org.id, ["read"]);
    const available = await availableTools(kernel, testRouter, actor);
    const result = await callTool(testRouter, contextFor(kernel, actor), "list_projects", {}, { available, defaults: { orgId: w.org.id } });
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result.ok && result.data)).toContain(w.project.id);
  });

  test("an unknown tool and a tool the caller may not use both answer NOT_FOUND", async () => {
    const { kernel } = booted;
    const w = await world();
    const actor = await tokenActor(w.owner.id, w.org.id, ["read"]);
    const available = await availableTools(kernel, testRouter, actor);
    const unknown = await callTool(testRouter, contextFor(kernel, actor), "drop_everything", {}, { available });
    const notListed = await callTool(testRouter, contextFor(kernel, actor), "create_data_source", {}, { available });
    for (const result of [unknown, notListed]) {
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toMatchObject({ code: "NOT_FOUND", httpStatus: 404 });
    }
  });

  test("invalid arguments are a 422 naming the field, not a crash", async () => {
    const { kernel } = booted;
    const w = await world();
    const actor = await tokenActor(w.owner.id, w.org.id, ["read"]);
    const available = await availableTools(kernel, testRouter, actor);
    const result = await callTool(testRouter, contextFor(kernel, actor), "list_projects", { orgId: "not-a-uuid" }, { available });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("UNPROCESSABLE_CONTENT");
    expect(result.error.httpStatus).toBe(422);
    expect(Object.keys(result.error.fieldErrors ?? {})).toContain("orgId");
    expect(result.error.message).toMatch(/orgId/);
    const notObject = await callTool(testRouter, contextFor(kernel, actor), "list_projects", ["x"], { available });
    expect(!notObject.ok && notObject.error.code).toBe("UNPROCESSABLE_CONTENT");
  });

  test("a token cannot reach another org by passing its id", async () => {
    const { kernel } = booted;
    const w = await world();
    const actor = await tokenActor(w.outsider.id, w.otherOrg.id, ["read", "write"]);
    const available = await availableTools(kernel, testRouter, actor);
    const result = await callTool(testRouter, contextFor(kernel, actor), "list_projects", { orgId: w.org.id }, { available, defaults: { orgId: w.otherOrg.id } });
    expect(!result.ok && result.error.code).toBe("NOT_FOUND");
  });
});
