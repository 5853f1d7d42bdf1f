/**
 * The agent plugin's browser half: the "Connect an AI agent" section of the account page
 * (MCP URL, a token for the agent, configuration snippets for common MCP clients).
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";

export const agentUi = definePluginUi({
  id: "agent",
  slots: {
    "account.sections": [{ id: "connect-agent", component: lazy(() => import("./ui/ConnectAgent")) }],
  },
});
