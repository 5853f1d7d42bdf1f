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
  // The request's own signal does not fire when the browser disconnects (Stop): the socket
  // closing before the answer is sent does, so the model call stops too.
  const gone = new AbortController();
  const response = event.nativeEvent.node.res;
  response.once("close", () => {
    if (!response.writableFinished) gone.abort();
  });
  return handleChatRequest(event.request, { kernel, router: appRouter, config: assistantConfig() }, {
    requestId: (event.locals.requestId as string | undefined) ?? crypto.randomUUID(),
    ip: getRequestIP(event.nativeEvent, { xForwardedFor: kernel.config.trustProxy }) ?? null,
    signal: gone.signal,
  });
}
