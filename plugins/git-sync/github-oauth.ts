/**
 * Connecting a project through a person's GitHub OAuth grant (an OAuth App on GitHub or GitHub
 * Enterprise Server, ADR 035's third addendum):
 *
 * - **Settings**: `GIT_GITHUB_OAUTH_CLIENT_ID`, `GIT_GITHUB_OAUTH_CLIENT_SECRET` (both or none),
 *   with GitHub's address from `GIT_GITHUB_URL` (GHES: the API at `<url>/api/v3`).
 * - **Authorize** (`gitSync.githubOauthAuthorize`, or `GET /api/git-sync/github/authorize?orgId=&projectId=`,
 *   `git-sync.connect`): a random state (its SHA-256 stored) bound to the person and the project,
 *   single use, ten minutes; the answer is GitHub's `/login/oauth/authorize` asking for
 *   `public_repo`, or `repo` when the person asked for private repositories too (least privilege:
 *   GitHub has no narrower OAuth scope that writes to a private repository).
 * - **Callback** (`GET /api/git-sync/github/oauth-callback`): the same signed-in person, the state
 *   deleted as it is read; the `code` is exchanged (no redirects, 15 s) and the person's grant is
 *   kept encrypted at rest (`secretBox(ATRIUM_SECRET, "git-sync.github-oauth")`, bound to them),
 *   never in logs, responses or audit data.
 * - **Use**: the picker (`GET /user/repos`), the check on connect (`GET /repos/{owner}/{name}`),
 *   and every git operation of a connection made with it (service.ts `remoteToken`): the grant of
 *   the person who connected, while they are still a member of the org.
 */
import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { Generated, Kysely } from "kysely";
import { hashFlowState } from "~/kernel/auth/redirects";
import { secretBox } from "~/kernel/crypto";
import type { KernelDatabase } from "~/kernel/db/schema";
import { fieldError } from "~/kernel/errors";
import type { Kernel } from "~/kernel/kernel";
import { askGithubAs, githubRepositoryOf, githubSite, type GithubSite } from "./github";

export const OAUTH_TTL_MS = 10 * 60 * 1000;
export const OAUTH_START_PATH = "/api/git-sync/github/authorize";
export const OAUTH_CALLBACK_PATH = "/api/git-sync/github/oauth-callback";
/** At most this many repositories are listed for the picker (five pages of 100). */
export const OAUTH_REPOSITORY_LIMIT = 500;

export interface GithubOauthClient {
  clientId: string;
  clientSecret: string;
}

/** The operator's OAuth App from the environment, or null when none is configured; throws naming the variable when one is missing or wrong. */
export function githubOauthFromEnv(env: Record<string, string | undefined> = process.env): GithubOauthClient | null {
  const clientId = env.GIT_GITHUB_OAUTH_CLIENT_ID?.trim();
  const clientSecret = env.GIT_GITHUB_OAUTH_CLIENT_SECRET?.trim();
  if (!clientId && !clientSecret) return null;
  if (!clientId || !/^[A-Za-z0-9._-]{1,100}$/.test(clientId)) throw new Error("GIT_GITHUB_OAUTH_CLIENT_ID must be the GitHub OAuth App's client id");
  if (!clientSecret) throw new Error("GIT_GITHUB_OAUTH_CLIENT_SECRET must be the GitHub OAuth App's client secret");
  return { clientId, clientSecret };
}

type Timestamp = Date;
export type GithubOauthTables = {
  git_sync_github_oauth_states: { state_hash: string; user_id: string; project_id: string; return_to: string; scope: string; expires_at: Timestamp; created_at: Generated<Timestamp> };
  git_sync_github_oauth_grants: { user_id: string; token: string; scope: string; login: string | null; updated_at: Generated<Timestamp> };
};

const oauthDb = (db: Kysely<KernelDatabase>) => db.withTables<GithubOauthTables>();
const box = (kernel: Kernel) => secretBox(kernel.secret, "git-sync.github-oauth");

