/**
 * MCP over Streamable HTTP for AI agents (the agent plugin): stateless, bearer tokens only.
 * See plugins/agent/http.ts and docs/agents.md.
 */
import type { APIEvent } from "@solidjs/start/server";
import { getRequestIP } from "vinxi/http";
import { getKernel } from "~/server/kernel";
import { appRouter } from "~/plugins";
import { handleMcpHttp } from "../../plugins/agent/http";
import { loadAgentSettings, type AgentSettings } from "../../plugins/agent/settings";

let settings: AgentSettings | undefined;

async function handle(event: APIEvent) {
  const kernel = await getKernel();
  settings ??= loadAgentSettings();
  return handleMcpHttp(event.request, {
    kernel,
    router: appRouter,
    settings,
    requestId: (event.locals.requestId as string | undefined) ?? crypto.randomUUID(),
    ip: getRequestIP(event.nativeEvent, { xForwardedFor: kernel.config.trustProxy }) ?? null,
  });
}

export const GET = handle;
export const POST = handle;
export const DELETE = handle;
export const OPTIONS = handle;
