/**
 * The installed plugins, in boot order. To install a plugin, add one line here (and its UI
 * half to src/plugins.ui.ts if it has one). Order matters: a plugin comes after the plugins
 * it `requires`. See CONTRIBUTING.md.
 */
import { agentPlugin } from "../plugins/agent";
import { assistantPlugin } from "../plugins/assistant";
import { authGithubPlugin } from "../plugins/auth-github";
import { authOidcPlugin } from "../plugins/auth-oidc";
import { authPasswordPlugin } from "../plugins/auth-password";
import { collaborationPlugin } from "../plugins/collaboration";
import { dashboardsPlugin } from "../plugins/dashboards";
import { dataPlugin } from "../plugins/data";
import { gitSyncPlugin } from "../plugins/git-sync";
import { mcpOauthPlugin } from "../plugins/mcp-oauth";
import { onboardingPlugin } from "../plugins/onboarding";
import { restApiPlugin } from "../plugins/rest-api";
import { sharingPlugin } from "../plugins/sharing";
import { syncPlugin } from "../plugins/sync";
import { buildAppRouter } from "~/kernel/router";

export const plugins = [authPasswordPlugin, authOidcPlugin, authGithubPlugin, dataPlugin, syncPlugin, dashboardsPlugin, collaborationPlugin, sharingPlugin, gitSyncPlugin, onboardingPlugin, agentPlugin, mcpOauthPlugin, assistantPlugin, restApiPlugin] as const;

export const appRouter = buildAppRouter(plugins);
export type AppRouter = typeof appRouter;
