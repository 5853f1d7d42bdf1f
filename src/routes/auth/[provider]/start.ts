/**
 * GET /auth/<provider>/start?next=/path: begins a sign-in with any provider a plugin registers
 * (`signIn.providers` on its definition: OIDC, GitHub …). Signed in already, the identity is
 * linked to the current account at the callback.
 */
import type { APIEvent } from "@solidjs/start/server";
import { findSignInProvider, SignInStartError } from "~/kernel/auth/providers";
import { resolveCaller } from "~/kernel/auth/request";
import { hitRateLimit } from "~/kernel/rate-limit";
import { getKernel } from "~/server/kernel";
import { requestMetaOf } from "~/server/request";

const START_LIMIT = 30;

export async function GET(event: APIEvent) {
  const kernel = await getKernel();
  const providerId = event.params.provider ?? "";
  const provider = findSignInProvider(kernel, providerId);
  const redirect = (location: string) => new Response(null, { status: 302, headers: { location, "cache-control": "no-store", "referrer-policy": "no-referrer" } });
  if (!provider) return redirect("/sign-in?error=unknown_provider");
  // Each start stores a flow: a flood from one address is cut off (30 per 10 minutes).
  const { ip } = requestMetaOf(event, kernel);
  if (ip && !(await hitRateLimit(kernel.db, `signin-start:ip:${ip}`, START_LIMIT, 600)).allowed) return redirect("/sign-in?error=rate_limited");
  const url = new URL(event.request.url);
  const { actor } = await resolveCaller(kernel, event.request.headers).catch(() => ({ actor: { kind: "anonymous" as const } }));
  try {
    const target = await provider.begin(kernel, {
      next: url.searchParams.get("next"),
      linkUserId: actor.kind === "user" ? actor.userId : null,
    });
    return redirect(target.href);
  } catch (err) {
    const reason = err instanceof SignInStartError ? err.reason : "provider_unreachable";
    kernel.log.warn({ component: "sign-in", provider: provider.id, reason }, "sign-in could not start");
    return redirect(`/sign-in?error=${reason}`);
  }
}
