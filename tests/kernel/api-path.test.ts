/**
 * The API path (src/server/api.ts) on a real node:http server: tRPC single calls answered by the
 * fast path byte for byte as tRPC's fetch adapter answers them, the request id, security headers,
 * Origin check, batch cap, body limit, SSE subscriptions, plugin routes, health, the access
 * counter, and pages left alone.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSession, generateSessionToken, SESSION_COOKIE } from "~/kernel/auth/session";
import { createApiHandler, type ApiHandler } from "~/server/api";
import { handleMcpHttp } from "../../plugins/agent/http";
import { loadAgentSettings } from "../../plugins/agent/settings";
import { useTestKernel } from "../setup/kernel";
import { createOrg, createUser, testRouter } from "../setup/fixtures";
import { testPlugins } from "../setup/plugins";

const servers: http.Server[] = [];
let fast: string;
let full: string;
let owner: { id: string; cookie: string };
let orgId: string;

async function serve(handler: ApiHandler): Promise<string> {
  const server = http.createServer((req, res) => {
    void handler(req, res).then((served) => {
      if (!served) res.writeHead(200, { "content-type": "text/html" }).end("<p>a page</p>");
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const booted = useTestKernel();
beforeAll(async () => {
  const { kernel } = booted;
  fast = await serve(createApiHandler({ kernel: async () => kernel, router: testRouter, plugins: testPlugins }));
  full = await serve(createApiHandler({ kernel: async () => kernel, router: testRouter, plugins: testPlugins, fastCalls: false }));
  const user = await createUser(kernel);
  const token = generateSessionToken();
  await createSession(kernel.db, token, user.id);
  owner = { id: user.id, cookie: `${SESSION_COOKIE}=${token}` };
  orgId = (await createOrg(kernel, [{ userId: owner.id, role: "owner" }])).id;
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

const origin = () => booted.kernel.config.publicUrl;
const input = (value: unknown) => `input=${encodeURIComponent(JSON.stringify(value))}`;

/** Status, the headers that matter, and the body with the request id blanked. */
async function answer(base: string, path: string, init: RequestInit = {}) {
  const res = await fetch(base + path, { ...init, headers: { "x-request-id": "same-request-id-01", ...(init.headers as Record<string, string>) } });
  const body = await res.text();
  return { status: res.status, type: res.headers.get("content-type"), vary: res.headers.get("vary"), body };
}

