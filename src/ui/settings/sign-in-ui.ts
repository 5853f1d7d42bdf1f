/**
 * The kernel's sign-in sections, contributed like a plugin's UI half (listed in
 * src/plugins.ui.ts): the account page's "Sign-in methods" (every provider's identities, from
 * the kernel's registry) and the org settings' "Sign-in policy" (for `org.update`).
 */
import { lazy } from "solid-js";
import { definePluginUi } from "../plugin-ui";

export const signInUi = definePluginUi({
  id: "sign-in",
  slots: {
    "account.sections": [{ id: "sign-in-methods", order: 10, component: lazy(() => import("./SignInMethodsSection")) }],
    "org.settings.sections": [{ id: "sign-in-policy", order: 10, capability: "org.update", component: lazy(() => import("./SignInPolicySection")) }],
  },
});
