/**
 * GET /auth/<provider>/callback: the provider's redirect back (auth-oidc plugin). Signs the
 * person in and sends them on, or to `/sign-in?error=<code>`.
 */
import type { APIEvent } from "@solidjs/start/server";
import { getRequestIP } from "vinxi/http";
import { resolveCaller } from "~/kernel/auth/request";
import { getKernel } from "~/server/kernel";
import { oidcProvidersFromEnv } from "../../../../plugins/auth-oidc/config";
import { completeSignIn } from "../../../../plugins/auth-oidc/service";

export async function GET(event: APIEvent) {
  const kernel = await getKernel();
  const url = new URL(event.request.url);
  const { actor } = await resolveCaller(kernel, event.request.headers).catch(() => ({ actor: { kind: "anonymous" as const } }));
  const headers = new Headers({ "cache-control": "no-store", "referrer-policy": "no-referrer" });
  const result = await completeSignIn(kernel, oidcProvidersFromEnv(), event.params.provider ?? "", url.searchParams, {
    resHeaders: headers,
    ip: getRequestIP(event.nativeEvent, { xForwardedFor: kernel.config.trustProxy }) ?? null,
    userAgent: event.request.headers.get("user-agent"),
    requestId: (event.locals.requestId as string | undefined) ?? crypto.randomUUID(),
    signedInUserId: actor.kind === "user" ? actor.userId : null,
  });
  headers.set("location", result.location);
  return new Response(null, { status: 302, headers });
}
