/**
 * The tRPC endpoint: every procedure of every plugin, batched and streamed, with
 * subscriptions over SSE.
 */
import type { APIEvent } from "@solidjs/start/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getRequestIP } from "vinxi/http";
import { createRequestContext } from "~/server/context";
import { appRouter } from "~/plugins";

function handle(event: APIEvent) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: event.request,
    router: appRouter,
    createContext: ({ resHeaders }) =>
      createRequestContext({
        request: event.request,
        resHeaders,
        requestId: (event.locals.requestId as string | undefined) ?? crypto.randomUUID(),
        ip: getRequestIP(event.nativeEvent, { xForwardedFor: true }) ?? null,
      }),
  });
}

export const GET = handle;
export const POST = handle;