/** The operator's OAuth App, or a 422 on `auth` saying there is none. */
export function configuredGithubOauth(): GithubOauthClient {
  const client = githubOauthFromEnv();
  if (!client) throw fieldError("UNPROCESSABLE_CONTENT", "auth", "This Atrium server has no GitHub OAuth App configured (GIT_GITHUB_OAUTH_CLIENT_ID, GIT_GITHUB_OAUTH_CLIENT_SECRET): connect with a token instead.");
  return client;
}

/* ---------------------------------------------------------------------------------------------
 * The person's grant
 * ------------------------------------------------------------------------------------------ */

/** Keeps a person's GitHub OAuth token (encrypted, bound to them), the scopes GitHub granted and their login. */
export async function saveOauthGrant(kernel: Kernel, userId: string, grant: { token: string; scope: string; login: string | null }): Promise<void> {
  const values = { token: box(kernel).encrypt(grant.token, userId), scope: grant.scope.slice(0, 200), login: grant.login };
  await oauthDb(kernel.db)
    .insertInto("git_sync_github_oauth_grants")
    .values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ ...values, updated_at: new Date() }))
    .execute();
}

/** The person's grant (decrypted), or null when they have not authorized (or it was forgotten). */
export async function oauthGrant(kernel: Kernel, userId: string): Promise<{ token: string; scope: string; login: string | null } | null> {
  const row = await oauthDb(kernel.db).selectFrom("git_sync_github_oauth_grants").select(["token", "scope", "login"]).where("user_id", "=", userId).executeTakeFirst();
  return row ? { token: box(kernel).decrypt(row.token, userId), scope: row.scope, login: row.login } : null;
}

/** Forgets the person's grant (GitHub revoked it, or they signed out of GitHub here). */
export async function forgetOauthGrant(kernel: Kernel, userId: string): Promise<boolean> {
  const gone = await oauthDb(kernel.db).deleteFrom("git_sync_github_oauth_grants").where("user_id", "=", userId).returning("user_id").executeTakeFirst();
  return Boolean(gone);
}

/* ---------------------------------------------------------------------------------------------
 * GitHub's side
 * ------------------------------------------------------------------------------------------ */

/** Exchanges the callback's `code` for the person's token and the scopes granted; null when GitHub refuses the code. */
export async function exchangeOauthCode(site: GithubSite, client: GithubOauthClient, code: string, redirectUri: string): Promise<{ token: string; scope: string } | null> {
  let res: Response;
  try {
    res = await fetch(`${site.baseUrl}/login/oauth/access_token`, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
      headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded", "user-agent": "Atrium git sync" },
      body: new URLSearchParams({ client_id: client.clientId, client_secret: client.clientSecret, code, redirect_uri: redirectUri }).toString(),
    });
  } catch {
    throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub (${site.baseUrl}) could not be reached. Try again later.` });
  }
  const data = (await res.json().catch(() => null)) as { access_token?: unknown; scope?: unknown; error?: unknown } | null;
  if (res.status === 200 && data?.error === "incorrect_client_credentials") {
    throw new TRPCError({ code: "BAD_GATEWAY", message: "GitHub refused the OAuth App's client: the operator's GIT_GITHUB_OAUTH_CLIENT_ID or GIT_GITHUB_OAUTH_CLIENT_SECRET is wrong." });
  }
  if (res.status !== 200 || typeof data?.access_token !== "string" || data.access_token.length === 0 || data.access_token.length > 1000) return null;
  return { token: data.access_token, scope: typeof data.scope === "string" ? data.scope : "" };
}

/** The GitHub login the token stands for, or null when GitHub does not say. */
async function loginOf(site: GithubSite, token: string): Promise<string | null> {
  const res = await askGithubAs(site, token, "/user");
  if (res.status !== 200) return null;
  const login = ((await res.json().catch(() => null)) as { login?: unknown } | null)?.login;
  return typeof login === "string" ? login.slice(0, 100) : null;
}

/** A repository as the picker offers it. */
export interface OauthRepository {
  fullName: string;
  private: boolean;
  defaultBranch: string;
}

/** Thrown when GitHub answers 401 to the person's token: it was revoked (or the OAuth App's access removed). */
class GrantRevoked extends Error {}

/** The repositories the token reaches (`GET /user/repos`, newest pushed first), at most `limit`. */
async function userRepositories(site: GithubSite, token: string, limit = OAUTH_REPOSITORY_LIMIT): Promise<{ repositories: OauthRepository[]; truncated: boolean }> {
  const repositories: OauthRepository[] = [];
  for (let page = 1; repositories.length < limit; page++) {
    const res = await askGithubAs(site, token, `/user/repos?per_page=100&sort=pushed&page=${page}`);
    if (res.status === 401) throw new GrantRevoked();
    if (res.status !== 200) throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub answered ${res.status} when asked for your repositories. Try again later.` });
    const list = (await res.json().catch(() => null)) as Array<{ full_name?: unknown; private?: unknown; default_branch?: unknown }> | null;
    if (!Array.isArray(list)) break;
    for (const r of list) {
      if (typeof r.full_name !== "string" || !/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/.test(r.full_name)) continue;
      repositories.push({ fullName: r.full_name, private: r.private === true, defaultBranch: typeof r.default_branch === "string" ? r.default_branch : "main" });
    }
    if (list.length < 100) return { repositories: repositories.slice(0, limit), truncated: false };
  }
  return { repositories: repositories.slice(0, limit), truncated: true };
}

