/**
 * auth-oidc's browser half: one "Sign in with <name>" button per configured provider in the
 * `login.providers` slot (none when no provider is configured).
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";

export const authOidcUi = definePluginUi({
  id: "auth-oidc",
  slots: {
    "login.providers": [{ id: "oidc-buttons", component: lazy(() => import("./ui/ProviderButtons")) }],
  },
});
