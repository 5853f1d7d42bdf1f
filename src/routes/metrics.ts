/**
 * Prometheus metrics. When METRICS_TOKEN is set, scrapers must send it as a bearer token.
 */
import type { APIEvent } from "@solidjs/start/server";
import { timingSafeEqual } from "node:crypto";
import { getKernel } from "~/server/kernel";

function tokenMatches(header: string | null, expected: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, "") ?? "");
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

export async function GET(event: APIEvent) {
  const kernel = await getKernel();
  const token = kernel.config.metricsToken;
  if (token && !tokenMatches(event.request.headers.get("authorization"), token)) {
    return new Response("Unauthorized\n", { status: 401, headers: { "www-authenticate": "Bearer" } });
  }
  const { contentType, body } = await kernel.metrics.render();
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}