/* ---------------------------------------------------------------------------------------------
 * The browser flow
 * ------------------------------------------------------------------------------------------ */

/** A flow step is made by a person: the project is in the caller's org (the procedure checked `git-sync.connect`). */
interface FlowScope {
  kernel: Kernel;
  db: Kysely<KernelDatabase>;
  projectId: string;
  userId: string | null;
}

export const oauthScopeFor = (privateRepositories: boolean) => (privateRepositories ? "repo" : "public_repo");
const redirectUri = (kernel: Kernel) => `${kernel.config.publicUrl}${OAUTH_CALLBACK_PATH}`;

/** Starts an authorization for the caller and the project: GitHub's authorize page to send them to. */
export async function beginGithubOauth(s: FlowScope, input: { privateRepositories: boolean }): Promise<{ url: string; expiresAt: string }> {
  const client = configuredGithubOauth();
  if (!s.userId) throw new TRPCError({ code: "FORBIDDEN", message: "Authorizing with GitHub is done by a person." });
  const where = await s.db
    .selectFrom("projects")
    .innerJoin("orgs", "orgs.id", "projects.org_id")
    .select(["orgs.slug as orgSlug", "projects.slug as projectSlug"])
    .where("projects.id", "=", s.projectId)
    .executeTakeFirstOrThrow();
  const state = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + OAUTH_TTL_MS);
  const scope = oauthScopeFor(input.privateRepositories);
  const db = oauthDb(s.db);
  await db.deleteFrom("git_sync_github_oauth_states").where("expires_at", "<", new Date()).execute();
  // One open authorization per person and project: starting again replaces it.
  await db.deleteFrom("git_sync_github_oauth_states").where("user_id", "=", s.userId).where("project_id", "=", s.projectId).execute();
  await db
    .insertInto("git_sync_github_oauth_states")
    .values({ state_hash: hashFlowState(state), user_id: s.userId, project_id: s.projectId, scope, return_to: `/o/${encodeURIComponent(where.orgSlug)}/p/${encodeURIComponent(where.projectSlug)}/git`, expires_at: expiresAt })
    .execute();
  const url = new URL(`${githubSite().baseUrl}/login/oauth/authorize`);
  url.searchParams.set("client_id", client.clientId);
  url.searchParams.set("redirect_uri", redirectUri(s.kernel));
  url.searchParams.set("scope", scope);
  url.searchParams.set("state", state);
  url.searchParams.set("allow_signup", "false");
  return { url: url.toString(), expiresAt: expiresAt.toISOString() };
}

/** Why a callback was refused before anything was recorded: the HTTP status and a code. */
export class OauthRefused extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Finishes an authorization from GitHub's redirect for the signed-in person (`userId`). Refuses
 * (no write) a missing, unknown, used, another person's or expired state; otherwise answers where
 * to send them: the project's Git page with `?github=authorized` or `?github=<reason>`.
 */
