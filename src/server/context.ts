/**
 * Builds the tRPC request context from an HTTP request: the kernel, who is calling (session
 * cookie or bearer token), and the request's id and address.
 */
import { TRPCError } from "@trpc/server";
import { resolveCaller, type HeaderReader } from "~/kernel/auth/request";
import type { Kernel } from "~/kernel/kernel";
import type { RequestContext } from "~/kernel/trpc";
import { getKernel } from "./kernel";

export interface ContextInput {
  /** The booted kernel (the server's own when omitted). */
  kernel?: Kernel;
  headers: HeaderReader;
  resHeaders: Headers | null;
  requestId: string;
  ip: string | null;
  signal?: AbortSignal;
}

export async function requestContextOf(input: ContextInput): Promise<RequestContext> {
  try {
    const kernel = input.kernel ?? (await getKernel());
    const { actor, setCookie } = await resolveCaller(kernel, input.headers);
    if (setCookie) input.resHeaders?.append("set-cookie", setCookie);
    return {
      kernel,
      actor,
      db: kernel.db,
      requestId: input.requestId,
      ip: input.ip,
      resHeaders: input.resHeaders,
      signal: input.signal,
      userAgent: input.headers.get("user-agent"),
    };
  } catch (err) {
    // tRPC formats an error from the context builder without a context: the error carries the
    // request id itself (read by the error formatter in src/kernel/trpc.ts).
    const error = err instanceof TRPCError ? err : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: err });
    throw Object.assign(error, { requestId: input.requestId });
  }
}

/** The context for a fetch `Request` (server-rendered pages). */
export function createRequestContext(input: {
  request: Request;
  resHeaders: Headers | null;
  requestId: string;
  ip: string | null;
  signal?: AbortSignal;
}): Promise<RequestContext> {
  return requestContextOf({ resHeaders: input.resHeaders, requestId: input.requestId, ip: input.ip, headers: input.request.headers, signal: input.signal ?? input.request.signal });
}
