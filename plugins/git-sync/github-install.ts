/**
 * The GitHub App install flow, started from a project's Git page (ADR 035):
 *
 * - **Start** (`gitSync.githubInstall`, or `GET /api/git-sync/github/install?orgId=&projectId=`,
 *   `git-sync.connect`): a random state (its SHA-256 stored, never the state) bound to the person
 *   and the project, single use, ten minutes; the answer is the App's install page on GitHub
 *   with that state.
 * - **Callback** (`GET /api/git-sync/github/callback`, the App's setup URL): the signed-in person
 *   must be the one the state was made for; the state is deleted as it is read (a replay finds
 *   nothing), an expired one is refused. The `code` GitHub adds (the App requests user
 *   authorization during installation) is exchanged for the person's GitHub user token, kept
 *   encrypted as their grant (with its refresh token and expiries when GitHub makes it expire:
 *   github-grant.ts refreshes it); the `installation_id` is recorded for them only if that token
 *   reaches it (never trusted as given). Then back to the project's Git page.
 */
import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { sql, type Generated } from "kysely";
import { hashFlowState } from "~/kernel/auth/redirects";
import { fieldError } from "~/kernel/errors";
import type { Kernel } from "~/kernel/kernel";
import { githubSite } from "./github";
import { exchangeUserCode, githubAppFromEnv, installationRepositories, userInstallations } from "./github-app";
import { saveGithubGrant, withGithubGrant } from "./github-grant";
import { configuredGithubApp, gitSyncDb, type GitScope } from "./service";

export const INSTALL_TTL_MS = 10 * 60 * 1000;
export const INSTALL_START_PATH = "/api/git-sync/github/install";
export const INSTALL_CALLBACK_PATH = "/api/git-sync/github/callback";

type Timestamp = Date;
export type GithubInstallTables = {
  git_sync_github_states: { state_hash: string; user_id: string; project_id: string; return_to: string; expires_at: Timestamp; created_at: Generated<Timestamp> };
  git_sync_github_installations: { user_id: string; installation_id: number; account: string | null; created_at: Generated<Timestamp> };
};

const installDb = (kernel: Kernel) => gitSyncDb(kernel.db).withTables<GithubInstallTables>();

/** The operator's App with its install settings, or a 422 saying what is missing. */
function installableApp() {
  const app = configuredGithubApp();
  if (!app.install) {
    throw fieldError("UNPROCESSABLE_CONTENT", "installationId", "This Atrium server's GitHub App is not set up for installing from Atrium (GIT_GITHUB_APP_SLUG, GIT_GITHUB_APP_CLIENT_ID, GIT_GITHUB_APP_CLIENT_SECRET).");
  }
  return { ...app, install: app.install };
}

/** Starts an install for the caller and the project: the GitHub page to send them to. */
export async function beginGithubInstall(s: GitScope): Promise<{ url: string; expiresAt: string }> {
  const app = installableApp();
  if (!s.userId) throw new TRPCError({ code: "FORBIDDEN", message: "Installing the GitHub App is done by a person." });
  const where = await s.db
    .selectFrom("projects")
    .innerJoin("orgs", "orgs.id", "projects.org_id")
    .select(["orgs.slug as orgSlug", "projects.slug as projectSlug"])
    .where("projects.id", "=", s.projectId)
    .executeTakeFirstOrThrow();
  const state = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + INSTALL_TTL_MS);
  const db = gitSyncDb(s.db).withTables<GithubInstallTables>();
  await db.deleteFrom("git_sync_github_states").where("expires_at", "<", new Date()).execute();
  // One open install per person and project: starting again replaces it.
  await db.deleteFrom("git_sync_github_states").where("user_id", "=", s.userId).where("project_id", "=", s.projectId).execute();
  await db
    .insertInto("git_sync_github_states")
    .values({ state_hash: hashFlowState(state), user_id: s.userId, project_id: s.projectId, return_to: `/o/${encodeURIComponent(where.orgSlug)}/p/${encodeURIComponent(where.projectSlug)}/git`, expires_at: expiresAt })
    .execute();
  const url = new URL(`${githubSite().baseUrl}/apps/${encodeURIComponent(app.install.slug)}/installations/new`);
  url.searchParams.set("state", state);
  return { url: url.toString(), expiresAt: expiresAt.toISOString() };
}

