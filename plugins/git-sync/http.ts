/**
 * Git sync's HTTP routes: the push webhook (webhook.ts), the GitHub App install flow's start
 * and callback (github-install.ts) and the GitHub OAuth authorization's (github-oauth.ts).
 */
import { writeAudit } from "~/kernel/audit";
import { httpProblem } from "~/kernel/http/dispatch";
import type { HttpRoute } from "~/kernel/http/routes";
import { completeGithubInstall, InstallRefused, INSTALL_CALLBACK_PATH, INSTALL_START_PATH } from "./github-install";
import { completeGithubOauth, OauthRefused, OAUTH_CALLBACK_PATH, OAUTH_START_PATH } from "./github-oauth";
import { webhookHttpRoutes } from "./webhook";

const redirect = (location: string) => new Response(null, { status: 302, headers: { location, "cache-control": "no-store", "referrer-policy": "no-referrer" } });

export const gitSyncHttpRoutes: readonly HttpRoute[] = [
  ...webhookHttpRoutes,
  {
    // The Git page's "Connect with GitHub App": checks git-sync.connect on the project (through
    // gitSync.githubInstall: 404 for a non-member, 403 without the capability), then off to GitHub.
    method: "GET",
    path: INSTALL_START_PATH,
    handle: async (_request, ctx) => {
      const { url } = await ctx.call<{ url: string }>("gitSync.githubInstall", { orgId: ctx.url.searchParams.get("orgId") ?? "", projectId: ctx.url.searchParams.get("projectId") ?? "" });
      return redirect(url);
    },
  },
  {
    // The App's setup URL: GitHub sends the person back here after installing.
    method: "GET",
    path: INSTALL_CALLBACK_PATH,
    handle: async (_request, ctx) => {
      const actor = await ctx.caller();
      const userId = actor.kind === "user" ? actor.userId : null;
      try {
        const done = await completeGithubInstall(ctx.kernel, userId, ctx.url.searchParams);
        if (userId && done.installationId !== null) {
          await writeAudit(ctx.kernel.db, { kind: "user", userId }, { action: "git-sync.github-install", data: { installationId: done.installationId } }, { ip: ctx.ip, requestId: ctx.requestId });
        }
        return redirect(`${ctx.kernel.config.publicUrl}${done.location}`);
      } catch (err) {
        if (err instanceof InstallRefused) return httpProblem(err.status, err.code, err.message, ctx.requestId);
        throw err;
      }
    },
  },
  {
    // The Git page's "Connect with GitHub (OAuth)": checks git-sync.connect on the project (through
    // gitSync.githubOauthAuthorize: 404 for a non-member, 403 without the capability), then off to GitHub.
    method: "GET",
    path: OAUTH_START_PATH,
    handle: async (_request, ctx) => {
      const q = ctx.url.searchParams;
      const { url } = await ctx.call<{ url: string }>("gitSync.githubOauthAuthorize", { orgId: q.get("orgId") ?? "", projectId: q.get("projectId") ?? "", privateRepositories: q.get("private") === "1" || q.get("private") === "true" });
      return redirect(url);
    },
  },
  {
    // The OAuth App's callback URL: GitHub sends the person back here after they authorize.
    method: "GET",
    path: OAUTH_CALLBACK_PATH,
    handle: async (_request, ctx) => {
      const actor = await ctx.caller();
      const userId = actor.kind === "user" ? actor.userId : null;
      try {
        const done = await completeGithubOauth(ctx.kernel, userId, ctx.url.searchParams);
        if (userId && done.authorized) {
          // The scopes granted and the project it was started from; never the token.
          await writeAudit(ctx.kernel.db, { kind: "user", userId }, { action: "git-sync.github-oauth", target: { type: "project", id: done.authorized.projectId }, data: { scope: done.authorized.scope } }, { ip: ctx.ip, requestId: ctx.requestId });
        }
        return redirect(`${ctx.kernel.config.publicUrl}${done.location}`);
      } catch (err) {
        if (err instanceof OauthRefused) return httpProblem(err.status, err.code, err.message, ctx.requestId);
        throw err;
      }
    },
  },
];
