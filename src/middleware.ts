/**
 * Request middleware for pages and assets: a request id on every request (echoed as
 * `x-request-id`), the security headers (src/server/security.ts: a CSP with this response's
 * script nonce), one access log line per request when the response has finished (so the status
 * is the one sent; headers that carry secrets are never logged) and the HTTP request counter.
 *
 * API traffic (`/api/trpc`, `/api/health`, plugin HTTP routes) is served by src/server/api.ts on
 * node's request: in the production build a Nitro plugin does it before the app sees the
 * request; under `vinxi dev` this middleware hands it over first.
 */
import { createMiddleware } from "@solidjs/start/middleware";
import { getKernel } from "~/server/kernel";
import { requestIdFrom } from "~/server/request";
import { applySecurityHeaders } from "~/server/security";
import { serveApi } from "~/server/serve-api";

function routeKind(pathname: string): string {
  if (pathname.startsWith("/api/")) return "api";
  if (pathname === "/metrics") return "metrics";
  if (pathname.startsWith("/_build") || pathname.startsWith("/assets") || /\.[a-z0-9]+$/i.test(pathname)) return "asset";
  return "page";
}

export default createMiddleware({
  onRequest: async (event) => {
    const { req, res } = event.nativeEvent.node;
    if (await serveApi(req, res)) return;
    const requestId = requestIdFrom(event.request.headers);
    event.locals.requestId = requestId;
    const started = performance.now();
    const method = event.request.method;
    const url = new URL(event.request.url);
    res.setHeader("x-request-id", requestId);
    // A kernel that failed to boot stops the process; until then, headers still go out.
    const kernel = await getKernel().catch(() => null);
    applySecurityHeaders(event, { publicUrl: kernel?.config.publicUrl ?? "", production: kernel?.config.nodeEnv !== "development" });
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