/** Why a callback was refused before anything was recorded: the HTTP status and a code. */
export class InstallRefused extends Error {
  constructor(
    readonly status: 400 | 401 | 403,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Finishes an install from GitHub's redirect for the signed-in person (`userId`). Refuses (no
 * write) a missing, unknown, used, another person's or expired state; otherwise answers where to
 * send them: the project's Git page, `?github=installed&installationId=…` or `?github=<reason>`.
 */
export async function completeGithubInstall(kernel: Kernel, userId: string | null, query: URLSearchParams): Promise<{ location: string; installationId: number | null }> {
  const state = query.get("state");
  if (!state || state.length > 200) throw new InstallRefused(400, "state_invalid", "This GitHub App install link has no valid state. Start again from the project's Git page.");
  if (!userId) throw new InstallRefused(401, "sign_in", "Sign in to Atrium, then start the GitHub App install again from the project's Git page.");
  const db = installDb(kernel);
  // Single use and bound to the person: deleted as it is read, and only by them.
  const flow = await db.deleteFrom("git_sync_github_states").where("state_hash", "=", hashFlowState(state)).where("user_id", "=", userId).returningAll().executeTakeFirst();
  if (!flow) throw new InstallRefused(400, "state_invalid", "This GitHub App install link is unknown, was already used, or was started by someone else. Start again from the project's Git page.");
  if (flow.expires_at.getTime() < Date.now()) throw new InstallRefused(400, "state_expired", "This GitHub App install link has expired (ten minutes). Start again from the project's Git page.");
  const back = (params: Record<string, string>) => `${flow.return_to}?${new URLSearchParams(params).toString()}`;

  if (query.get("setup_action") === "request") return { location: back({ github: "requested" }), installationId: null };
  const rawId = query.get("installation_id") ?? "";
  const code = query.get("code") ?? "";
  if (!/^\d{1,15}$/.test(rawId)) return { location: back({ github: "installation_missing" }), installationId: null };
  if (!code || code.length > 500) return { location: back({ github: "authorization_missing" }), installationId: null };
  const installationId = Number(rawId);
  const app = installableApp();
  const site = githubSite();
  const grant = await exchangeUserCode(site, app.install, code);
  if (!grant) return { location: back({ github: "authorization_refused" }), installationId: null };
  await saveGithubGrant(kernel, userId, grant);
  const reachable = await userInstallations(site, grant.accessToken);
  const found = reachable.find((i) => i.id === installationId);
  if (!found) return { location: back({ github: "installation_not_yours" }), installationId: null };
  await db
    .insertInto("git_sync_github_installations")
    .values({ user_id: userId, installation_id: installationId, account: found.account })
    .onConflict((oc) => oc.columns(["user_id", "installation_id"]).doUpdateSet({ account: found.account, created_at: sql<Date>`now()` }))
    .execute();
  return { location: back({ github: "installed", installationId: String(installationId) }), installationId };
}

/** The installations recorded for the person at an install callback, newest first. */
export async function recordedInstallations(kernel: Kernel, userId: string): Promise<Array<{ id: number; account: string | null }>> {
  const rows = await installDb(kernel).selectFrom("git_sync_github_installations").select(["installation_id", "account"]).where("user_id", "=", userId).orderBy("created_at", "desc").limit(100).execute();
  return rows.map((r) => ({ id: Number(r.installation_id), account: r.account }));
}

export interface GithubRepositoryChoices {
  /** The operator configured the GitHub App for installing from Atrium. */
  available: boolean;
  /** The person has a GitHub grant that GitHub still accepts. */
  authorized: boolean;
  /** The App's installations their GitHub account reaches, each with its repositories (at most 10 × 100). */
  installations: Array<{ id: number; account: string | null; repositories: Array<{ name: string; fullName: string; defaultBranch: string }> }>;
}

/** What the Git page's picker offers the caller: their installations of the App and each one's repositories, as their own GitHub grant sees them. */
export async function githubRepositoryChoices(s: GitScope): Promise<GithubRepositoryChoices> {
  const app = githubAppFromEnv();
  if (!app?.install) return { available: false, authorized: false, installations: [] };
  const unauthorized: GithubRepositoryChoices = { available: true, authorized: false, installations: [] };
  if (!s.userId) return unauthorized;
  const site = githubSite();
  try {
    return await withGithubGrant(
      s.kernel,
      s.userId,
      async (grant) => {
        const installations = (await userInstallations(site, grant)).slice(0, 10);
        const withRepos = [];
        for (const i of installations) {
          const repositories = (await installationRepositories(site, grant, i.id)).map(({ name, fullName, defaultBranch }) => ({ name, fullName, defaultBranch }));
          withRepos.push({ id: i.id, account: i.account, repositories });
        }
        return { available: true, authorized: true, installations: withRepos };
      },
      () => unauthorized,
    );
  } catch (err) {
    // A grant GitHub no longer accepts (nor refreshes): the person authorizes again through the install flow.
    if (err instanceof TRPCError && err.code === "UNPROCESSABLE_CONTENT") return unauthorized;
    throw err;
  }
}