describe("tRPC single calls: the fast path answers as tRPC's fetch adapter does", () => {
  const cases: Array<[string, string, () => RequestInit]> = [
    ["a public query", "/api/trpc/kernel.info", () => ({})],
    ["a public query with input", `/api/trpc/example.hello?${input({ name: "Ada" })}`, () => ({})],
    ["invalid input (422 with field errors)", `/api/trpc/example.hello?${input({ name: "" })}`, () => ({})],
    ["a guarded query, signed out (401)", `/api/trpc/example.notes.list?${input({ orgId: "00000000-0000-4000-8000-000000000000" })}`, () => ({})],
    ["a guarded query, not a member (404)", `/api/trpc/example.notes.list?${input({ orgId: "00000000-0000-4000-8000-000000000000" })}`, () => ({ headers: { cookie: owner.cookie } })],
    ["a guarded query, a member", `/api/trpc/example.notes.list?${input({ orgId })}`, () => ({ headers: { cookie: owner.cookie } })],
    ["a bad bearer token (401 from the context)", "/api/trpc/auth.me", () => ({ headers: { authorization: "Bearer nope" } })],
    ["a query sent as POST (405)", "/api/trpc/kernel.info", () => ({ method: "POST", headers: { "content-type": "application/json", origin: origin() }, body: "{}" })],
    ["an unknown procedure (404)", "/api/trpc/no.such.thing", () => ({})],
    ["a body that is not JSON (400)", "/api/trpc/example.notes.add", () => ({ method: "POST", headers: { cookie: owner.cookie, origin: origin(), "content-type": "application/json" }, body: "{nope" })],
    ["a mutation with invalid input", "/api/trpc/example.notes.add", () => ({ method: "POST", headers: { cookie: owner.cookie, origin: origin(), "content-type": "application/json" }, body: JSON.stringify({ orgId, body: "" }) })],
  ];
  for (const [name, path, init] of cases) {
    test(name, async () => {
      const [a, b] = [await answer(fast, path, init()), await answer(full, path, init())];
      expect(a).toEqual(b);
      expect(a.type).toBe("application/json");
    });
  }

  test("an answer with characters beyond ASCII: its Content-Length counts bytes, and it arrives whole", async () => {
    const name = "Åsa 🚀 東京";
    const res = await fetch(`${fast}/api/trpc/example.hello?${input({ name })}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.status).toBe(200);
    expect(Number(res.headers.get("content-length"))).toBe(bytes.byteLength);
    expect(bytes.byteLength).toBeGreaterThan(bytes.toString("utf8").length);
    expect(JSON.stringify(JSON.parse(bytes.toString("utf8")))).toContain(name);
    expect(bytes.toString("utf8")).toBe((await answer(full, `/api/trpc/example.hello?${input({ name })}`)).body);
  });

  test("a mutation: same shape, and it happened", async () => {
    const add = (base: string, body: string) =>
      answer(base, "/api/trpc/example.notes.add", { method: "POST", headers: { cookie: owner.cookie, origin: origin(), "content-type": "application/json" }, body: JSON.stringify({ orgId, body }) });
    const [a, b] = [await add(fast, "one"), await add(full, "two")];
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(Object.keys(JSON.parse(a.body).result.data).sort()).toEqual(Object.keys(JSON.parse(b.body).result.data).sort());
    const list = JSON.parse((await answer(fast, `/api/trpc/example.notes.list?${input({ orgId })}`, { headers: { cookie: owner.cookie } })).body);
    expect(list.result.data.map((n: { body: string }) => n.body)).toEqual(expect.arrayContaining(["one", "two"]));
  });
});

describe("what every API response carries", () => {
  test("the request id (the caller's when sane, else a UUID) and the security headers", async () => {
    const mine = await fetch(`${fast}/api/trpc/kernel.info`, { headers: { "x-request-id": "probe-request-0001" } });
    expect(mine.headers.get("x-request-id")).toBe("probe-request-0001");
    const junk = await fetch(`${fast}/api/trpc/kernel.info`, { headers: { "x-request-id": "<script>" } });
    expect(junk.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    for (const res of [mine, await fetch(`${fast}/api/health`), await fetch(`${fast}/.well-known/oauth-protected-resource/mcp`)]) {
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self';/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  test("errors from building the context carry the request id", async () => {
    const res = await fetch(`${fast}/api/trpc/auth.me`, { headers: { authorization: "Bearer nope", "x-request-id": "probe-request-0002" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { data: { code: "UNAUTHORIZED", requestId: "probe-request-0002" } } });
  });

  test("each answered request is counted by route and status", async () => {
    const { kernel } = booted;
    const count = async () => {
      const { body } = await kernel.metrics.render();
      return Number(/http_requests_total\{method="GET",route="trpc",status="200"\} (\d+)/.exec(body)?.[1] ?? 0);
    };
    const before = await count();
    await (await fetch(`${fast}/api/trpc/kernel.info`)).text();
    await expect.poll(count).toBe(before + 1);
  });
});

describe("the guards in front of tRPC", () => {
  test("a cookie-borne mutation from another origin is refused before anything runs", async () => {
    const res = await fetch(`${fast}/api/trpc/example.notes.add`, {
      method: "POST",
      headers: { cookie: owner.cookie, origin: "https://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ orgId, body: "csrf" }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { data: { code: "FORBIDDEN" } } });
  });

  test("a batch over the cap is refused", async () => {
    const { kernel } = booted;
    const paths = Array.from({ length: kernel.config.maxBatch + 1 }, () => "kernel.info").join(",");
    const res = await fetch(`${fast}/api/trpc/${paths}?batch=1`);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { data: { code: "BATCH_TOO_LARGE" } } });
    const ok = await fetch(`${fast}/api/trpc/kernel.info,kernel.info?batch=1`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as unknown[]).length).toBe(2);
  });

  test("a body over the anonymous limit is refused unread and the connection closes", async () => {
    const { kernel } = booted;
    const big = "x".repeat(kernel.config.maxBodyBytes.anonymous + 10);
    const res = await fetch(`${fast}/api/trpc/example.notes.add`, { method: "POST", headers: { "content-type": "application/json", origin: origin() }, body: big });
    expect(res.status).toBe(413);
    expect(res.headers.get("connection")).toBe("close");
    expect(await res.json()).toMatchObject({ error: { data: { code: "PAYLOAD_TOO_LARGE" } } });
  });

  test("a subscription streams over SSE, and a note added meanwhile arrives", async () => {
    const controller = new AbortController();
    const res = await fetch(`${fast}/api/trpc/example.notes.onAdded?${input({ orgId })}`, { headers: { cookie: owner.cookie, accept: "text/event-stream" }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let seen = "";
    // The connected event comes first; then add a note and wait for it.
    while (!seen.includes("connected")) seen += decoder.decode((await reader.read()).value);
    const added = await answer(fast, "/api/trpc/example.notes.add", { method: "POST", headers: { cookie: owner.cookie, origin: origin(), "content-type": "application/json" }, body: JSON.stringify({ orgId, body: "live over sse" }) });
    expect(added.status).toBe(200);
    while (!seen.includes("live over sse")) seen += decoder.decode((await reader.read()).value);
    controller.abort();
  });
});

describe("plugin routes, health and pages", () => {
  test("plugin routes go through the dispatcher with the caller", async () => {
    const listed = await fetch(`${fast}/api/example/orgs/${orgId}/notes`, { headers: { cookie: owner.cookie } });
    expect(listed.status).toBe(200);
    const stranger = await fetch(`${fast}/api/example/orgs/${orgId}/notes`);
    expect(stranger.status).toBe(401);
    const mcp = await fetch(`${fast}/mcp`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(mcp.status).toBe(401);
    expect(mcp.headers.get("www-authenticate")).toContain("resource_metadata=");
    const head = await fetch(`${fast}/.well-known/oauth-protected-resource/mcp`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  test("an MCP call on the node request (the route's fast handler) answers as the web handler does", async () => {
    const { kernel } = booted;
    const made = await fetch(`${fast}/api/trpc/auth.tokens.create`, {
      method: "POST",
      headers: { cookie: owner.cookie, origin: origin(), "content-type": "application/json" },
      body: JSON.stringify({ orgId, name: "fast path", scopes: ["read"], expiresInDays: 1 }),
    });
    const pat = ((await made.json()) as { result: { data: { token: string } } }).result.data.token;
    const headers = { authorization: `Bearer ${pat}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" };
    const body = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "list_projects", arguments: {} } });
    const viaNode = await fetch(`${fast}/mcp`, { method: "POST", headers, body });
    const viaWeb = await handleMcpHttp(new Request(`${kernel.config.publicUrl}/mcp`, { method: "POST", headers, body }), {
      kernel,
      router: testRouter,
      settings: loadAgentSettings(),
      requestId: "web",
      ip: null,
    });
    expect(viaNode.status).toBe(200);
    expect(viaNode.headers.get("content-type")).toBe("application/json");
    expect(viaNode.headers.get("x-request-id")).toBeTruthy();
    const [a, b] = [await viaNode.json(), await viaWeb.json()];
    expect(a).toEqual(b);
    expect(a).toMatchObject({ jsonrpc: "2.0", id: 7, result: { structuredContent: expect.anything() } });
    // Not the plain case (a notification): the web handler's SDK transport answers it.
    const note = await fetch(`${fast}/mcp`, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) });
    expect(note.status).toBe(202);
  });

  test("health answers from the database", async () => {
    const res = await fetch(`${fast}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", db: "ok" });
  });

  test("pages and assets are not the API path's", async () => {
    for (const path of ["/", "/sign-in", "/o/acme", "/_build/assets/x.js", "/api/trpcx", "/mcpx"]) {
      const res = await fetch(fast + path);
      expect(await res.text(), path).toBe("<p>a page</p>");
    }
  });
});
