/**
 * MCP scenarios: `tools/call` of `get_dashboard` over Streamable HTTP at /mcp, against the very
 * same procedure (`dashboards.get`) over tRPC HTTP with the same bearer token, in the same run;
 * and the same `tools/call` with an OAuth access token (device grant) against a personal access
 * token. Run both (`--scenario mcp-get-dashboard --scenario mcp-oauth-get-dashboard`) for the
 * three figures of one run: OAuth / PAT and PAT / tRPC.
 *
 * What MCP adds per request: a new MCP Server and transport (stateless), JSON-RPC parsing, the
 * per-token rate limit, the caller's tool list (a role lookup), the structured + text result,
 * and one audit event for the call. Set-up goes through the public API like a person would:
 * sign up, create an org, a project and a dashboard, and a read token.
 */
import type { Endpoint } from "./baseline";
import type { Scenario } from "./scenarios";
import { signUp, trpcPost } from "./api";


const DASHBOARD = `title: Bench revenue
description: A dashboard for the MCP benchmark
tags: [bench]
queries:
  revenue:
    sql: select 'EMEA' as region, 10 as revenue
charts:
  - id: revenue
    title: Revenue
    type: bar
    query: revenue
    x: region
    y: revenue
layout:
  rows:
    - [{ chart: revenue, width: 12 }]
`;

/** A person with an org, a project, a dashboard and a read personal access token (all through the API). */
async function benchWorld(atriumUrl: string, prefix: string) {
  const { cookie } = await signUp(atriumUrl, prefix);
  const org = await trpcPost(atriumUrl, "orgs.create", { slug: `${prefix}-${Date.now().toString(36)}`, name: "Bench MCP" }, cookie);
  const orgId = org.data.id as string;
  const project = await trpcPost(atriumUrl, "projects.create", { orgId, slug: "bench", name: "Bench" }, cookie);
  const projectId = project.data.id as string;
  const dashboard = await trpcPost(atriumUrl, "dashboards.create", { orgId, projectId, yaml: DASHBOARD, slug: "revenue" }, cookie);
  const slug = dashboard.data.slug as string;
  const token = await trpcPost(atriumUrl, "auth.tokens.create", { orgId, name: "bench agent", scopes: ["read"], expiresInDays: 1 }, cookie);
  return { cookie, orgId, projectId, slug, pat: token.data.token as string };
}

function toolCall(atriumUrl: string, label: string, token: string, projectId: string, slug: string): Endpoint {
  const call = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "get_dashboard", arguments: { projectId, slug } } };
  return {
    label,
    url: atriumUrl,
    request: {
      method: "POST",
      path: "/mcp",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-06-18",
        "x-mcp-client": "bench",
      },
      body: JSON.stringify(call),
    },
  };
}

/** Both answer the same dashboard before the load starts. */
async function checkBoth(endpoints: Endpoint[]): Promise<void> {
  for (const endpoint of endpoints) {
    const res = await fetch(endpoint.url + endpoint.request.path, { method: endpoint.request.method, headers: endpoint.request.headers, body: endpoint.request.body });
    const text = await res.text();
    if (!res.ok || !text.includes("Bench revenue")) throw new Error(`${endpoint.label} answered ${res.status}: ${text.slice(0, 300)}`);
    if (text.includes('"isError":true')) throw new Error(`${endpoint.label} answered a tool error: ${text.slice(0, 300)}`);
  }
}

/** An OAuth access token for /mcp through the device grant, approved by the person (their session). */
async function oauthAccessToken(atriumUrl: string, cookie: string, orgId: string): Promise<string> {
  const form = (body: Record<string, string>) => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body).toString() });
  const registered = await fetch(`${atriumUrl}/oauth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: "Bench agent", grant_types: ["urn:ietf:params:oauth:grant-type:device_code"] }),
  });
  const { client_id } = (await registered.json()) as { client_id: string };
  const device = (await (await fetch(`${atriumUrl}/oauth/device_authorization`, form({ client_id, scope: "read" }))).json()) as { device_code: string; user_code: string };
  await trpcPost(atriumUrl, "mcpOauth.device.approve", { userCode: device.user_code, orgId, scopes: ["read"], projectIds: null }, cookie);
  const tokens = (await (await fetch(`${atriumUrl}/oauth/token`, form({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", client_id, device_code: device.device_code }))).json()) as { access_token?: string };
  if (!tokens.access_token) throw new Error(`The device grant gave no token: ${JSON.stringify(tokens).slice(0, 300)}`);
  return tokens.access_token;
}

export const mcpScenarios: Scenario[] = [
  {
    id: "mcp-get-dashboard",
    description:
      "MCP tools/call get_dashboard over Streamable HTTP with a read token: token check, rate limit, a new MCP server and transport, " +
      "the caller's tools, the procedure, an audit event. Baseline: the same procedure, dashboards.get, over tRPC HTTP GET with the same token.",
    async prepare({ atriumUrl }) {
      const { orgId, projectId, slug, pat } = await benchWorld(atriumUrl, "bench-mcp");
      const target = toolCall(atriumUrl, "Atrium MCP tools/call get_dashboard", pat, projectId, slug);
      const input = encodeURIComponent(JSON.stringify({ orgId, projectId, slug }));
      const baseline: Endpoint = {
        label: "Atrium tRPC dashboards.get (same token)",
        url: atriumUrl,
        request: { method: "GET", path: `/api/trpc/dashboards.get?input=${input}`, headers: { authorization: `Bearer ${pat}` } },
      };
      await checkBoth([target, baseline]);
      return { target, baseline };
    },
  },
  {
    id: "mcp-oauth-get-dashboard",
    description:
      "MCP tools/call get_dashboard with an OAuth access token (device grant, read): the token and its grant looked up, the audience, " +
      "the org's agent setting, the grant's use counted. Baseline: the same tools/call with a read personal access token of the same person.",
    async prepare({ atriumUrl }) {
      const { cookie, orgId, projectId, slug, pat } = await benchWorld(atriumUrl, "bench-oauth");
      const access = await oauthAccessToken(atriumUrl, cookie, orgId);
      const target = toolCall(atriumUrl, "Atrium MCP tools/call get_dashboard (OAuth access token)", access, projectId, slug);
      const baseline = toolCall(atriumUrl, "Atrium MCP tools/call get_dashboard (personal access token)", pat, projectId, slug);
      await checkBoth([target, baseline]);
      return { target, baseline };
    },
  },
];
