/**
 * auth-github's browser half: a "Sign in with GitHub" button in the `login.providers` slot,
 * shown only when GitHub sign-in is configured on the server.
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";

export const authGithubUi = definePluginUi({
  id: "auth-github",
  slots: {
    "login.providers": [{ id: "github-button", order: 110, component: lazy(() => import("./ui/GitHubButton")) }],
  },
});
