/**
 * The mcp-oauth plugin: Atrium's OAuth authorization server for MCP clients (MCP authorization,
 * 2025-11-25). Clients discover it from `/mcp`'s 401, register (RFC 7591, de-duplicated) or
 * name a Client ID Metadata Document, send their person to the consent screen (org, scopes,
 * projects), and get one-hour access tokens bound to `/mcp` (RFC 8707) with rotating refresh
 * tokens. Connected apps are listed for their person and the org's admins; an org may allow
 * agents read-write, read-only or not at all. See README.md and docs/decisions/022-*.md.
 */
import { registerAgentGate, registerBearerVerifier } from "~/kernel/auth/bearer";
import { definePlugin } from "~/kernel/plugin";
import { mcpOauthCapabilities } from "./capabilities";
import { mcpOauthHttpRoutes } from "./http";
import { cleanupJob } from "./jobs";
import * as authorizationServerMigration from "./migrations/2026-12-02-001-authorization-server";
import * as deviceAuthorizationMigration from "./migrations/2026-12-02-002-device-authorization";
import * as agentsSettingInvalidationMigration from "./migrations/2026-12-03-001-agents-setting-invalidation";
import { mcpOauthRouter } from "./router";
import { ACCESS_TOKEN_PREFIX } from "./secrets";
import { agentsAllowedIn, verifyAccessToken } from "./service";
import { loadMcpOauthEnv, mcpOauthSettings } from "./settings";

export const mcpOauthPlugin = definePlugin({
  id: "mcp-oauth",
  requires: ["data", "dashboards", "agent"],
  capabilities: mcpOauthCapabilities,
  migrations: {
    "2026-12-02-001-authorization-server": authorizationServerMigration,
    "2026-12-02-002-device-authorization": deviceAuthorizationMigration,
    "2026-12-03-001-agents-setting-invalidation": agentsSettingInvalidationMigration,
  },
  router: mcpOauthRouter,
  http: mcpOauthHttpRoutes,
  jobs: [cleanupJob],
  init({ kernel }) {
    // Fail the boot on a bad variable, naming it.
    loadMcpOauthEnv();
    // The org's agent setting is cached per instance (tag `a:<org>`, migration 2026-12-03-001).
    kernel.authCache.watch(["mcp_oauth_org_settings"]);
    registerBearerVerifier(
      kernel,
      {
        claims: (token) => token.startsWith(ACCESS_TOKEN_PREFIX),
        async verify(k, token, { resource }) {
          const check = await verifyAccessToken(k.db, token, resource);
          if (!check.ok) return { ok: false, status: 401, reason: check.reason, error: "invalid_token" };
          const g = check.grant;
          return { ok: true, bearer: { userId: g.user_id, tokenId: g.id, orgId: g.org_id, scopes: g.scopes, projectIds: g.project_ids, kind: "oauth" } };
        },
      },
      { authorizationServer: kernel.config.publicUrl },
    );
    // Every agent credential (OAuth or personal token) answers to its org's setting and the server flag.
    registerAgentGate(kernel, async (k, bearer) => {
      const agents = await k.authCache.get(`agents:${bearer.orgId}`, () => agentsAllowedIn(k.db, bearer.orgId), () => [`a:${bearer.orgId}`, `o:${bearer.orgId}`]);
      if (agents === "off") return { ok: false, status: 403, reason: "AI agents are turned off in this organization", error: "access_denied" };
      const readOnly = agents === "read" || mcpOauthSettings(k).agentsReadOnly;
      return { ok: true, bearer: readOnly ? { ...bearer, scopes: ["read"] } : bearer };
    });
  },
});
