import { defineJob } from "~/kernel/jobs";
import type { Kernel } from "~/kernel/kernel";
import { removeUnusedClients } from "./clients";
import { removeExpired } from "./service";
import { mcpOauthDb } from "./tables";

/**
 * Daily housekeeping across every org (the owner's connection, as operator work): registrations
 * nobody used, expired authorization requests, codes and tokens.
 */
export const cleanupJob = defineJob<"mcp-oauth.cleanup">("mcp-oauth.cleanup", {
  schedule: "17 3 * * *",
  async run(_data, { kernel, log }) {
    const db = mcpOauthDb((kernel as Kernel).ownerDb);
    await removeExpired(db);
    const removed = await removeUnusedClients(db);
    if (removed) log.info({ removed }, "unused MCP client registrations removed");
  },
});
