/**
 * The browser halves of the installed plugins, in the same order as src/plugins.ts. A plugin
 * with a UI adds its `plugins/<id>/ui.ts` export here; the kernel's own contributions come
 * first. Composed and checked when the module loads, so a broken contribution stops the server
 * at its first render and every e2e test, rather than surfacing on a user's click.
 */
import { coreUi } from "~/ui/core-ui";
import { signInUi } from "~/ui/settings/sign-in-ui";
import { agentUi } from "../plugins/agent/ui";
import { assistantUi } from "../plugins/assistant/ui";
import { authPasswordUi } from "../plugins/auth-password/ui";
import { authGithubUi } from "../plugins/auth-github/ui";
import { authOidcUi } from "../plugins/auth-oidc/ui";
import { dataUi } from "../plugins/data/ui";
import { dashboardsUi } from "../plugins/dashboards/ui";
import { collaborationUi } from "../plugins/collaboration/ui";
import { onboardingUi } from "../plugins/onboarding/ui";
import { sharingUi } from "../plugins/sharing/ui";
import { syncUi } from "../plugins/sync/ui";
import { gitSyncUi } from "../plugins/git-sync/ui";
import { mcpOauthUi } from "../plugins/mcp-oauth/ui";
import { restApiUi } from "../plugins/rest-api/ui";
import { composePluginUis } from "~/ui/plugin-ui";

export const pluginUis = [coreUi, signInUi, authPasswordUi, authOidcUi, authGithubUi, dataUi, syncUi, dashboardsUi, collaborationUi, sharingUi, gitSyncUi, onboardingUi, agentUi, mcpOauthUi, assistantUi, restApiUi] as const;

export const pluginUi = composePluginUis(pluginUis);
