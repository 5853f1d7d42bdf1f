/**
 * MCP scenario: `tools/call` of `get_dashboard` over Streamable HTTP at /mcp, against the very
 * same procedure (`dashboards.get`) over tRPC HTTP with the same bearer token, in the same run.
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

export const mcpScenarios: Scenario[] = [
  {
    id: "mcp-get-dashboard",
    description:
      "MCP tools/call get_dashboard over Streamable HTTP with a read token: token check, rate limit, a new MCP server and transport, " +
      "the caller's tools, the procedure, an audit event. Baseline: the same procedure, dashboards.get, over tRPC HTTP GET with the same token.",
    async prepare({ atriumUrl }) {
      const { cookie } = await signUp(atriumUrl, "bench-mcp");
      const org = await trpcPost(atriumUrl, "orgs.create", { slug: `bench-mcp-${Date.now().toString(36)}`, name: "Bench MCP" }, cookie);
      const orgId = org.data.id as string;
      const project = await trpcPost(atriumUrl, "projects.create", { orgId, slug: "bench", name: "Bench" }, cookie);
      const projectId = project.data.id as string;
      const dashboard = await trpcPost(atriumUrl, "dashboards.create", { orgId, projectId, yaml: DASHBOARD, slug: "revenue" }, cookie);
      const slug = dashboard.data.slug as string;
      const token = await trpcPost(atriumUrl, "auth.tokens.create", { orgId, name: "bench agent", scopes: ["read"], expiresInDays: 1 }, cookie);
      const authorization = `Bearer ${token.data.token as string}`;

      const call = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "get_dashboard", arguments: { projectId, slug } } };
      const target: Endpoint = {
        label: "Atrium MCP tools/call get_dashboard",
        url: atriumUrl,
        request: {
          method: "POST",
          path: "/mcp",
          headers: {
            authorization,
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            "mcp-protocol-version": "2025-06-18",
            "x-mcp-client": "bench",
          },
          body: JSON.stringify(call),
        },
      };
      const input = encodeURIComponent(JSON.stringify({ orgId, projectId, slug }));
      const baseline: Endpoint = {
        label: "Atrium tRPC dashboards.get (same token)",
        url: atriumUrl,
        request: { method: "GET", path: `/api/trpc/dashboards.get?input=${input}`, headers: { authorization } },
      };

      // Both answer the same dashboard before the load starts.
      for (const endpoint of [target, baseline]) {
        const res = await fetch(endpoint.url + endpoint.request.path, { method: endpoint.request.method, headers: endpoint.request.headers, body: endpoint.request.body });
        const text = await res.text();
        if (!res.ok || !text.includes("Bench revenue")) throw new Error(`${endpoint.label} answered ${res.status}: ${text.slice(0, 300)}`);
        if (text.includes('"isError":true')) throw new Error(`${endpoint.label} answered a tool error: ${text.slice(0, 300)}`);
      }
      return { target, baseline };
    },
  },
];
