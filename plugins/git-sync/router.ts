/**
 * `gitSync.*`: a project's repository connection, its trunk sync and where each dashboard came
 * from. Procedures that take a token (`connect`, `testConnection`) are the browser form's only:
 * agents connect plain or local remotes with `connectRepository` (`connect_repository`), which
 * has no credential argument at all.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { projectCapabilityProcedure, createTRPCRouter, type RequestContext } from "~/kernel/trpc";
import { fieldError } from "~/kernel/errors";
import { safeString, safeUnknown } from "~/kernel/schemas";
import { dashboardView } from "../dashboards/files";
import { dashboardRunOutput } from "../dashboards/published";
import { dashboardAtBranch, runAtBranch, type BranchDashboardRun } from "./branch-view";
import { commitChanges, listBranches, promoteBranch, workBranchOrigin } from "./branches";
import { gitConnect, gitPromote, gitSync, gitView } from "./capabilities";
import { listConflicts, resolveConflict } from "./conflicts";
import { promoteAsPullRequest } from "./pull-request";
import { discardBranch } from "./discard";
import { beginGithubInstall, githubRepositoryChoices } from "./github-install";
import { beginGithubOauth, forgetOauthGrant, githubOauthChoices } from "./github-oauth";
import { branchesOutput, commitOutput, conflictsOutput, promoteOutput, resolutionOutput, statusOutput, syncOutput } from "./rest";
import { createWebhook } from "./webhook";
import { connectGithubApp, connectGithubOauth, connectRepository, dashboardOrigin, disconnectRepository, gitStatus, syncTrunk, testConnection, type AuthKind, type GitScope } from "./service";

type ProjectCtx = RequestContext & { actor: { userId: string }; org: { id: string }; project: { id: string } };

function scopeOf(ctx: ProjectCtx): GitScope {
  return { kernel: ctx.kernel, db: ctx.db, orgId: ctx.org.id, projectId: ctx.project.id, userId: ctx.actor.userId };
}

const remote = {
  remoteUrl: safeString().trim().min(1, "Give the repository's address").max(2000, "At most 2,000 characters"),
  trunk: safeString().trim().min(1, "Name the trunk branch (e.g. main)").max(100, "At most 100 characters").default("main"),
  subdirectory: safeString().max(300, "At most 300 characters").default(""),
};
const withToken = { ...remote, token: safeString().max(1000, "At most 1,000 characters").optional() };

/** A GitHub App connection: the installation (checked against the caller's own GitHub grant) and one of its repositories. */
const githubApp = {
  installationId: z.number({ message: "Give the GitHub App installation's id (a number)" }).int("A whole number").positive("A positive number").max(Number.MAX_SAFE_INTEGER, "Too large").optional(),
  repository: safeString()
    .trim()
    .min(1, "Name the repository")
    .max(200, "At most 200 characters")
    .regex(/^(?!\.{1,2}(?:\/|$))[A-Za-z0-9_.-]+(?:\/(?!\.{1,2}$)[A-Za-z0-9_.-]+)?$/, "Name the repository as name or owner/name")
    .optional(),
};

/** Either a remote address, a GitHub App installation and repository, or (github_oauth) a repository the caller's GitHub OAuth grant reaches: never two, never none. */
function target(input: { remoteUrl?: string; installationId?: number; repository?: string; token?: string }, auth: AuthKind | undefined) {
  if (auth === "github_oauth") {
    if (input.remoteUrl) throw fieldError("UNPROCESSABLE_CONTENT", "remoteUrl", "A GitHub OAuth connection takes the repository (owner/name), not an address");
    if (input.token) throw fieldError("UNPROCESSABLE_CONTENT", "token", "A GitHub OAuth connection takes no token: each operation uses your GitHub authorization");
    if (input.installationId !== undefined) throw fieldError("UNPROCESSABLE_CONTENT", "installationId", "A GitHub OAuth connection takes no installation");
    if (!input.repository || !input.repository.includes("/")) throw fieldError("UNPROCESSABLE_CONTENT", "repository", "Name the repository as owner/name (from your GitHub repositories)");
    return { kind: "github_oauth" as const, repository: input.repository };
  }
  const app = auth === "github_app" || (auth === undefined && input.installationId !== undefined);
  if (!app) {
    if (!input.remoteUrl) throw fieldError("UNPROCESSABLE_CONTENT", "remoteUrl", "Give the repository's address");
    if (input.installationId !== undefined || input.repository !== undefined) throw fieldError("UNPROCESSABLE_CONTENT", "installationId", "Give either a repository address or a GitHub App installation and repository, not both");
    return { kind: "remote" as const, remoteUrl: input.remoteUrl };
  }
  if (input.remoteUrl) throw fieldError("UNPROCESSABLE_CONTENT", "remoteUrl", "A GitHub App connection takes the installation and repository, not an address");
  if (input.token) throw fieldError("UNPROCESSABLE_CONTENT", "token", "A GitHub App connection takes no token: each operation gets its own from the installation");
  if (input.installationId === undefined) throw fieldError("UNPROCESSABLE_CONTENT", "installationId", "Give the GitHub App installation's id");
  if (!input.repository) throw fieldError("UNPROCESSABLE_CONTENT", "repository", "Name the repository (from the installation's repositories)");
  return { kind: "github_app" as const, installationId: input.installationId, repository: input.repository };
}

