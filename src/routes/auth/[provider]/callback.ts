/**
 * GET /auth/<provider>/callback: a provider's redirect back (any provider a plugin registers).
 * Signs the person in and sends them on, or to `/sign-in?error=<code>`.
 */
import type { APIEvent } from "@solidjs/start/server";
import { findSignInProvider } from "~/kernel/auth/providers";
import { resolveCaller } from "~/kernel/auth/request";
import { getKernel } from "~/server/kernel";
import { requestMetaOf } from "~/server/request";

export async function GET(event: APIEvent) {
  const kernel = await getKernel();
  const meta = requestMetaOf(event, kernel);
  const headers = new Headers({ "cache-control": "no-store", "referrer-policy": "no-referrer" });
  const provider = findSignInProvider(kernel, event.params.provider ?? "");
  if (!provider) {
    headers.set("location", "/sign-in?error=unknown_provider");
    return new Response(null, { status: 302, headers });
  }
  const url = new URL(event.request.url);
  const { actor } = await resolveCaller(kernel, event.request.headers).catch(() => ({ actor: { kind: "anonymous" as const } }));
  const result = await provider.complete(kernel, url.searchParams, {
    resHeaders: headers,
    ip: meta.ip,
    userAgent: event.request.headers.get("user-agent"),
    requestId: meta.requestId,
    signedInUserId: actor.kind === "user" ? actor.userId : null,
  });
  headers.set("location", result.location);
  return new Response(null, { status: 302, headers });
}
