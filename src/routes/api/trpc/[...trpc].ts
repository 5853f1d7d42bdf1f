/**
 * The tRPC endpoint: every procedure of every plugin, batched and streamed, with
 * subscriptions over SSE. Before anything is parsed or authenticated:
 *   - cookie-borne mutations must come from our own Origin (403);
 *   - a batch may hold at most ATRIUM_MAX_BATCH calls (413 BATCH_TOO_LARGE);
 *   - the body is read with a byte limit while it streams in (413 PAYLOAD_TOO_LARGE): the small
 *     anonymous limit unless the request presents a credential, and the small one again once a
 *     presented credential turns out to be worthless.
 */
import type { APIEvent } from "@solidjs/start/server";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { originProblem } from "~/kernel/auth/request";
import { batchSizeOf, bodyLimitFor, formatBytes, PayloadTooLarge, readBodyLimited, withBufferedBody } from "~/kernel/http/body";
import { createRequestContext } from "~/server/context";
import { getKernel } from "~/server/kernel";
import { refuseRestOfBody, requestMetaOf } from "~/server/request";
import { appRouter } from "~/plugins";

const ENDPOINT = "/api/trpc";

/** An error in tRPC's own response shape, so the client shows its message. */
function trpcProblem(status: number, jsonRpcCode: number, code: string, message: string, requestId: string, headers: Record<string, string> = {}): Response {
  return Response.json(
    { error: { message, code: jsonRpcCode, data: { code, httpStatus: status, requestId } } },
    { status, headers: { "cache-control": "no-store", ...headers } },
  );
}

async function handle(event: APIEvent) {
  const kernel = await getKernel();
  const meta = requestMetaOf(event, kernel);
  const { requestId } = meta;
  const problem = originProblem(event.request, kernel.config.publicUrl);
  if (problem) return trpcProblem(403, -32003, "FORBIDDEN", problem, requestId);

  const url = new URL(event.request.url);
  const calls = batchSizeOf(url, ENDPOINT);
  if (calls > kernel.config.maxBatch) {
    return trpcProblem(413, -32413, "BATCH_TOO_LARGE", `Too many calls in one batch (${calls}); send at most ${kernel.config.maxBatch} per request.`, requestId);
  }

  const limit = bodyLimitFor(event.request.headers, kernel.config);
  let body: Uint8Array;
  try {
    body = event.request.method === "GET" ? new Uint8Array(0) : await readBodyLimited(event.request, limit);
  } catch (err) {
    if (err instanceof PayloadTooLarge) {
      refuseRestOfBody(event);
      return trpcProblem(413, -32413, "PAYLOAD_TOO_LARGE", err.message, requestId);
    }
    // The client went away or sent a broken chunked body.
    return trpcProblem(400, -32600, "BAD_REQUEST", "The request body could not be read.", requestId);
  }
  const anonymousLimit = kernel.config.maxBodyBytes.anonymous;
  const signal = AbortSignal.any([event.request.signal, meta.signal]);

  return fetchRequestHandler({
    endpoint: ENDPOINT,
    req: withBufferedBody(event.request, body, signal),
    router: appRouter,
    // Queries with long inputs (SQL) may be sent as POST with ?method override.
    allowMethodOverride: true,
    maxBatchSize: kernel.config.maxBatch,
    createContext: async ({ resHeaders }) => {
      const ctx = await createRequestContext({ request: event.request, resHeaders, requestId, ip: meta.ip, signal });
      if (ctx.actor.kind === "anonymous" && body.byteLength > anonymousLimit) {
        // A presented credential earned the larger read; it turned out to be worthless.
        throw Object.assign(
          new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: `The request body is too large: at most ${formatBytes(anonymousLimit)} (${anonymousLimit} bytes) without signing in.` }),
          { requestId },
        );
      }
      return ctx;
    },
  });
}

export const GET = handle;
export const POST = handle;
