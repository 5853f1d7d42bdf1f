/**
 * MCP at /mcp with the SDK's own Client over Streamable HTTP (the transport's fetch goes to
 * the handler in-process): authentication and its metadata, Origin, body size, rate limit,
 * tools per scope and role, calls, errors, isolation between orgs, audit, prompts.
 */
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Kernel } from "~/kernel/kernel";
import { asUser, createOrg, createUser } from "../../tests/setup/fixtures";
import { bootDataKernel, member } from "../data/test-helpers";
import { flushAgentAudit } from "./audit-batch";
import { protectedResourceMetadataResponse } from "./http";
import { createToken, mcpHarness, rpc, RPC_HEADERS, type McpHarness } from "./test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let kernel: Kernel;
let mcp: McpHarness;
let owner: Awaited<ReturnType<typeof member>>;
let orgB: Awaited<ReturnType<typeof member>>;
let writeToken: string;
let writeTokenId: string;
let readToken: string;
let otherOrgToken: string;
let viewerToken: string;
let projectId: string;

beforeAll(async () => {
  k = await bootDataKernel();
  kernel = k.kernel;
  mcp = mcpHarness(kernel);
  owner = await member(kernel, "owner");
  orgB = await member(kernel, "owner");
  const viewer = await member(kernel, "viewer", owner.org.id);
  const project = await owner.caller.projects.create({ orgId: owner.org.id, slug: "alpha", name: "Alpha" });
  projectId = project.id;
  await orgB.caller.projects.create({ orgId: orgB.org.id, slug: "beta", name: "Beta" });
  ({ token: writeToken, id: writeTokenId } = await createToken(kernel, owner.user.id, owner.org.id, ["read", "write"]));
  ({ token: readToken } = await createToken(kernel, owner.user.id, owner.org.id, ["read"]));
  ({ token: otherOrgToken } = await createToken(kernel, orgB.user.id, orgB.org.id, ["read", "write"]));
  ({ token: viewerToken } = await createToken(kernel, viewer.user.id, owner.org.id, ["read", "write"]));
});
afterAll(async () => k?.close());

const text = (result: unknown) => ((result as { content: Array<{ type: string; text?: string }> }).content[0]?.text ?? "") as string;

