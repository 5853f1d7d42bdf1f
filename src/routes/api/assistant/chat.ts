/**
 * The assistant's conversation endpoint: POST the conversation, get the answer as the AI SDK's
 * UI message stream over SSE. The logic (Origin check, session, authorization, limits, tools,
 * streaming) is in plugins/assistant/chat.ts.
 */
import type { APIEvent } from "@solidjs/start/server";
import { getRequestIP } from "vinxi/http";
import { assistantConfig } from "../../../../plugins/assistant/config";
import { handleChatRequest } from "../../../../plugins/assistant/chat";
import { getKernel } from "~/server/kernel";
import { appRouter } from "~/plugins";

export async function POST(event: APIEvent) {
  const kernel = await getKernel();
  return handleChatRequest(event.request, { kernel, router: appRouter, config: assistantConfig() }, {
    requestId: (event.locals.requestId as string | undefined) ?? crypto.randomUUID(),
    ip: getRequestIP(event.nativeEvent, { xForwardedFor: kernel.config.trustProxy }) ?? null,
  });
}
