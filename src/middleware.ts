/**
 * Request middleware: a request id on every request (echoed as `x-request-id`), one access
 * log line per request (headers that carry secrets are never logged) and the HTTP counter.
 */
import { createMiddleware } from "@solidjs/start/middleware";
import { randomUUID } from "node:crypto";
import { getKernel } from "~/server/kernel";

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

function routeKind(pathname: string): string {
  if (pathname.startsWith("/api/trpc")) return "trpc";
  if (pathname.startsWith("/api/")) return "api";
  if (pathname === "/metrics") return "metrics";
  if (pathname.startsWith("/_build") || pathname.startsWith("/assets") || /\.[a-z0-9]+$/i.test(pathname)) return "asset";
  return "page";
}

export default createMiddleware({
  onRequest: (event) => {
    const incoming = event.request.headers.get("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    event.locals.requestId = requestId;
    event.locals.startedAt = performance.now();
  },
  onBeforeResponse: async (event, response) => {
    const requestId = event.locals.requestId as string;
    const url = new URL(event.request.url);
    const status = (response.body as Response | undefined) instanceof Response ? (response.body as Response).status : event.response.status ?? 200;
    event.response.headers.set("x-request-id", requestId);
    const kernel = await getKernel().catch(() => null);
    if (!kernel) return;
    const route = routeKind(url.pathname);
    kernel.metrics.httpRequests.inc({ method: event.request.method, route, status: String(status) });
    if (route !== "asset") {
      kernel.log.info(
        {
          requestId,
          method: event.request.method,
          path: url.pathname,
          status,
          ms: Math.round((performance.now() - (event.locals.startedAt as number)) * 10) / 10,
        },
        "request",
      );
    }
  },
});
