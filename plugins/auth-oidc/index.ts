/**
 * auth-oidc: sign in with any OpenID Connect provider found by discovery (Okta, Keycloak,
 * Azure AD, Auth0, Google): authorization code + PKCE + state + nonce, the ID token validated
 * by openid-client (signature via JWKS, iss, aud, exp, nonce), the email taken only when the
 * provider says it is verified. Configured from the environment (config.ts); mounted at
 * `authOidc.*`. Its providers and identities join the kernel's sign-in registry (`signIn`):
 * the flow's redirects are the kernel's routes under src/routes/auth/[provider]/, and the
 * identities are listed and unlinked on the account page with every other sign-in method.
 */
import { SignInStartError, type SignInProvider } from "~/kernel/auth/providers";
import { definePlugin } from "~/kernel/plugin";
import { oidcProvidersFromEnv, type OidcProviderConfig } from "./config";
import * as identities from "./migrations/2026-11-25-001-identities";
import { authOidcRouter } from "./router";
import { beginSignIn, completeSignIn, OidcFailure, oidcDb } from "./service";

function signInProvider(config: OidcProviderConfig): SignInProvider {
  return {
    id: config.id,
    name: config.name,
    kind: "oidc",
    async begin(kernel, opts) {
      try {
        return await beginSignIn(kernel, config, opts);
      } catch (err) {
        throw new SignInStartError(err instanceof OidcFailure ? err.reason : "provider_unreachable");
      }
    },
    complete: (kernel, search, req) => completeSignIn(kernel, oidcProvidersFromEnv(), config.id, search, req),
  };
}

export const authOidcPlugin = definePlugin({
  id: "auth-oidc",
  migrations: { "2026-11-25-001-identities": identities },
  router: authOidcRouter,
  signIn: {
    providers: () => oidcProvidersFromEnv().map(signInProvider),
    async methods(db, userId) {
      const names = new Map(oidcProvidersFromEnv().map((p) => [p.id, p.name]));
      const rows = await oidcDb(db)
        .selectFrom("auth_oidc_identities")
        .select(["id", "provider", "email", "created_at", "last_used_at"])
        .where("user_id", "=", userId)
        .orderBy("created_at", "asc")
        .execute();
      return rows.map((r) => ({
        id: r.id,
        kind: "oidc",
        provider: r.provider,
        label: names.get(r.provider) ?? r.provider,
        detail: r.email,
        createdAt: r.created_at,
        lastUsedAt: r.last_used_at,
        removable: true,
      }));
    },
    async remove(db, userId, id) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const row = await oidcDb(db).deleteFrom("auth_oidc_identities").where("id", "=", id).where("user_id", "=", userId).returning("provider").executeTakeFirst();
      return row ? { kind: "oidc", provider: row.provider } : null;
    },
  },
  init({ kernel }) {
    // A misconfigured provider stops the boot with the variable's name.
    const providers = oidcProvidersFromEnv();
    if (providers.length) kernel.log.info({ plugin: "auth-oidc", providers: providers.map((p) => p.id) }, "OIDC sign-in providers configured");
  },
});
