/**
 * Builds the tRPC request context from an HTTP request: the kernel, who is calling (session
 * cookie or bearer token), and the request's id and address.
 */
import { TRPCError } from "@trpc/server";
import { resolveCaller } from "~/kernel/auth/request";
import type { RequestContext } from "~/kernel/trpc";
import { getKernel } from "./kernel";

export async function createRequestContext(input: {
  request: Request;
  resHeaders: Headers | null;
  requestId: string;
  ip: string | null;
  signal?: AbortSignal;
}): Promise<RequestContext> {
  try {
    const kernel = await getKernel();
    const { actor, setCookie } = await resolveCaller(kernel, input.request.headers);
    if (setCookie) input.resHeaders?.append("set-cookie", setCookie);
    return {
      kernel,
      actor,
      db: kernel.db,
      requestId: input.requestId,
      ip: input.ip,
      resHeaders: input.resHeaders,
      signal: input.signal ?? input.request.signal,
      userAgent: input.request.headers.get("user-agent"),
    };
  } catch (err) {
    // tRPC formats an error from the context builder without a context: the error carries the
    // request id itself (read by the error formatter in src/kernel/trpc.ts).
    const error = err instanceof TRPCError ? err : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: err });
    throw Object.assign(error, { requestId: input.requestId });
  }
}