export async function completeGithubOauth(kernel: Kernel, userId: string | null, query: URLSearchParams): Promise<{ location: string; authorized: { scope: string; projectId: string } | null }> {
  const state = query.get("state");
  if (!state || state.length > 200) throw new OauthRefused(400, "state_invalid", "This GitHub authorization link has no valid state. Start again from the project's Git page.");
  if (!userId) throw new OauthRefused(401, "sign_in", "Sign in to Atrium, then start Connect with GitHub (OAuth) again from the project's Git page.");
  // Single use and bound to the person: deleted as it is read, and only by them.
  const flow = await oauthDb(kernel.db).deleteFrom("git_sync_github_oauth_states").where("state_hash", "=", hashFlowState(state)).where("user_id", "=", userId).returningAll().executeTakeFirst();
  if (!flow) throw new OauthRefused(400, "state_invalid", "This GitHub authorization link is unknown, was already used, or was started by someone else. Start again from the project's Git page.");
  if (flow.expires_at.getTime() < Date.now()) throw new OauthRefused(400, "state_expired", "This GitHub authorization link has expired (ten minutes). Start again from the project's Git page.");
  const back = (reason: string) => `${flow.return_to}?${new URLSearchParams({ github: reason }).toString()}`;
  if (query.get("error") === "access_denied") return { location: back("oauth_denied"), authorized: null };
  const code = query.get("code") ?? "";
  if (!code || code.length > 500) return { location: back("oauth_missing"), authorized: null };
  const client = configuredGithubOauth();
  const site = githubSite();
  const exchanged = await exchangeOauthCode(site, client, code, redirectUri(kernel));
  if (!exchanged) return { location: back("oauth_refused"), authorized: null };
  await saveOauthGrant(kernel, userId, { token: exchanged.token, scope: exchanged.scope, login: await loginOf(site, exchanged.token) });
  return { location: back("authorized"), authorized: { scope: exchanged.scope, projectId: flow.project_id } };
}

/* ---------------------------------------------------------------------------------------------
 * The picker and connecting
 * ------------------------------------------------------------------------------------------ */

export interface GithubOauthChoices {
  /** The operator configured a GitHub OAuth App. */
  available: boolean;
  /** The person has a GitHub OAuth grant that GitHub still accepts. */
  authorized: boolean;
  /** Their GitHub login, and the scopes they granted (`public_repo`, or `repo` with private repositories). */
  login: string | null;
  scope: string | null;
  /** The repositories their grant reaches, most recently pushed first (at most 500; `truncated` when there were more). */
  repositories: OauthRepository[];
  truncated: boolean;
}

/** What the Git page's OAuth picker offers the caller: the repositories their own grant reaches. */
export async function githubOauthChoices(s: { kernel: Kernel; userId: string | null }): Promise<GithubOauthChoices> {
  const none = { login: null, scope: null, repositories: [], truncated: false };
  if (!githubOauthFromEnv()) return { available: false, authorized: false, ...none };
  const grant = s.userId ? await oauthGrant(s.kernel, s.userId) : null;
  if (!s.userId || !grant) return { available: true, authorized: false, ...none };
  try {
    const listed = await userRepositories(githubSite(), grant.token);
    return { available: true, authorized: true, login: grant.login, scope: grant.scope, ...listed };
  } catch (err) {
    if (!(err instanceof GrantRevoked)) throw err;
    // Revoked on GitHub: forgotten here, and the person authorizes again.
    await forgetOauthGrant(s.kernel, s.userId);
    return { available: true, authorized: false, ...none };
  }
}

/**
 * Checks that the caller's grant reaches `repository` (owner/name) on the configured GitHub:
 * its clone address and default branch, and the caller's token for the first git call. A 422 on
 * `auth` without a grant (or a revoked one, which is forgotten), on `repository` when GitHub does
 * not show it to them.
 */
