/**
 * The plugin's HTTP route: the conversation endpoint, `POST /api/assistant/chat`, served by the
 * kernel's dispatcher. Its logic (chat.ts) loads with the first conversation, not with every
 * server start: it brings the AI SDK.
 */
import type { HttpRoute } from "~/kernel/http/routes";
import { assistantConfig } from "./config";

/** The largest conversation a browser may send, in bytes. */
export const MAX_CHAT_BODY_BYTES = 2_000_000;

export const assistantHttpRoutes: readonly HttpRoute[] = [
  {
    method: "POST",
    path: "/api/assistant/chat",
    maxBodyBytes: MAX_CHAT_BODY_BYTES,
    handle: async (request, ctx) => {
      const { handleChatRequest } = await import("./chat");
      return handleChatRequest(request, { kernel: ctx.kernel, router: ctx.router, config: assistantConfig() }, { requestId: ctx.requestId, ip: ctx.ip, signal: ctx.signal });
    },
  },
];