describe("HTTP", () => {
  test("no token: 401 with WWW-Authenticate naming the resource metadata, which is served", async () => {
    const res = await mcp.fetch(mcp.url, { method: "POST", headers: RPC_HEADERS, body: rpc("tools/list") });
    expect(res.status).toBe(401);
    const metadataUrl = `${kernel.config.publicUrl}/.well-known/oauth-protected-resource/mcp`;
    expect(res.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${metadataUrl}"`);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/Authorization required/);

    const metadata = protectedResourceMetadataResponse(kernel.config.publicUrl);
    expect(metadata.headers.get("content-type")).toBe("application/json");
    expect(await metadata.json()).toMatchObject({ resource: `${kernel.config.publicUrl}/mcp`, bearer_methods_supported: ["header"], scopes_supported: ["read", "write"] });
  });

  test("a bad, unknown or revoked token: 401 invalid_token; the SDK client cannot connect", async () => {
    for (const authorization of ["Bearer atr_" + "a".repeat(32), "Bearer nope", "Basic abc"]) {
      const res = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, authorization }, body: rpc("tools/list") });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token", .*resource_metadata="/);
    }
    const revoked = await createToken(kernel, owner.user.id, owner.org.id, ["read"]);
    await kernel.ownerDb.updateTable("api_tokens").set({ revoked_at: new Date() }).where("id", "=", revoked.id).execute();
    await expect(mcp.connect(revoked.token)).rejects.toThrow();
    // A session cookie is not a way in: agents act through tokens only.
    const res = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, cookie: "atrium_session=abc" }, body: rpc("tools/list") });
    expect(res.status).toBe(401);
  });

  test("Origin: another site is refused before anything runs; our own origin gets CORS headers", async () => {
    const evil = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, origin: "https://evil.example", authorization: `Bearer ${writeToken}` }, body: rpc("tools/list") });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: { message: string } }).error.message).toMatch(/not allowed/);
    const own = new URL(kernel.config.publicUrl).origin;
    const ok = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, origin: own, authorization: `Bearer ${writeToken}` }, body: rpc("tools/list") });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(own);
    const preflight = await mcp.fetch(mcp.url, { method: "OPTIONS", headers: { origin: own } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
    const configured = mcpHarness(kernel, { settings: { allowedOrigins: ["https://agent.example"] } });
    const res = await configured.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, origin: "https://agent.example", authorization: `Bearer ${writeToken}` }, body: rpc("tools/list") });
    expect(res.status).toBe(200);
  });

  test("an oversized body: 413; not JSON or a batch: 400; GET (no server stream): 405", async () => {
    const small = mcpHarness(kernel, { settings: { maxBodyBytes: 2_000 } });
    const big = rpc("tools/call", { name: "run_query", arguments: { sql: `select '${"x".repeat(5_000)}'` } });
    const res = await small.fetch(small.url, { method: "POST", headers: { ...RPC_HEADERS, authorization: `Bearer ${writeToken}` }, body: big });
    expect(res.status).toBe(413);
    const get = await mcp.fetch(mcp.url, { method: "GET", headers: { accept: "text/event-stream", authorization: `Bearer ${writeToken}` } });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toContain("POST");
    const junk = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, authorization: `Bearer ${writeToken}` }, body: "{not json" });
    expect(junk.status).toBe(400);
    // One rate-limited HTTP request runs one request, not a batch of them.
    const batch = `[${rpc("tools/list", {}, 1)},${rpc("tools/list", {}, 2)}]`;
    const batched = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, authorization: `Bearer ${writeToken}` }, body: batch });
    expect(batched.status).toBe(400);
    expect(((await batched.json()) as { error: { message: string } }).error.message).toMatch(/one JSON-RPC request per HTTP request/);
    const single = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, authorization: `Bearer ${writeToken}` }, body: `[${rpc("tools/list")}]` });
    expect(single.status).toBe(200);
  });

  test("rate limited per token: 429 with Retry-After; another token is not affected", async () => {
    const limited = mcpHarness(kernel, { settings: { rateLimitPerMinute: 3 } });
    const a = await createToken(kernel, owner.user.id, owner.org.id, ["read"]);
    const b = await createToken(kernel, owner.user.id, owner.org.id, ["read"]);
    const send = (token: string) =>
      limited.fetch(limited.url, { method: "POST", headers: { ...RPC_HEADERS, authorization: `Bearer ${token}` }, body: rpc("tools/list") });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(a.token)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const last = await send(a.token);
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await send(b.token)).status).toBe(200);
    expect(await last.text()).toMatch(/for this token/);
  });

  test("rate limited per org: every agent of the org together; the 429 names the org's limit; another org is not affected", async () => {
    const limited = mcpHarness(kernel, { settings: { rateLimitPerMinute: 100, orgRateLimitPerMinute: 3 } });
    // A fresh org: its counter starts at zero.
    const busy = await createOrg(kernel, [{ userId: owner.user.id, role: "owner" }]);
    const tokens = [await createToken(kernel, owner.user.id, busy.id, ["read"]), await createToken(kernel, owner.user.id, busy.id, ["read"])];
    const elsewhere = await createOrg(kernel, [{ userId: owner.user.id, role: "owner" }]);
    const other = await createToken(kernel, owner.user.id, elsewhere.id, ["read"]);
    const send = (token: string) => limited.fetch(limited.url, { method: "POST", headers: { ...RPC_HEADERS, authorization: `Bearer ${token}` }, body: rpc("tools/list") });
    const statuses = [];
    for (const t of [0, 1, 0, 1]) statuses.push((await send(tokens[t]!.token)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await send(tokens[0]!.token);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.text()).toMatch(/organization's agents together/);
    expect((await send(other.token)).status).toBe(200);
  });
});

