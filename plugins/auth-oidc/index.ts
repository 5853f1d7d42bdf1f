/**
 * auth-oidc: sign in with any OpenID Connect provider found by discovery (Okta, Keycloak,
 * Azure AD, Auth0, Google): authorization code + PKCE + state + nonce, the ID token validated
 * by openid-client (signature via JWKS, iss, aud, exp, nonce), the email taken only when the
 * provider says it is verified. Configured from the environment (config.ts); mounted at
 * `authOidc.*`; the flow's redirects are API routes under src/routes/auth/[provider]/.
 */
import { definePlugin } from "~/kernel/plugin";
import { oidcProvidersFromEnv } from "./config";
import * as identities from "./migrations/2026-11-25-001-identities";
import { authOidcRouter } from "./router";

export const authOidcPlugin = definePlugin({
  id: "auth-oidc",
  migrations: { "2026-11-25-001-identities": identities },
  router: authOidcRouter,
  init({ kernel }) {
    // A misconfigured provider stops the boot with the variable's name.
    const providers = oidcProvidersFromEnv();
    if (providers.length) kernel.log.info({ plugin: "auth-oidc", providers: providers.map((p) => p.id) }, "OIDC sign-in providers configured");
  },
});
