/**
 * The tRPC endpoint: every procedure of every plugin, batched and streamed, with
 * subscriptions over SSE. Cookie-borne mutations must come from our own Origin.
 */
import type { APIEvent } from "@solidjs/start/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getRequestIP } from "vinxi/http";
import { originProblem } from "~/kernel/auth/request";
import { createRequestContext } from "~/server/context";
import { getKernel } from "~/server/kernel";
import { appRouter } from "~/plugins";

async function handle(event: APIEvent) {
  const kernel = await getKernel();
  const problem = originProblem(event.request, kernel.config.publicUrl);
  if (problem) {
    return Response.json({ error: { message: problem, data: { code: "FORBIDDEN", httpStatus: 403 } } }, { status: 403 });
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: event.request,
    router: appRouter,
    // Queries with long inputs (SQL) may be sent as POST with ?method override.
    allowMethodOverride: true,
    createContext: ({ resHeaders }) =>
      createRequestContext({
        request: event.request,
        resHeaders,
        requestId: (event.locals.requestId as string | undefined) ?? crypto.randomUUID(),
        ip: getRequestIP(event.nativeEvent, { xForwardedFor: kernel.config.trustProxy }) ?? null,
      }),
  });
}

export const GET = handle;
export const POST = handle;
