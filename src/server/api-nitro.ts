/**
 * Nitro server plugin (production build): API traffic (src/server/api.ts) is served on node's
 * request before the h3 app — its hooks, router and SolidStart's page handler — sees it. Pages
 * and assets go on to the app as before. See docs/decisions/025-lean-api-path.md.
 */
import type { NitroApp } from "nitropack/types";
import { IDLE_COLLECT_AFTER_MS, idleCollector } from "./idle-gc";
import { serveApi } from "./serve-api";

// A plain function (what defineNitroPlugin returns), like ./boot-plugin.ts.
export default function leanApiPath(nitroApp: NitroApp) {
  const app = nitroApp.h3App;
  const pages = app.handler;
  // After a burst, once quiet for ten seconds, the heap is collected back to what is live. Not
  // sooner: a full collection costs the next few hundred milliseconds of traffic (ADR 041), so it
  // waits until the instance is at rest, as V8's own memory reducer waits eight seconds.
  const idle = idleCollector({ quietMs: IDLE_COLLECT_AFTER_MS, minRequests: 200 });
  // Node's listener (h3's toNodeListener) reads `app.handler` on every request.
  app.handler = async (event) => {
    const { req, res } = event.node;
    idle.served();
    if (await serveApi(req, res)) return;
    return pages(event);
  };
}