describe("one server for every caller", () => {
  const call = (token: string, id: number | string, name: string, args: Record<string, unknown> = {}) =>
    mcp
      .fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, authorization: `Bearer ${token}` }, body: rpc("tools/call", { name, arguments: args }, id) })
      .then(async (res) => ({ status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as { id: unknown; result?: { structuredContent?: { orgs?: Array<{ id: string }> } } } }));

  test("callers in two orgs using the same request ids at once each get their own answer, under their own id", async () => {
    const rounds = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const mine = i % 2 === 0;
        return call(mine ? writeToken : otherOrgToken, i % 3 === 0 ? "same" : 7, "whoami").then((answer) => ({ answer, mine, i }));
      }),
    );
    for (const { answer, mine, i } of rounds) {
      expect(answer.status).toBe(200);
      expect(answer.type).toBe("application/json");
      expect(answer.body.id).toBe(i % 3 === 0 ? "same" : 7);
      expect(answer.body.result?.structuredContent?.orgs?.map((o) => o.id), `call ${i}`).toEqual([mine ? owner.org.id : orgB.org.id]);
    }
  });

  test("what the plain path does not take is still answered as the SDK's transport answers it", async () => {
    const auth = { authorization: `Bearer ${writeToken}` };
    // A notification: accepted, nothing to answer.
    const note = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, ...auth }, body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) });
    expect(note.status).toBe(202);
    // A client that cannot read JSON answers, a body that is not JSON by its type, an unknown protocol version.
    const noJson = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, ...auth, accept: "text/event-stream" }, body: rpc("tools/list") });
    expect(noJson.status).toBe(406);
    const text = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, ...auth, "content-type": "text/plain" }, body: rpc("tools/list") });
    expect(text.status).toBe(415);
    const version = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, ...auth, "mcp-protocol-version": "1999-01-01" }, body: rpc("tools/list") });
    expect(version.status).toBe(400);
    // A content type with parameters goes through the SDK's transport and gets the same answer as the plain path.
    const plain = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, ...auth }, body: rpc("tools/call", { name: "whoami", arguments: {} }, 3) });
    const charset = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, ...auth, "content-type": "application/json; charset=utf-8" }, body: rpc("tools/call", { name: "whoami", arguments: {} }, 3) });
    expect(charset.status).toBe(200);
    expect(await charset.text()).toBe(await plain.text());
    // An unknown method: the SDK server's "Method not found", through the plain path.
    const unknown = await mcp.fetch(mcp.url, { method: "POST", headers: { ...RPC_HEADERS, ...auth }, body: rpc("no/such/method", {}, 9) });
    expect(await unknown.json()).toEqual({ jsonrpc: "2.0", id: 9, error: { code: -32601, message: "Method not found" } });
  });
});

