/**
 * assistant: the in-app AI chat beside dashboards, the dashboard editor and the chart builder,
 * and on the org home. It answers with any OpenAI-compatible model (config.ts), uses the same
 * tools as MCP clients, called as the signed-in person (tools.ts), proposes edits into the open
 * editor as a diff the person accepts or rejects, and keeps conversations per person and
 * project. Mounted at `assistant.*` (threads, status); the conversation streams from
 * `/api/assistant/chat` (chat.ts, behind this plugin's HTTP route in http.ts). See docs/assistant.md.
 */
import { definePlugin } from "~/kernel/plugin";
import { assistantCapabilities } from "./capabilities";
import { assistantHttpRoutes } from "./http";
import { assistantConfig } from "./config";
import * as threadsMigration from "./migrations/2026-12-05-001-threads";
import { assistantRouter } from "./router";

export const assistantPlugin = definePlugin({
  id: "assistant",
  capabilities: assistantCapabilities,
  migrations: { "2026-12-05-001-threads": threadsMigration },
  router: assistantRouter,
  http: assistantHttpRoutes,
  init({ kernel }) {
    // A wrong AI_* variable stops the boot naming it; none at all leaves the assistant off.
    const config = assistantConfig();
    if (config.configured) kernel.log.info({ plugin: "assistant", provider: config.provider, model: config.model }, "assistant model configured");
  },
});
