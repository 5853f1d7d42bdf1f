/**
 * Abuse limits against the built server: oversized bodies (declared and chunked, anonymous and
 * with a worthless credential) get 413 before anything parses them, oversized tRPC batches 413,
 * a flood of expensive calls from a viewer gets 429 with Retry-After past the org's budget; no
 * answer is a 5xx or leaks a V8 message. Chunked bodies, batches and the flood run while
 * `/api/health` is probed from another process (200 within 1 s, every probe). Also: plugin routes are served (dot paths included) and pages carry the security
 * headers.
 */
import { spawn } from "node:child_process";
import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateApiToken, hashApiToken } from "~/kernel/auth/tokens";
import { startServer, type AppServer } from "./harness";

let server: AppServer;
let db: pg.Client;

beforeAll(async () => {
  server = await startServer();
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await server?.stop();
});

/**
 * Probes /api/health every 100 ms from a separate process (so the attack's own client work in
 * this process does not skew the timings) until stopped; returns every probe's status and time.
 */
async function watchHealth() {
  const script = `
    const url = process.argv[1];
    let running = true;
    process.on("message", () => { running = false; });
    (async () => {
      while (running) {
        const started = performance.now();
        const status = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(async (r) => { await r.arrayBuffer(); return r.status; }).catch(() => 0);
        process.send({ status, ms: Math.round(performance.now() - started) });
        await new Promise((r) => setTimeout(r, 100));
      }
      process.disconnect();
    })();
  `;
  const probes: Array<{ status: number; ms: number }> = [];
  const proc = spawn(process.execPath, ["-e", script, `${server.url}/api/health`], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  proc.on("message", (m) => probes.push(m as { status: number; ms: number }));
  const done = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  // The attack starts once the prober answers (a quiet server: its first probe is not counted).
  await new Promise<void>((resolve) => proc.once("message", () => resolve()));
  probes.length = 0;
  const begun = Date.now();
  return {
    async stop() {
      // At least a second of probes, whatever the attack's length.
      const rest = 1_200 - (Date.now() - begun);
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
      proc.send("stop");
      await done;
      return probes;
    },
  };
}

function expectHealthy(probes: Array<{ status: number; ms: number }>) {
  expect(probes.length).toBeGreaterThan(1);
  const bad = probes.filter((p) => p.status !== 200 || p.ms >= 1_000);
  expect(bad, JSON.stringify(probes)).toEqual([]);
}

/**
 * A POST over a raw TCP socket: `total` bytes in 64 KiB chunks, written as fast as the server
 * takes them, with a declared length or chunked. Resolves with the first response. A raw socket
 * (not node:http) because the server answers 413 and closes while the body is still being sent:
 * the write then fails with EPIPE, but what the server said can still be read.
 */
function rawPost(path: string, options: { total: number; declare: boolean; headers?: Record<string, string> }): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, server.url);
    const headers: Record<string, string> = { host: url.host, "content-type": "application/json", connection: "close", ...options.headers };
    if (options.declare) headers["content-length"] = String(options.total);
    else headers["transfer-encoding"] = "chunked";
    const head = `POST ${url.pathname}${url.search} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
    const socket = net.connect(Number(url.port), url.hostname);
    const chunk = Buffer.alloc(64 * 1024, "a");
    const framed = options.declare ? chunk : Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
    let sent = 0;
    let received = "";
    let stopped = false;
    const finish = () => {
      stopped = true;
      const match = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(received);
      if (!match) return reject(new Error(`no HTTP response after ${sent} bytes: ${JSON.stringify(received.slice(0, 200))}`));
      let body = match[3]!;
      if (/transfer-encoding: chunked/i.test(match[2]!)) {
        let out = "";
        for (let rest = body; ; ) {
          const eol = rest.indexOf("\r\n");
          const size = parseInt(rest.slice(0, eol), 16);
          if (!size) break;
          out += rest.slice(eol + 2, eol + 2 + size);
          rest = rest.slice(eol + 2 + size + 2);
        }
        body = out;
      }
      resolve({ status: Number(match[1]), body, sent });
    };
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => {
      received += d;
      stopped = true;
    });
    socket.on("close", finish);
    // EPIPE/ECONNRESET once the server has answered and closed: the answer is in `received`.
    socket.on("error", () => {});
    const pump = () => {
      while (!stopped && sent < options.total) {
        sent += chunk.length;
        if (!socket.write(framed)) return void socket.once("drain", pump);
      }
      if (!stopped && !options.declare) socket.write("0\r\n\r\n");
    };
    socket.once("connect", () => {
      socket.write(head);
      pump();
    });
  });
}

async function rssBytes(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^(?:atrium_)?process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN);
}

async function person(name: string): Promise<{ id: string; email: string }> {
  const email = `${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@limits.test`;
  const { rows } = await db.query<{ id: string }>("insert into users (email, name) values ($1, $2) returning id", [email, name]);
  return { id: rows[0]!.id, email };
}

async function token(userId: string, orgId: string, scopes: string[]): Promise<string> {
  const value = generateApiToken();
  await db.query("insert into api_tokens (user_id, org_id, name, token_hash, scopes) values ($1, $2, 'limits', $3, $4)", [userId, orgId, hashApiToken(value), scopes]);
  return value;
}

async function trpc<T>(path: string, bearer: string, input: unknown, method: "GET" | "POST" = "POST"): Promise<T> {
  const url = method === "GET" ? `${server.url}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}` : `${server.url}/api/trpc/${path}`;
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: method === "POST" ? JSON.stringify(input) : undefined,
  });
  const body = (await res.json()) as { result?: { data: T }; error?: unknown };
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body.result!.data;
}

describe("body limits", () => {
  test("an anonymous 200 MB sign-in body is refused by its declared length, unread; memory stays flat", async () => {
    const before = await rssBytes();
    const health = await watchHealth();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => rawPost("/api/trpc/authPassword.signIn", { total: 200 * 1024 * 1024, declare: true, headers: { origin: server.url } })),
    );
    expectHealthy(await health.stop());
    for (const r of results) {
      expect(r.status).toBe(413);
      const body = JSON.parse(r.body) as { error: { message: string; data: { code: string; requestId: string } } };
      expect(body.error.data.code).toBe("PAYLOAD_TOO_LARGE");
      expect(body.error.message).toMatch(/at most 64 KiB/);
      expect(body.error.data.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect((await rssBytes()) - before).toBeLessThan(150 * 1024 * 1024);
  });

  test("a chunked anonymous body is counted and cut off past 64 KiB", async () => {
    const health = await watchHealth();
    const results = await Promise.all(Array.from({ length: 4 }, () => rawPost("/api/trpc/authPassword.signIn", { total: 100 * 1024 * 1024, declare: false, headers: { origin: server.url } })));
    expectHealthy(await health.stop());
    for (const r of results) {
      expect(r.status).toBe(413);
      expect(JSON.parse(r.body)).toMatchObject({ error: { data: { code: "PAYLOAD_TOO_LARGE" } } });
      expect(r.body).not.toMatch(/Cannot create a string|Invalid string length|RangeError/);
    }
  });

  test("a presented but worthless credential earns nothing: the anonymous limit applies after all", async () => {
    const res = await fetch(`${server.url}/api/trpc/authPassword.signIn`, {
      method: "POST",
      headers: { origin: server.url, cookie: `atrium_session=${"a".repeat(32)}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "x@example.test", password: "p".repeat(1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { data: { code: "PAYLOAD_TOO_LARGE", requestId: expect.any(String) }, message: expect.stringContaining("without signing in") } });
  });

  test("a plugin route's own limit (the assistant's 2 MB) refuses a declared 8 MB body before any auth work", async () => {
    const res = await rawPost("/api/assistant/chat", { total: 8 * 1024 * 1024, declare: true, headers: { origin: server.url, cookie: `atrium_session=${"a".repeat(32)}` } });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE", message: expect.stringContaining("2000000 bytes"), requestId: expect.any(String) } });
  });
});

