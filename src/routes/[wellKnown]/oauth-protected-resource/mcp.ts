/**
 * `GET /.well-known/oauth-protected-resource/mcp`: RFC 9728 metadata for the MCP endpoint,
 * named by the 401's `WWW-Authenticate: Bearer resource_metadata="…"`.
 *
 * The route is a `[wellKnown]` parameter rather than a `.well-known` folder: the file router
 * skips dot folders when it builds (its glob does not match dot files), so such a route would
 * work in development and vanish in production. Any other first segment answers 404.
 */
import type { APIEvent } from "@solidjs/start/server";
import { getKernel } from "~/server/kernel";
import { protectedResourceMetadataResponse } from "../../../../plugins/agent/http";

export async function GET(event: APIEvent) {
  if (event.params.wellKnown !== ".well-known") {
    return new Response("Not found\n", { status: 404, headers: { "content-type": "text/plain" } });
  }
  const kernel = await getKernel();
  return protectedResourceMetadataResponse(kernel.config.publicUrl);
}
