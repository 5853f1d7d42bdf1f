/**
 * The agent plugin: MCP over Streamable HTTP at `/mcp` for AI agents, acting through personal
 * access tokens. Tools are the procedures carrying `mcp` metadata (src/kernel/tools.ts);
 * dashboards are resources; `build_dashboard` is a prompt. Its HTTP routes (`/mcp` and
 * `/.well-known/oauth-protected-resource/mcp`) are declared here and served by the kernel's
 * dispatcher (./http.ts); the account page's "Connect an AI agent" section is this plugin's browser half (./ui.ts).
 * See docs/agents.md and docs/decisions/015-mcp.md.
 */
import { definePlugin } from "~/kernel/plugin";
import { flushAgentAudit } from "./audit-batch";
import { agentHttpRoutes } from "./http";
import { loadAgentSettings } from "./settings";

export const agentPlugin = definePlugin({
  id: "agent",
  http: agentHttpRoutes,
  init() {
    // Fail the boot on a bad variable, naming it, rather than on the first MCP request.
    loadAgentSettings();
  },
  async stop({ kernel }) {
    // Read-only calls' audit events still queued (./audit-batch.ts).
    await flushAgentAudit(kernel);
  },
});