describe("batches and expensive calls", () => {
  test("a batch over 25 calls is refused before any runs; 25 are served", async () => {
    const batch = (n: number) => {
      const paths = Array.from({ length: n }, () => "kernel.info").join(",");
      const input = Object.fromEntries(Array.from({ length: n }, (_, i) => [i, {}]));
      return fetch(`${server.url}/api/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`);
    };
    const health = await watchHealth();
    // 200 calls: far over the cap, still under Node's 16 KB limit on the request line (past it,
    // Node itself answers 431).
    const big = await Promise.all(Array.from({ length: 20 }, () => batch(200)));
    expectHealthy(await health.stop());
    for (const res of big) {
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { data: { code: "BATCH_TOO_LARGE" }, message: expect.stringContaining("at most 25") } });
    }
    const ok = await batch(25);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as unknown[]).length).toBe(25);
  });

  test("300 renderChart calls from a viewer: the org's budget answers 429 with Retry-After past it, health stays up", async () => {
    const owner = await person("Owner");
    const viewer = await person("Viewer");
    const { rows } = await db.query<{ id: string }>("insert into orgs (slug, name) values ('limits-org', 'Limits') returning id");
    const orgId = rows[0]!.id;
    await db.query("insert into memberships (org_id, user_id, role) values ($1, $2, 'owner'), ($1, $3, 'viewer')", [orgId, owner.id, viewer.id]);
    const ownerToken = await token(owner.id, orgId, ["read", "write"]);
    const viewerToken = await token(viewer.id, orgId, ["read"]);
    const project = await trpc<{ id: string }>("projects.create", ownerToken, { orgId, slug: "numbers", name: "Numbers" });
    // A query that keeps the database busy for a while (a tenth of a second or more), and a
    // variable each call sets to its own value: no call is answered from the result cache, so
    // the flood holds the org's slots for seconds and its tail must be refused, however the
    // server happens to interleave the arrivals.
    const yaml = `title: Numbers
variables:
  - { name: n, type: number, default: 0 }
queries:
  numbers:
    sql: |
      select label, value + {{n}} * 0 as value
      from (values ('a', 1), ('b', 3), ('c', 2)) as t(label, value)
      where (select count(*) from generate_series(1, 2000000)) > 0
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
    const created = await trpc<{ slug: string }>("dashboards.create", ownerToken, { orgId, projectId: project.id, yaml });
    const input = { orgId, projectId: project.id, slug: created.slug, chartId: "numbers" };
    // One call works on its own.
    expect((await trpc<{ svg: string }>("dashboards.renderChart", viewerToken, input, "GET")).svg).toContain("<svg");

    const health = await watchHealth();
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        fetch(`${server.url}/api/trpc/dashboards.renderChart?input=${encodeURIComponent(JSON.stringify({ ...input, variables: { n: i + 1 } }))}`, { headers: { authorization: `Bearer ${viewerToken}` } }).then(
          async (r) => ({ status: r.status, retryAfter: r.headers.get("retry-after"), body: await r.text() }),
        ),
      ),
    );
    const elapsed = performance.now() - started;
    expectHealthy(await health.stop());
    const byStatus = new Map<number, number>();
    for (const r of responses) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    expect([...byStatus.keys()].every((s) => s === 200 || s === 429), JSON.stringify([...byStatus])).toBe(true);
    expect(byStatus.get(429) ?? 0).toBeGreaterThan(0);
    expect(byStatus.get(200) ?? 0).toBeGreaterThan(0);
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.retryAfter).toBe("2");
    expect(JSON.parse(refused.body)).toMatchObject({ error: { data: { code: "TOO_MANY_REQUESTS" } } });
    expect(elapsed).toBeLessThan(30_000);
  });
});

describe("plugin routes and headers on the built server", () => {
  test("the agent plugin's routes are served by the dispatcher, the dot path included", async () => {
    const meta = await fetch(`${server.url}/.well-known/oauth-protected-resource/mcp`);
    expect(meta.status).toBe(200);
    expect(await meta.json()).toMatchObject({ resource: `${server.url}/mcp` });
    const mcp = await fetch(`${server.url}/mcp`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(mcp.status).toBe(401);
    expect(mcp.headers.get("www-authenticate")).toContain(`${server.url}/.well-known/oauth-protected-resource/mcp`);
    expect(mcp.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const other = await fetch(`${server.url}/.well-known/something-else`);
    expect(other.status).toBe(404);
  });

  test("errors while the request context is built carry the request id", async () => {
    const res = await fetch(`${server.url}/api/trpc/auth.me`, { headers: { authorization: "Bearer nope", "x-request-id": "probe-request-0001" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { data: { code: "UNAUTHORIZED", requestId: "probe-request-0001" } } });
  });

  test("pages carry a nonce-based CSP, no framing, nosniff, a referrer and permissions policy; every script has the nonce", async () => {
    const res = await fetch(`${server.url}/sign-in`);
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("permissions-policy")).toContain("camera=()");
    // PUBLIC_URL is http here: no HSTS.
    expect(res.headers.get("strict-transport-security")).toBeNull();
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    // A fresh nonce per response.
    const again = (await fetch(`${server.url}/sign-in`)).headers.get("content-security-policy");
    expect(again).not.toContain(nonce!);
  });
});
