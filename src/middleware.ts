/**
 * Request middleware: a request id on every request (echoed as `x-request-id`), the security
 * headers (src/server/security.ts: a CSP with this response's script nonce), plugin HTTP routes, one access log line per request when the response has finished
 * (so the status is the one sent; headers that carry secrets are never logged) and the HTTP
 * request counter.
 *
 * Plugin routes are dispatched here, ahead of the file router, through the kernel's one
 * dispatcher (src/kernel/http/dispatch.ts): no file under src/routes names a plugin, and dot
 * paths such as `/.well-known/…` (which the file router cannot build) are served too.
 */
import { createMiddleware } from "@solidjs/start/middleware";
import { createHttpDispatcher, type HttpDispatcher } from "~/kernel/http/dispatch";
import { getKernel } from "~/server/kernel";
import { refuseRestOfBody, requestIdFrom, requestMetaOf } from "~/server/request";
import { applySecurityHeaders } from "~/server/security";
import { appRouter, plugins } from "~/plugins";

function routeKind(pathname: string, plugin: boolean): string {
  if (pathname.startsWith("/api/trpc")) return "trpc";
  if (plugin) return "plugin";
  if (pathname.startsWith("/api/")) return "api";
  if (pathname === "/metrics") return "metrics";
  if (pathname.startsWith("/_build") || pathname.startsWith("/assets") || /\.[a-z0-9]+$/i.test(pathname)) return "asset";
  return "page";
}

let dispatcher: HttpDispatcher | undefined;

export default createMiddleware({
  onRequest: async (event) => {
    const requestId = requestIdFrom(event.request.headers);
    event.locals.requestId = requestId;
    const started = performance.now();
    const method = event.request.method;
    const url = new URL(event.request.url);
    const res = event.nativeEvent.node.res;
    res.setHeader("x-request-id", requestId);
    // A kernel that failed to boot stops the process; until then, headers still go out.
    const kernel = await getKernel().catch(() => null);
    applySecurityHeaders(event, { publicUrl: kernel?.config.publicUrl ?? "", production: kernel?.config.nodeEnv !== "development" });
    dispatcher ??= createHttpDispatcher(plugins);
    const plugin = dispatcher.owns(url.pathname);
    res.once("finish", () => {
      void getKernel().then(
        (kernel) => {
          const route = routeKind(url.pathname, plugin);
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
    if (plugin && kernel) {
      const meta = requestMetaOf(event, kernel);
      const response = await dispatcher.dispatch(event.request, { kernel, router: appRouter, ...meta });
      if (response?.status === 413) refuseRestOfBody(event);
      if (response) return response;
    }
  },
});
