import { defineCapability } from "~/kernel/capabilities";

/**
 * Denied: the member sees their own connected apps but not the org's list of every agent
 * connection, cannot disconnect other people's agents, and cannot change whether AI agents
 * are allowed in the org (403).
 */
export const agentsManage = defineCapability("mcp-oauth.agents.manage", {
  description: "See and disconnect every AI agent connected to the organization, and decide whether agents are allowed",
  grant: ["owner", "admin"],
});

export const mcpOauthCapabilities = [agentsManage] as const;