export async function verifyOauthRepository(s: { kernel: Kernel; userId: string | null }, repository: string): Promise<{ cloneUrl: string; defaultBranch: string; token: string }> {
  configuredGithubOauth();
  const authorizeFirst = () => fieldError("UNPROCESSABLE_CONTENT", "auth", "Authorize Atrium with GitHub first (Connect with GitHub (OAuth) on the project's Git page): the repository is reached with your own GitHub authorization.");
  if (!s.userId) throw authorizeFirst();
  const grant = await oauthGrant(s.kernel, s.userId);
  if (!grant) throw authorizeFirst();
  const [owner, name] = repository.split("/");
  if (!owner || !name) throw fieldError("UNPROCESSABLE_CONTENT", "repository", "Name the repository as owner/name.");
  const site = githubSite();
  const res = await askGithubAs(site, grant.token, `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`);
  if (res.status === 401) {
    await forgetOauthGrant(s.kernel, s.userId);
    throw fieldError("UNPROCESSABLE_CONTENT", "auth", "GitHub no longer accepts your authorization (revoked or removed): connect with GitHub (OAuth) again.");
  }
  if (res.status === 404 || res.status === 403) throw fieldError("UNPROCESSABLE_CONTENT", "repository", `${repository} is not a repository your GitHub authorization reaches (for a private repository, authorize again with private repositories).`);
  if (res.status !== 200) throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub answered ${res.status} when asked for ${repository}. Try again later.` });
  const data = (await res.json().catch(() => null)) as { clone_url?: unknown; default_branch?: unknown } | null;
  const cloneUrl = typeof data?.clone_url === "string" ? data.clone_url : "";
  if (!githubRepositoryOf(cloneUrl, site)) throw fieldError("UNPROCESSABLE_CONTENT", "repository", `${repository} is not on the configured GitHub (${site.baseUrl}).`);
  return { cloneUrl, defaultBranch: typeof data?.default_branch === "string" ? data.default_branch : "main", token: grant.token };
}

/**
 * The token a `github_oauth` connection's operation presents: the grant of the person who
 * connected it, while they are a member of the org and their grant is kept. Otherwise a 422 on
 * `auth` naming who must authorize again.
 */
export async function oauthConnectionToken(s: { kernel: Kernel; db: Kysely<KernelDatabase>; orgId: string }, personId: string | null): Promise<string> {
  const person = personId
    ? await s.db
        .selectFrom("users")
        .leftJoin("memberships", (j) => j.onRef("memberships.user_id", "=", "users.id").on("memberships.org_id", "=", s.orgId))
        .select(["users.name", "memberships.user_id as member"])
        .where("users.id", "=", personId)
        .executeTakeFirst()
    : undefined;
  if (!personId || !person) throw fieldError("UNPROCESSABLE_CONTENT", "auth", "The person whose GitHub authorization this repository was connected with is gone. Someone who may connect must disconnect and connect it again with their own GitHub authorization.");
  if (!person.member) throw fieldError("UNPROCESSABLE_CONTENT", "auth", `${person.name} connected this repository with their GitHub authorization and is no longer a member of this organization. Someone who may connect must disconnect and connect it again with their own GitHub authorization.`);
  const grant = await oauthGrant(s.kernel, personId);
  if (!grant) throw fieldError("UNPROCESSABLE_CONTENT", "auth", `${person.name}'s GitHub authorization for this repository was removed. ${person.name} must connect with GitHub (OAuth) again, or someone who may connect must disconnect and connect it with their own.`);
  return grant.token;
}

/** The 422 when git or GitHub refuses a `github_oauth` connection's token: who must authorize again ("": the caller, connecting). */
export function oauthRefusedBy(person: string): TRPCError {
  if (!person) return fieldError("UNPROCESSABLE_CONTENT", "auth", "GitHub refused your GitHub authorization for this repository (revoked, or it does not let you read it). Connect with GitHub (OAuth) again.");
  return fieldError(
    "UNPROCESSABLE_CONTENT",
    "auth",
    `GitHub refused ${person}'s GitHub authorization for this repository (revoked on GitHub, or their access to the repository was removed). ${person} must connect with GitHub (OAuth) again, or someone who may connect must disconnect and connect it with their own.`,
  );
}
