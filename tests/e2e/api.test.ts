/**
 * The HTTP surface of the built server, as clients other than a browser meet it: health,
 * metrics, bearer tokens on /api/trpc, the Origin check, the CLI working on the same database.
 */
import { spawnSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { TEST_SECRET } from "../setup/database";
import { startServer, type AppServer } from "./harness";
import { ROOT } from "./paths";

let server: AppServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server?.stop());

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/atrium.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: server.databaseUrl, ATRIUM_SECRET: TEST_SECRET, LOG_LEVEL: "warn" },
  });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

test("health answers ok and metrics count procedures", async () => {
  const health = await fetch(`${server.url}/api/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: "ok", db: "ok" });
  expect(health.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  await fetch(`${server.url}/api/trpc/kernel.info`);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  expect(metrics).toContain('atrium_procedure_calls_total{path="kernel.info",type="query",code="OK"}');
  expect(metrics).toMatch(/atrium_http_requests_total\{method="GET",route="api",status="200"\} \d+/);
});

test("a CLI-made token authenticates as its user, within its org and scopes; bad tokens get 401", async () => {
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  await db.query("insert into users (email, name) values ('cli-owner@example.test', 'CLI Owner')");
  await db.end();
  const org = cli("orgs:create", "--owner", "cli-owner@example.test", "--slug", "cli-org", "--name", "CLI Org");
  expect(org.status, org.stderr).toBe(0);
  const token = cli("tokens:create", "--user", "cli-owner@example.test", "--org", "cli-org", "--scopes", "read");
  expect(token.stdout).toMatch(/^atr_[a-z2-7]{32}$/);
  // spawnSync blocked the event loop for seconds: let fetch see the server close its idle
  // keep-alive sockets meanwhile, or the next request may be written to a closed one.
  await new Promise((r) => setTimeout(r, 100));

  const me = await fetch(`${server.url}/api/trpc/auth.me`, { headers: { authorization: `Bearer ${token.stdout}` } });
  expect(me.status).toBe(200);
  const body = (await me.json()) as { result: { data: { email: string; orgs: Array<{ slug: string; role: string }> } } };
  expect(body.result.data).toMatchObject({ email: "cli-owner@example.test", orgs: [{ slug: "cli-org", role: "owner" }] });

  const create = await fetch(`${server.url}/api/trpc/projects.create`, {
    method: "POST",
    headers: { authorization: `Bearer ${token.stdout}`, "content-type": "application/json" },
    body: JSON.stringify({ orgId: org.stdout, slug: "nope", name: "Nope" }),
  });
  expect(create.status).toBe(403);

  for (const bad of ["Bearer atr_" + "a".repeat(32), "Bearer not-a-token", "Token abc"]) {
    const res = await fetch(`${server.url}/api/trpc/auth.me`, { headers: { authorization: bad } });
    expect(res.status, bad).toBe(401);
    const err = (await res.json()) as { error: { data: { code: string } } };
    expect(err.error.data.code).toBe("UNAUTHORIZED");
  }
});

test("cookie-borne mutations from another origin are refused before anything runs", async () => {
  const res = await fetch(`${server.url}/api/trpc/auth.signOut`, {
    method: "POST",
    headers: { cookie: `atrium_session=${"a".repeat(32)}`, origin: "https://evil.example", "content-type": "application/json" },
    body: "{}",
  });
  expect(res.status).toBe(403);
  const otherName = await fetch(`${server.url}/api/trpc/auth.signOut`, {
    method: "POST",
    headers: { cookie: `atrium_session=${"a".repeat(32)}`, origin: server.url.replace("127.0.0.1", "localhost"), "content-type": "application/json" },
    body: "{}",
  });
  // Same machine, other name: not PUBLIC_URL's origin, so still refused.
  expect(otherName.status).toBe(403);
  const same = await fetch(`${server.url}/api/trpc/auth.signOut`, {
    method: "POST",
    headers: { cookie: `atrium_session=${"a".repeat(32)}`, origin: server.url, "content-type": "application/json" },
    body: "{}",
  });
  // Our origin passes the check; the made-up session is simply not signed in.
  expect(same.status).toBe(401);
});

test("invalid input is a 422 naming the field, never a 500", async () => {
  const res = await fetch(`${server.url}/api/trpc/orgs.bySlug?input=${encodeURIComponent(JSON.stringify({ slug: 42 }))}`, {
    headers: { authorization: "Bearer atr_" + "b".repeat(32) },
  });
  expect(res.status).toBe(401);
  const anon = await fetch(`${server.url}/api/trpc/orgs.invitations.preview?input=${encodeURIComponent(JSON.stringify({ token: 42 }))}`);
  expect(anon.status).toBe(422);
  const err = (await anon.json()) as { error: { data: { code: string; fieldErrors: Record<string, string[]> } } };
  expect(err.error.data.code).toBe("UNPROCESSABLE_CONTENT");
  expect(Object.keys(err.error.data.fieldErrors)).toEqual(["token"]);
});