describe("tools", () => {
  test("a write token of an owner lists every tool, orgId optional, projectId by id or slug, hints set", async () => {
    const client = await mcp.connect(writeToken);
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of ["whoami", "list_orgs", "list_projects", "list_data_sources", "describe_tables", "run_query", "create_data_source", "delete_data_source", "import_csv"]) {
      expect(names).toContain(name);
    }
    const runQuery = tools.find((t) => t.name === "run_query")!;
    expect(runQuery.inputSchema.required ?? []).not.toContain("orgId");
    expect(runQuery.inputSchema.required).toContain("sql");
    expect(runQuery.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(tools.find((t) => t.name === "delete_data_source")!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(tool.description!.length).toBeGreaterThan(20);
      expect(tool.inputSchema.type).toBe("object");
    }
    await client.close();
  });

  test("a read token lists and calls read-only tools only; anything else is not found", async () => {
    const client = await mcp.connect(readToken);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["whoami", "list_projects", "run_query", "describe_tables"]));
    for (const hidden of ["create_data_source", "delete_data_source", "import_csv", "load_sample_data", "test_data_source"]) expect(names).not.toContain(hidden);
    const notListed = await client.callTool({ name: "import_csv", arguments: { table: "t", csv: "a\n1" } }).catch((e: unknown) => e);
    const unknown = await client.callTool({ name: "no_such_tool", arguments: {} }).catch((e: unknown) => e);
    expect(notListed).toBeInstanceOf(McpError);
    expect(unknown).toBeInstanceOf(McpError);
    expect((notListed as McpError).message).toBe(`MCP error -32602: Tool "import_csv" not found.`);
    // A hidden tool answers exactly like one that does not exist.
    expect((notListed as McpError).code).toBe((unknown as McpError).code);
    await client.close();
  });

  test("a viewer's token lists what a viewer may do (no ad-hoc SQL, no uploads), even with the write scope", async () => {
    const client = await mcp.connect(viewerToken);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["whoami", "list_projects", "list_data_sources", "describe_tables"]));
    for (const hidden of ["run_query", "import_csv", "create_data_source"]) expect(names).not.toContain(hidden);
    await expect(client.callTool({ name: "run_query", arguments: { sql: "select 1" } })).rejects.toThrow(/not found/);
    await client.close();
  });

  test("calls: whoami, list_orgs, list_projects (structured + text), data tools, run_query capped", async () => {
    const client = await mcp.connect(writeToken);
    const whoami = await client.callTool({ name: "whoami", arguments: {} });
    expect(whoami.isError).toBeFalsy();
    expect(whoami.structuredContent).toMatchObject({ id: owner.user.id, orgs: [{ id: owner.org.id, role: "owner" }] });
    expect(JSON.parse(text(whoami))).toEqual(whoami.structuredContent);

    const orgs = await client.callTool({ name: "list_orgs", arguments: {} });
    expect(orgs.structuredContent).toMatchObject({ items: [{ id: owner.org.id }] });

    const projects = await client.callTool({ name: "list_projects", arguments: {} });
    expect(projects.structuredContent).toMatchObject({ items: [{ id: projectId, slug: "alpha" }] });

    const sources = await client.callTool({ name: "list_data_sources", arguments: {} });
    expect(JSON.stringify(sources.structuredContent)).toContain('"warehouse"');

    const tables = await client.callTool({ name: "describe_tables", arguments: {} });
    expect(tables.isError).toBeFalsy();
    expect(tables.structuredContent).toMatchObject({ sourceId: "warehouse", tables: expect.any(Array) });

    const query = await client.callTool({ name: "run_query", arguments: { sql: "select g from generate_series(1, 50) g", maxRows: 10 } });
    expect(query.isError).toBeFalsy();
    expect(query.structuredContent).toMatchObject({ truncated: true });
    expect((query.structuredContent as { rows: unknown[] }).rows).toHaveLength(10);

    const write = await client.callTool({ name: "run_query", arguments: { sql: "create table nope (id int)" } });
    expect(write.isError).toBe(true);
    await client.close();
  });

  test("invalid arguments: a tool error naming the field, never a crash", async () => {
    const client = await mcp.connect(writeToken);
    const bad = await client.callTool({ name: "run_query", arguments: { sql: 42 } });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/^UNPROCESSABLE_CONTENT: Invalid input: sql/);
    expect(bad.structuredContent).toMatchObject({ error: { code: "UNPROCESSABLE_CONTENT", fieldErrors: { sql: expect.any(Array) } } });
    const missing = await client.callTool({ name: "run_query", arguments: {} });
    expect(text(missing)).toMatch(/sql/);
    const badProject = await client.callTool({ name: "list_projects", arguments: { includeArchived: "yes" } });
    expect(badProject.structuredContent).toMatchObject({ error: { fieldErrors: { includeArchived: expect.any(Array) } } });
    // The server still answers.
    expect((await client.callTool({ name: "whoami", arguments: {} })).isError).toBeFalsy();
    await client.close();
  });

  test("orgId may be the org's slug, as an agent naturally passes it; the schema says so; another org's slug is not found", async () => {
    const slugOf = async (id: string) => (await kernel.ownerDb.selectFrom("orgs").select("slug").where("id", "=", id).executeTakeFirstOrThrow()).slug;
    const client = await mcp.connect(writeToken);
    const listProjects = (await client.listTools()).tools.find((t) => t.name === "list_projects")!;
    expect((listProjects.inputSchema.properties as Record<string, { description?: string }>).orgId!.description).toMatch(/its id or its slug/);
    const bySlug = await client.callTool({ name: "list_projects", arguments: { orgId: await slugOf(owner.org.id) } });
    expect(bySlug.isError, text(bySlug)).toBeFalsy();
    expect(bySlug.structuredContent).toMatchObject({ items: [{ id: projectId, slug: "alpha" }] });
    // With a project slug as well: both resolve.
    const tables = await client.callTool({ name: "list_dashboards", arguments: { orgId: await slugOf(owner.org.id), projectId: "alpha" } });
    expect(tables.isError, text(tables)).toBeFalsy();
    for (const orgId of [await slugOf(orgB.org.id), "no-such-org", "x".repeat(500)]) {
      const other = await client.callTool({ name: "list_projects", arguments: { orgId } });
      expect(other.isError).toBe(true);
      expect(other.structuredContent).toMatchObject({ error: { code: "NOT_FOUND", fieldErrors: { orgId: expect.any(Array) } } });
    }
    await client.close();
  });

  test("an org-B token sees nothing of org A: not listed, not found", async () => {
    const client = await mcp.connect(otherOrgToken);
    const projects = await client.callTool({ name: "list_projects", arguments: {} });
    const slugs = (projects.structuredContent as { items: Array<{ slug: string; id: string }> }).items.map((p) => p.id);
    expect(slugs).not.toContain(projectId);
    const orgs = await client.callTool({ name: "list_orgs", arguments: {} });
    expect(JSON.stringify(orgs.structuredContent)).not.toContain(owner.org.id);
    const whoami = await client.callTool({ name: "whoami", arguments: {} });
    expect(JSON.stringify(whoami.structuredContent)).not.toContain(owner.org.id);
    for (const [name, args] of [
      ["list_projects", { orgId: owner.org.id }],
      ["describe_tables", { orgId: owner.org.id }],
      ["run_query", { orgId: owner.org.id, sql: "select 1" }],
      ["list_data_sources", { orgId: owner.org.id }],
    ] as const) {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, name).toBe(true);
      expect(text(result), name).toMatch(/^NOT_FOUND/);
    }
    await client.close();
  });

  test("every call is audited as the agent: the token, the client's name; org admins see it", async () => {
    const client = await mcp.connect(writeToken, { headers: { "x-mcp-client": "Test Desktop Agent" } });
    await client.callTool({ name: "list_projects", arguments: {} });
    await client.callTool({ name: "run_query", arguments: { sql: 1 } });
    // The failed call was stored before its answer; the read is queued (./audit-batch.ts)…
    const stored = await kernel.ownerDb.selectFrom("audit_events").select("target_id").where("actor_token_id", "=", writeTokenId).where("actor_label", "=", "Test Desktop Agent").execute();
    expect(stored.map((r) => r.target_id)).toContain("run_query");
    // …and written within 100 ms, keeping the time of its call.
    await flushAgentAudit(kernel);
    const rows = await kernel.ownerDb
      .selectFrom("audit_events")
      .selectAll()
      .where("actor_token_id", "=", writeTokenId)
      .where("actor_label", "=", "Test Desktop Agent")
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    expect(rows.map((r) => [r.action, r.actor_kind, r.target_id, r.org_id])).toEqual([
      ["agent.tool.call", "agent", "list_projects", owner.org.id],
      ["agent.tool.call", "agent", "run_query", owner.org.id],
    ]);
    expect(rows[1]!.data).toMatchObject({ tool: "run_query", ok: false, error: "UNPROCESSABLE_CONTENT" });
    expect(rows[0]!.actor_user_id).toBe(owner.user.id);

    // A mutation through MCP: the procedure's own event is the agent's too.
    const created = await client.callTool({ name: "import_csv", arguments: { table: "agent_rows", csv: "id,label\n1,a\n2,b\n" } });
    expect(created.isError, text(created)).toBeFalsy();
    const own = await kernel.ownerDb.selectFrom("audit_events").selectAll().where("action", "=", "data.warehouse.import").where("actor_token_id", "=", writeTokenId).executeTakeFirstOrThrow();
    expect(own).toMatchObject({ actor_kind: "agent", actor_label: "Test Desktop Agent" });

    const log = await asUser(kernel, owner.user.id).audit.list({ orgId: owner.org.id, actorKind: "agent" });
    expect(log.events.length).toBeGreaterThanOrEqual(4);
    expect(log.events.every((e) => e.actorKind === "agent")).toBe(true);
    expect(log.events[0]).toMatchObject({ actorLabel: "Test Desktop Agent", actorTokenId: writeTokenId });
    await client.close();
  });

  test("the audit keeps no secret from the arguments", async () => {
    const fresh = await createToken(kernel, owner.user.id, owner.org.id, ["read", "write"]);
    const client = await mcp.connect(fresh.token);
    const config = { host: "127.0.0.1", port: 1, database: "x", user: "x", password: "hunter2-do-not-log", sslmode: "disable" };
    const result = await client.callTool({ name: "create_data_source", arguments: { name: "nope", config } });
    expect(result.isError).toBe(true);
    const rows = await kernel.ownerDb.selectFrom("audit_events").select("data").where("actor_token_id", "=", fresh.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.data).toMatchObject({ tool: "create_data_source", arguments: { config: { host: "127.0.0.1", password: "[redacted]" } } });
    expect(JSON.stringify(rows)).not.toContain("hunter2");
    await client.close();
  });

  test("read-only calls are written in batches: within 100 ms without a flush, one transaction for many, each at its own time", async () => {
    const fresh = await createToken(kernel, owner.user.id, owner.org.id, ["read"]);
    const client = await mcp.connect(fresh.token);
    const before = new Date();
    await Promise.all(Array.from({ length: 5 }, () => client.callTool({ name: "whoami", arguments: {} })));
    const count = async () => (await kernel.ownerDb.selectFrom("audit_events").select("created_at").where("actor_token_id", "=", fresh.id).execute()).length;
    for (let waited = 0; (await count()) < 5; waited += 20) {
      if (waited > 2_000) throw new Error("the queued audit events were not written");
      await new Promise((r) => setTimeout(r, 20));
    }
    const rows = await kernel.ownerDb.selectFrom("audit_events").selectAll().where("actor_token_id", "=", fresh.id).execute();
    expect(rows.every((r) => r.action === "agent.tool.call" && r.created_at.getTime() >= before.getTime() - 1_000)).toBe(true);
    // Every field of the event as a call written alone would store it.
    for (const row of rows) {
      expect(row).toMatchObject({ org_id: owner.org.id, actor_kind: "agent", actor_user_id: owner.user.id, target_type: "tool", target_id: "whoami" });
      expect(row.data).toMatchObject({ tool: "whoami", ok: true, arguments: {} });
      expect(row.request_id).toMatch(/\S{8,}/);
      expect(row.ip).toBeTruthy();
    }
    expect(new Set(rows.map((r) => r.request_id)).size).toBe(5);
    await client.close();
  });

  test("without a client header the User-Agent names the client", async () => {
    const fresh = await createToken(kernel, owner.user.id, owner.org.id, ["read"]);
    const client = await mcp.connect(fresh.token, { headers: { "user-agent": "ExampleAgent/2.1" } });
    await client.callTool({ name: "whoami", arguments: {} });
    await flushAgentAudit(kernel);
    const row = await kernel.ownerDb.selectFrom("audit_events").select("actor_label").where("actor_token_id", "=", fresh.id).executeTakeFirstOrThrow();
    expect(row.actor_label).toBe("ExampleAgent/2.1");
    await client.close();
  });

  test("a token whose person left the org keeps only tools that need no org", async () => {
    const leaver = await createUser(kernel);
    await kernel.ownerDb.insertInto("memberships").values({ org_id: owner.org.id, user_id: leaver.id, role: "editor" }).execute();
    const { token } = await createToken(kernel, leaver.id, owner.org.id, ["read", "write"]);
    await kernel.ownerDb.deleteFrom("memberships").where("user_id", "=", leaver.id).execute();
    const client = await mcp.connect(token);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain("list_projects");
    expect(names).toContain("whoami");
    await client.close();
  });
});

describe("prompts", () => {
  test("build_dashboard is listed and turns a question into steps and the document format", async () => {
    const client = await mcp.connect(readToken);
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(["build_dashboard"]);
    expect(prompts[0]!.arguments).toEqual(expect.arrayContaining([expect.objectContaining({ name: "question", required: true })]));
    const prompt = await client.getPrompt({ name: "build_dashboard", arguments: { question: "How is weekly revenue trending?", project: "alpha" } });
    const body = (prompt.messages[0]!.content as { text: string }).text;
    expect(body).toContain("How is weekly revenue trending?");
    expect(body).toContain('Use project "alpha"');
    expect(body).toContain("validate_dashboard");
    // A read token is told it cannot save.
    expect(body).toContain("read-only");
    await expect(client.getPrompt({ name: "build_dashboard", arguments: {} })).rejects.toThrow(/question/);
    await expect(client.getPrompt({ name: "nope", arguments: {} })).rejects.toThrow(/not found/);
    await client.close();
  });
});