const connectShape = {
  auth: z.enum(["token", "github_app", "github_oauth"], { message: "Connect with token, github_app or github_oauth" }).optional(),
  remoteUrl: remote.remoteUrl.optional(),
  trunk: safeString().trim().min(1, "Name the trunk branch (e.g. main)").max(100, "At most 100 characters").optional(),
  subdirectory: remote.subdirectory,
  token: withToken.token,
  ...githubApp,
};

/** What an audit entry may say about a connection: never the token. */
const auditOf = (status: { remoteUrl: string; trunk: string; subdirectory: string; auth: AuthKind; installationId: number | null }, hasToken: boolean) => ({
  remoteUrl: status.remoteUrl,
  trunk: status.trunk,
  subdirectory: status.subdirectory,
  hasToken,
  auth: status.auth,
  ...(status.installationId === null ? {} : { installationId: status.installationId }),
});

export const gitSyncRouter = createTRPCRouter({
  status: projectCapabilityProcedure(gitView)
    .meta({
      mcp: {
        name: "get_git_status",
        description:
          "The git repository a project (orgId, projectId) is connected to: connected false, or its address, trunk branch, subdirectory, the trunk commit last synced (trunkSha) and when, the files that could not be imported (problems: path, line, message), the dashboard files left alone because they were changed in Atrium and in git since the last sync (conflicts: path, slug, message, commitSha), the project settings from atrium.yaml, and each dashboard file with the commit it was imported from.",
        readOnly: true,
      },
      openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/git", summary: "The project's repository connection (connected false, or its address, trunk, last synced commit, files not imported, conflicts and each dashboard file's commit); never a credential", tags: ["git"] },
    })
    .output(statusOutput)
    .query(({ ctx }) => gitStatus(scopeOf(ctx))),

  testConnection: projectCapabilityProcedure(gitConnect)
    .meta({ cost: "expensive" })
    .input(z.object(withToken))
    .mutation(({ ctx, input }) => testConnection(ctx.kernel, input)),

  connect: projectCapabilityProcedure(gitConnect)
    .meta({ cost: "expensive" })
    .input(z.object(connectShape))
    .mutation(async ({ ctx, input }) => {
      const to = target(input, input.auth);
      const { trunk, subdirectory } = input;
      const result =
        to.kind === "github_app"
          ? await connectGithubApp(scopeOf(ctx), { installationId: to.installationId, repository: to.repository, trunk, subdirectory })
          : to.kind === "github_oauth"
            ? await connectGithubOauth(scopeOf(ctx), { repository: to.repository, trunk, subdirectory })
            : await connectRepository(scopeOf(ctx), { remoteUrl: to.remoteUrl, trunk: trunk ?? "main", subdirectory, token: input.token });
      const status = await gitStatus(scopeOf(ctx));
      if (status.connected) await ctx.audit({ action: "git-sync.connect", target: { type: "project", id: ctx.project.id }, data: { ...auditOf(status, to.kind === "remote" && Boolean(input.token)), commitSha: result.commitSha } });
      return result;
    }),

  connectRepository: projectCapabilityProcedure(gitConnect)
    .meta({
      cost: "expensive",
      mcp: {
        name: "connect_repository",
        description:
          "Connect a project (orgId, projectId) to a git repository, either a repository that needs no credentials (remoteUrl: an https:// address, or a file:// path where the server allows local repositories) or a GitHub repository through Atrium's GitHub App (installationId and repository: name or owner/name; the installation must be one the calling person's own GitHub authorization reaches, else 422 on installationId; the trunk defaults to the repository's default branch). Takes an optional trunk branch (default main) and an optional subdirectory holding dashboards/<slug>.yaml and atrium.yaml. The connection is checked first (errors say: not a repository, branch missing, credentials needed, installation not yours), then the trunk is imported: each dashboard file becomes a dashboard version noted with its commit; files that fail validation are listed under problems and skipped. Never takes a credential: repositories that need a token are connected by a person in the app.",
      },
      openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/git/connection", summary: "Connect the project to a repository that needs no credential (remoteUrl) or through the GitHub App (installationId, repository), then import its trunk; never takes a credential", tags: ["git"] },
    })
    .input(z.object({ remoteUrl: connectShape.remoteUrl, trunk: connectShape.trunk, subdirectory: connectShape.subdirectory, ...githubApp }))
    .output(syncOutput)
    .mutation(async ({ ctx, input }) => {
      const to = target(input, undefined);
      // Never through a GitHub OAuth grant (ADR 035, third addendum): a person picks that repository in the app.
      if (to.kind === "github_oauth") throw fieldError("UNPROCESSABLE_CONTENT", "auth", "Repositories reached with a person's GitHub OAuth authorization are connected by that person on the project's Git page.");
      const { trunk, subdirectory } = input;
      const result =
        to.kind === "github_app"
          ? await connectGithubApp(scopeOf(ctx), { installationId: to.installationId, repository: to.repository, trunk, subdirectory })
          : await connectRepository(scopeOf(ctx), { remoteUrl: to.remoteUrl, trunk: trunk ?? "main", subdirectory });
      const status = await gitStatus(scopeOf(ctx));
      if (status.connected) await ctx.audit({ action: "git-sync.connect", target: { type: "project", id: ctx.project.id }, data: { ...auditOf(status, false), commitSha: result.commitSha } });
      return result;
    }),

  // No MCP tool, no REST: it starts a browser flow on GitHub for the person (GET /api/git-sync/github/install redirects there).
  githubInstall: projectCapabilityProcedure(gitConnect)
    .mutation(({ ctx }) => beginGithubInstall(scopeOf(ctx))),

  // The Git page's repository picker; agents name an installation and repository to connect_repository.
  githubRepositories: projectCapabilityProcedure(gitConnect)
    .query(({ ctx }) => githubRepositoryChoices(scopeOf(ctx))),

  // No MCP tool, no REST: it starts a browser flow on GitHub for the person (GET /api/git-sync/github/authorize redirects there).
  githubOauthAuthorize: projectCapabilityProcedure(gitConnect)
    .input(z.object({ privateRepositories: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => beginGithubOauth(scopeOf(ctx), input)),

  // The Git page's picker for an OAuth connection, read with the person's own GitHub OAuth grant.
  githubOauthRepositories: projectCapabilityProcedure(gitConnect)
    .query(({ ctx }) => githubOauthChoices(scopeOf(ctx))),

  // No MCP tool, no REST: a person signs out of GitHub here themselves, in the app.
  githubOauthForget: projectCapabilityProcedure(gitConnect)
    .mutation(async ({ ctx }) => {
      const forgotten = await forgetOauthGrant(ctx.kernel, ctx.actor.userId);
      await ctx.audit({ action: "git-sync.github-oauth-forget", target: { type: "project", id: ctx.project.id }, data: { forgotten } });
      return { forgotten };
    }),

  disconnect: projectCapabilityProcedure(gitConnect)
    .mutation(async ({ ctx }) => {
      const result = await disconnectRepository(scopeOf(ctx));
      await ctx.audit({ action: "git-sync.disconnect", target: { type: "project", id: ctx.project.id }, data: result });
      return result;
    }),

  sync: projectCapabilityProcedure(gitSync)
    .meta({
      cost: "expensive",
      mcp: {
        name: "sync_branch",
        description:
          "Sync a project's dashboards (orgId, projectId) with its repository's trunk: fetch, then import every dashboard file that changed since the last sync as a new dashboard version noted with the commit; removed files delete their dashboard. Files that fail validation are reported (path, line, message) and skipped while the rest applies. A dashboard edited in Atrium since its last import is never overwritten: its file is listed under conflicts (path, slug, message, commitSha) and skipped until git holds the same text. Returns commitSha, imported and removed slugs, unchanged count, problems and conflicts. 409 while another sync of the project runs.",
        idempotent: true,
      },
      openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/git/syncs", summary: "Sync the project's dashboards with the trunk: files changed since the last sync imported, problems and conflicts reported (409 while another sync runs)", tags: ["git"] },
    })
    .output(syncOutput)
    .mutation(async ({ ctx }) => {
      const result = await syncTrunk(scopeOf(ctx));
      await ctx.audit({ action: "git-sync.sync", target: { type: "project", id: ctx.project.id }, data: { commitSha: result.commitSha, imported: result.imported.length, removed: result.removed.length, problems: result.problems.length, conflicts: result.conflicts.length } });
      return result;
    }),

  dashboardOrigin: projectCapabilityProcedure(gitView)
    .input(z.object({ slug: safeString().trim().min(1, "Name the dashboard (its slug)").max(200, "At most 200 characters") }))
    .query(async ({ ctx, input }) => {
      const origin = await dashboardOrigin(scopeOf(ctx), input.slug);
      // Edited since its import (or never imported): it may be as a work branch holds it.
      const workBranch = origin?.current ? null : await workBranchOrigin(scopeOf(ctx), input.slug);
      return { origin, workBranch };
    }),

  // Viewing a branch needs what viewing the dashboard needs (branch-view.ts says why).
  dashboardAtBranch: projectCapabilityProcedure(gitView, dashboardView)
    .meta({
      cost: "expensive",
      mcp: {
        name: "get_dashboard_at_branch",
        description:
          "Read a dashboard (slug) as a branch of a git-connected project's repository holds it (orgId, projectId; branch: the trunk, what viewers see, when absent, or a work branch from list_branches such as atrium/ada-lovelace). The branch is fetched first. Returns branch, trunk (true for the trunk), commitSha (the branch's head), path, format (atrium or dbt-charts) and the file's yaml. 404 naming the branch when the project has no such branch or the remote lost it, or naming the dashboard when the branch does not hold its file.",
        readOnly: true,
      },
    })
    .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/git/dashboards/{slug}", summary: "Read a dashboard as a branch of the project's repository holds it (the trunk by default)", tags: ["git"] } })
    .input(
      z.object({
        slug: safeString().trim().min(1, "Name the dashboard (its slug)").max(200, "At most 200 characters"),
        branch: safeString().trim().min(1, "Name the branch").max(100, "At most 100 characters").optional(),
      }),
    )
    .output(
      z.object({
        branch: z.string(),
        trunk: z.boolean(),
        commitSha: z.string(),
        path: z.string(),
        format: z.enum(["atrium", "dbt-charts"]),
        yaml: z.string(),
      }),
    )
    .query(({ ctx, input }) => dashboardAtBranch(scopeOf(ctx), input)),

  // Drawing a branch needs what viewing it and running the live dashboard need (dashboard.view); expensive: the org's budget.
  runAtBranch: projectCapabilityProcedure(gitView, dashboardView)
    .meta({
      cost: "expensive",
      mcp: {
        name: "run_dashboard_at_branch",
        description:
          "Run a dashboard (slug) as a branch of a git-connected project's repository holds it (orgId, projectId; branch: the trunk when absent, or a work branch from list_branches such as atrium/ada-lovelace), to see what its charts would show before it is promoted. The branch is fetched first; its file's queries run with variables (optional, as { name: value }, checked against the branch's variables). Returns branch, trunk, commitSha, path, format, document (the branch's dashboard as Atrium reads it), problems (line and message when the branch's file does not validate; then document and run are null) and run (ranAt, variables, variableOptions, results by query id: ok with columns and rows, or an error in place). 404 naming the branch or the dashboard as get_dashboard_at_branch.",
        readOnly: true,
      },
      openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/git/dashboards/{slug}/run", summary: "Run a dashboard as a branch of the project's repository holds it (the trunk by default; expensive: the organization's budget)", tags: ["git"] },
    })
    .input(
      z.object({
        slug: safeString().trim().min(1, "Name the dashboard (its slug)").max(200, "At most 200 characters"),
        branch: safeString().trim().min(1, "Name the branch").max(100, "At most 100 characters").optional(),
        variables: z.record(safeString().max(63), safeUnknown()).refine((v) => Object.keys(v).length <= 50, "At most 50 variables").optional(),
        refresh: z.boolean().default(false),
      }),
    )
    .output(
      z.looseObject({
        branch: z.string(),
        trunk: z.boolean(),
        commitSha: z.string(),
        path: z.string(),
        format: z.enum(["atrium", "dbt-charts"]),
        yaml: z.string(),
        document: z.unknown().nullable().describe("The branch's dashboard as Atrium reads it; null when its file does not validate"),
        problems: z.array(z.looseObject({ line: z.number().int().nullable(), message: z.string() })).describe("Why the branch's file does not validate; empty when it does"),
        run: dashboardRunOutput.nullable().describe("The branch's queries run with the variables; null when its file does not validate"),
      }) as unknown as z.ZodType<BranchDashboardRun>,
    )
    .query(({ ctx, input, signal }) => runAtBranch({ ...scopeOf(ctx), signal: signal ?? ctx.signal }, input)),

  branches: projectCapabilityProcedure(gitView)
    .meta({
      mcp: {
        name: "list_branches",
        description:
          "A git-connected project's branches (orgId, projectId) as last fetched: the trunk (what viewers see) and its commit, every work branch (name, head commit, ahead/behind counts against the trunk, files changed: status A/M/D and path, mine: the caller's), the caller's work branch (myBranch), and the caller's saved changes not yet committed (changes: slug, path, kind added/modified/deleted, stale: git changed the file since the edit started, so commit_changes will refuse it until the conflict is resolved).",
        readOnly: true,
      },
      openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/git/branches", summary: "The trunk and every work branch (ahead, behind, files changed), the caller's branch and their saved changes not yet committed", tags: ["git"] },
    })
    .output(branchesOutput)
    .query(({ ctx }) => listBranches(scopeOf(ctx))),

  commit: projectCapabilityProcedure(gitSync)
    .meta({
      cost: "expensive",
      mcp: {
        name: "commit_changes",
        description:
          "Commit the caller's saved dashboard changes in a git-connected project (orgId, projectId) — dashboards they edited, created or deleted since each was last imported — to their own work branch (atrium/<their-name>, created from the trunk on first use, with the trunk merged in when it moved on), authored by them with message, and push it. Returns branch, commitSha and committed files (slug, path, kind). 409 when a file changed in git since the edit started (resolve it with list_conflicts/resolve_conflict first) or the branch moved on the remote.",
      },
      openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/git/commits", summary: "Commit the caller's saved dashboard changes to their work branch and push it (409 when git changed a file since the edit started)", tags: ["git"] },
    })
    .input(z.object({ message: safeString().trim().min(1, "Say what changed (the commit message)").max(2000, "At most 2,000 characters") }))
    .output(commitOutput)
    .mutation(async ({ ctx, input }) => {
      const result = await commitChanges(scopeOf(ctx), input);
      await ctx.audit({ action: "git-sync.commit", target: { type: "project", id: ctx.project.id }, data: { branch: result.branch, commitSha: result.commitSha, files: result.committed.length } });
      return result;
    }),

  promote: projectCapabilityProcedure(gitPromote)
    .meta({
      cost: "expensive",
      mcp: {
        name: "promote_branch",
        description:
          "Promote a work branch (branch, e.g. atrium/ada-lovelace) into the trunk of a git-connected project (orgId, projectId). mode 'merge' (default): a fast-forward when the trunk has not moved on, else a merge commit; then the trunk is synced so viewers see the promoted dashboards; returns mode (fast-forward, merge, up-to-date), the new trunkSha and the sync's result; 409 naming the files when the branch and the trunk changed the same file (nothing is pushed). mode 'pull_request' (repositories on GitHub): opens a pull request from the branch into the trunk, its body a table of the changed dashboards with a link to each one's preview in Atrium, or reuses the one already open for the branch; returns mode pull-request, url, number, reused and changed files; the trunk is untouched until the pull request is merged on GitHub.",
      },
      openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/git/promotions", summary: "Promote a work branch into the trunk (merge, then sync; 409 naming files changed on both sides) or open a GitHub pull request for it (mode pull_request)", tags: ["git"] },
    })
    .input(
      z.object({
        branch: safeString().trim().min(1, "Name the branch to promote").max(100, "At most 100 characters"),
        mode: z.enum(["merge", "pull_request"], { message: "Promote with merge or pull_request" }).default("merge"),
      }),
    )
    .output(promoteOutput)
    .mutation(async ({ ctx, input }) => {
      if (input.mode === "pull_request") {
        const pr = await promoteAsPullRequest(scopeOf(ctx), input);
        await ctx.audit({ action: "git-sync.pull-request", target: { type: "project", id: ctx.project.id }, data: { branch: pr.branch, url: pr.url, number: pr.number, reused: pr.reused, files: pr.changed.length } });
        return pr;
      }
      const result = await promoteBranch(scopeOf(ctx), input);
      await ctx.audit({ action: "git-sync.promote", target: { type: "project", id: ctx.project.id }, data: { branch: result.branch, mode: result.mode, trunkSha: result.trunkSha } });
      return result;
    }),

  // No MCP tool: discarding throws away a person's saved work; they confirm it themselves in the app.
  discard: projectCapabilityProcedure(gitSync)
    .meta({ cost: "expensive" })
    .mutation(async ({ ctx }) => {
      const result = await discardBranch(scopeOf(ctx));
      await ctx.audit({ action: "git-sync.discard", target: { type: "project", id: ctx.project.id }, data: { branch: result.branch, trunkSha: result.trunkSha, reset: result.reset, files: result.discarded.length } });
      return result;
    }),

  conflicts: projectCapabilityProcedure(gitView)
    .meta({
      mcp: {
        name: "list_conflicts",
        description:
          "The dashboard files of a git-connected project (orgId, projectId) that changed both in Atrium and in git since their last import, each with path, slug, message, the trunk commit (commitSha) and three texts: base (as last imported), theirs (the trunk's; null when removed in git) and mine (the app's; null when deleted in the app). Resolve each with resolve_conflict.",
        readOnly: true,
      },
      openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/git/conflicts", summary: "Dashboard files changed both in Atrium and in git since their last import, each with base, theirs and mine", tags: ["git"] },
    })
    .output(conflictsOutput)
    .query(({ ctx }) => listConflicts(scopeOf(ctx))),

  resolveConflict: projectCapabilityProcedure(gitSync)
    .meta({
      mcp: {
        name: "resolve_conflict",
        description:
          "Resolve one conflict (path, from list_conflicts) of a git-connected project (orgId, projectId): take 'theirs' (the trunk's file becomes the dashboard's next version, or its removal applies), 'mine' (the app's text stays and will be committed over git's change by commit_changes), or 'merged' with yaml (validated first: 422 naming the line; saved as the next version, then as mine). Returns the dashboard's version and how many conflicts remain.",
      },
      // The file's path travels in the body: it holds slashes.
      openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/git/conflicts/resolutions", summary: "Resolve one conflict (path) with theirs, mine or merged YAML (validated first: 422 naming the line)", tags: ["git"] },
    })
    .input(
      z.object({
        path: safeString().trim().min(1, "Name the conflicting file (its path)").max(1000, "At most 1,000 characters"),
        take: z.enum(["theirs", "mine", "merged"], { message: "Take theirs, mine or merged" }),
        yaml: safeString().max(500_000, "At most 500,000 characters").optional(),
      }),
    )
    .output(resolutionOutput)
    .mutation(async ({ ctx, input }) => {
      const result = await resolveConflict(scopeOf(ctx), input);
      await ctx.audit({ action: "git-sync.resolve-conflict", target: { type: "project", id: ctx.project.id }, data: { path: result.path, take: result.take } });
      return result;
    }),

  webhook: projectCapabilityProcedure(gitConnect)
    .mutation(async ({ ctx }) => {
      const repo = await gitStatus(scopeOf(ctx));
      if (!repo.connected) throw new TRPCError({ code: "CONFLICT", message: "This project is not connected to a repository. Connect one first." });
      const hook = await createWebhook(scopeOf(ctx));
      await ctx.audit({ action: "git-sync.webhook", target: { type: "project", id: ctx.project.id }, data: { url: hook.url, replaced: repo.hasWebhook } });
      return hook;
    }),
});
