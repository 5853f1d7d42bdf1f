/**
 * GET /auth/<provider>/start?next=/path: begins an OpenID Connect sign-in (auth-oidc plugin).
 * Signed in already, the identity is linked to the current account at the callback.
 */
import type { APIEvent } from "@solidjs/start/server";
import { resolveCaller } from "~/kernel/auth/request";
import { getKernel } from "~/server/kernel";
import { oidcProvidersFromEnv } from "../../../../plugins/auth-oidc/config";
import { beginSignIn, OidcFailure } from "../../../../plugins/auth-oidc/service";

export async function GET(event: APIEvent) {
  const kernel = await getKernel();
  const providerId = event.params.provider ?? "";
  const provider = oidcProvidersFromEnv().find((p) => p.id === providerId);
  const redirect = (location: string) => new Response(null, { status: 302, headers: { location, "cache-control": "no-store" } });
  if (!provider) return redirect("/sign-in?error=unknown_provider");
  const url = new URL(event.request.url);
  const { actor } = await resolveCaller(kernel, event.request.headers).catch(() => ({ actor: { kind: "anonymous" as const } }));
  try {
    const target = await beginSignIn(kernel, provider, {
      next: url.searchParams.get("next"),
      linkUserId: actor.kind === "user" ? actor.userId : null,
    });
    return redirect(target.href);
  } catch (err) {
    const reason = err instanceof OidcFailure ? err.reason : "provider_unreachable";
    kernel.log.warn({ plugin: "auth-oidc", provider: provider.id, reason }, "OIDC sign-in could not start");
    return redirect(`/sign-in?error=${reason}`);
  }
}
