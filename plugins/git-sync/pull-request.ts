/**
 * Promoting a work branch as a GitHub pull request instead of merging it in Atrium: the branch
 * (already pushed by `commit_changes`) gets a pull request into the trunk, titled after it, whose
 * body is a table of the dashboards it changes with a link to each one's preview in Atrium. An
 * open pull request for the same branch is reused, so asking twice answers the same URL. The
 * trunk is not touched: it moves when the pull request is merged on GitHub (and the push
 * webhook or the hourly sweep syncs it).
 */
import { TRPCError } from "@trpc/server";
import { FieldErrors, fieldError } from "~/kernel/errors";
import { fetchBranches, openRemote } from "./branches";
import { runGit } from "./git";
import { githubRepositoryOf, githubSite, openPullRequest } from "./github";
import { oauthRefusedBy } from "./github-oauth";
import { checkBranch, gitSyncDb, type GitScope } from "./service";

export interface PullRequestResult {
  branch: string;
  mode: "pull-request";
  url: string;
  number: number;
  /** True when an open pull request for the branch was already there. */
  reused: boolean;
  /** The dashboards it changes (status A/M/D). */
  changed: Array<{ status: string; path: string; slug: string | null }>;
}

const SLUG = /(?:^|\/)(?:dashboards|charts)\/([^/]+)\.ya?ml$/;
const cell = (text: string) => text.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`).replace(/\s+/g, " ");
const STATUS: Record<string, string> = { A: "added", M: "changed", D: "removed" };

/** The pull request's body: the changed dashboards, each linked to its preview in Atrium. */
export function pullRequestBody(input: { branch: string; trunk: string; changed: PullRequestResult["changed"]; previewBase: string }): string {
  const rows = input.changed.map((f) => {
    const link = f.slug && f.status !== "D" ? `[preview](${input.previewBase}/d/${encodeURIComponent(f.slug)}?branch=${encodeURIComponent(input.branch)})` : "—";
    return `| ${cell(f.slug ?? "")} | \`${cell(f.path)}\` | ${STATUS[f.status] ?? cell(f.status)} | ${link} |`;
  });
  return [
    `Dashboards edited in Atrium on \`${cell(input.branch)}\`, proposed for \`${cell(input.trunk)}\`.`,
    "",
    "| Dashboard | File | Change | Preview in Atrium |",
    "| --- | --- | --- | --- |",
    ...(rows.length ? rows : ["| — | — | no dashboard files changed | — |"]),
    "",
    "Merging this pull request updates the trunk; Atrium imports it on its next sync.",
  ].join("\n");
}

export async function promoteAsPullRequest(s: GitScope, input: { branch: string }): Promise<PullRequestResult> {
  const branch = checkBranch(input.branch.trim(), "branch");
  const r = await openRemote(s);
  const trunk = r.repo.trunk;
  if (branch === trunk) throw fieldError("UNPROCESSABLE_CONTENT", "branch", `"${trunk}" is the trunk: open a pull request from a work branch.`);
  const db = gitSyncDb(s.db);
  const known = await db.selectFrom("git_sync_branches").select("name").where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).where("name", "=", branch).executeTakeFirst();
  if (!known) throw fieldError("UNPROCESSABLE_CONTENT", "branch", `"${branch}" is not a work branch of this project.`);
  const site = githubSite();
  const repository = githubRepositoryOf(r.repo.remote_url, site);
  if (!repository) throw fieldError("UNPROCESSABLE_CONTENT", "mode", `Pull requests are opened on GitHub (${site.baseUrl}); this project's repository is elsewhere. Promote it with a merge instead.`);
  // The connection's token, the installation token openRemote minted for this operation, or the OAuth grant it uses.
  const token = r.access.token;
  if (!token) throw fieldError("UNPROCESSABLE_CONTENT", "mode", "Opening a pull request needs the repository's token: connect it with a token that may open pull requests.");

  const heads = await fetchBranches(r, [trunk, branch]);
  const trunkSha = heads.get(trunk);
  const branchSha = heads.get(branch);
  if (!trunkSha) throw fieldError("UNPROCESSABLE_CONTENT", "trunk", `The repository has no branch "${trunk}" any more.`);
  if (!branchSha) throw fieldError("UNPROCESSABLE_CONTENT", "branch", `The repository has no branch "${branch}": commit to it first.`);
  const diff = await runGit({ args: ["diff", "--name-status", "-z", "--no-renames", `${trunkSha}...${branchSha}`], cwd: r.dir, settings: r.settings, maxBytes: 1024 * 1024 });
  const parts = diff.split("\0").filter(Boolean);
  const changed: PullRequestResult["changed"] = [];
  for (let i = 0; i + 1 < parts.length && changed.length < 200; i += 2) changed.push({ status: parts[i]!, path: parts[i + 1]!, slug: SLUG.exec(parts[i + 1]!)?.[1] ?? null });
  if (changed.length === 0) throw fieldError("UNPROCESSABLE_CONTENT", "branch", `${branch} holds nothing the trunk does not: there is nothing to propose.`);

  const where = await s.db
    .selectFrom("projects")
    .innerJoin("orgs", "orgs.id", "projects.org_id")
    .select(["orgs.slug as orgSlug", "projects.slug as projectSlug"])
    .where("projects.id", "=", s.projectId)
    .executeTakeFirstOrThrow();
  const previewBase = `${s.kernel.config.publicUrl}/o/${encodeURIComponent(where.orgSlug)}/p/${encodeURIComponent(where.projectSlug)}`;
  const pr = await openPullRequest({
    site,
    token,
    repository,
    head: branch,
    base: trunk,
    title: `Dashboards from Atrium: ${branch}`,
    body: pullRequestBody({ branch, trunk, changed, previewBase }),
  }).catch((err: unknown) => {
    // An App connection has no token to fix: GitHub refusing its installation token is the installation's doing.
    // A GitHub OAuth connection has none either: the person whose authorization it uses must authorize again.
    if (r.repo.auth_kind === "github_oauth" && err instanceof TRPCError && err.cause instanceof FieldErrors && err.cause.fields.token) {
      throw oauthRefusedBy(r.repo.github_oauth_person ?? "The person who connected it");
    }
    if (r.repo.auth_kind === "github_app" && err instanceof TRPCError && err.cause instanceof FieldErrors && err.cause.fields.token) {
      throw fieldError("UNPROCESSABLE_CONTENT", "installationId", "GitHub refused to let the GitHub App's installation open pull requests on this repository (it needs Pull requests: read and write, and the repository in the installation). Check the installation on GitHub, or disconnect.");
    }
    throw err;
  });
  await db.updateTable("git_sync_branches").set({ pull_request_url: pr.url }).where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).where("name", "=", branch).execute();
  return { branch, mode: "pull-request", url: pr.url, number: pr.number, reused: pr.reused, changed };
}
