/**
 * Builds the tRPC request context from an HTTP request.
 */
import type { RequestContext } from "~/kernel/trpc";
import { getKernel } from "./kernel";

export async function createRequestContext(input: {
  request: Request;
  resHeaders: Headers | null;
  requestId: string;
  ip: string | null;
}): Promise<RequestContext> {
  const kernel = await getKernel();
  return {
    kernel,
    actor: { kind: "anonymous" },
    db: kernel.db,
    requestId: input.requestId,
    ip: input.ip,
    resHeaders: input.resHeaders,
    signal: input.request.signal,
  };
}
