/**
 * The mcp-oauth plugin's browser half: the consent screen (a focused page MCP clients send
 * their person to), the device page (where a person enters a CLI's code), "Connected apps" on the account page, and "AI agents" in org settings.
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";
import { agentsManage } from "./capabilities";

export const mcpOauthUi = definePluginUi({
  id: "mcp-oauth",
  slots: {
    "account.sections": [{ id: "connected-apps", component: lazy(() => import("./ui/ConnectedApps")) }],
    "org.settings.sections": [{ id: "ai-agents", capability: agentsManage, component: lazy(() => import("./ui/OrgAgents")) }],
  },
  pages: [
    { layout: "bare", path: "/connect/authorize", breadcrumb: "Connect an app", chrome: "focused", signIn: "required", component: lazy(() => import("./ui/ConsentPage")) },
    { layout: "bare", path: "/connect/device", breadcrumb: "Connect a device", chrome: "focused", signIn: "required", component: lazy(() => import("./ui/DevicePage")) },
  ],
});
