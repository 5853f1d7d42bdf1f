/**
 * Request middleware: a request id on every request (echoed as `x-request-id`), one access
 * log line per request when the response has finished (so the status is the one sent; headers
 * that carry secrets are never logged) and the HTTP request counter.
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
    const started = performance.now();
    const method = event.request.method;
    const url = new URL(event.request.url);
    const res = event.nativeEvent.node.res;
    res.setHeader("x-request-id", requestId);
    res.once("finish", () => {
      void getKernel().then(
        (kernel) => {
          const route = routeKind(url.pathname);
          kernel.metrics.httpRequests.inc({ method, route, status: String(res.statusCode) });
          if (route === "asset") return;
          kernel.log.info(
            { requestId, method, path: url.pathname, status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10 },
            "request",
          );
        },
        () => {},
      );
    });
  },
});
