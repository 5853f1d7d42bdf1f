/**
 * A GitHub App's installation access tokens, minted per operation of a GitHub App connection
 * (service.ts `remoteToken`), and the person's side: their user token from the install callback,
 * their installations and repositories. The operator configures the app (`GIT_GITHUB_APP_ID`,
 * `GIT_GITHUB_APP_PRIVATE_KEY`, PEM); each operation signs a ten-minute app JWT (RS256) and asks
 * GitHub for an installation token limited to one repository and to contents + pull requests
 * (least privilege). The token lives about an hour on GitHub's side and only in memory here:
 * never stored, never in .git/config. A removed installation (or one without the repository) is
 * a clear 422 on `installationId`.
 */
import { createPrivateKey, createSign, type KeyObject } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { fieldError } from "~/kernel/errors";
import { askGithubAs, type GithubSite } from "./github";

export interface GithubApp {
  appId: string;
  key: KeyObject;
  /** For the install flow (all three or none): the app's URL name and its OAuth client. */
  install?: { slug: string; clientId: string; clientSecret: string };
}

/** The app from the environment, or null when none is configured; throws naming the variable when it is wrong. */
export function githubAppFromEnv(env: Record<string, string | undefined> = process.env): GithubApp | null {
  const appId = env.GIT_GITHUB_APP_ID?.trim();
  const pem = env.GIT_GITHUB_APP_PRIVATE_KEY?.replace(/\\n/g, "\n");
  if (!appId && !pem) return null;
  if (!appId || !/^\d{1,20}$/.test(appId)) throw new Error("GIT_GITHUB_APP_ID must be the GitHub App's numeric id");
  if (!pem) throw new Error("GIT_GITHUB_APP_PRIVATE_KEY must be the GitHub App's private key (PEM)");
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error("GIT_GITHUB_APP_PRIVATE_KEY is not a readable private key (PEM)");
  }
  const slug = env.GIT_GITHUB_APP_SLUG?.trim();
  const clientId = env.GIT_GITHUB_APP_CLIENT_ID?.trim();
  const clientSecret = env.GIT_GITHUB_APP_CLIENT_SECRET?.trim();
  if (!slug && !clientId && !clientSecret) return { appId, key };
  if (!slug || !/^[A-Za-z0-9-]{1,100}$/.test(slug)) throw new Error("GIT_GITHUB_APP_SLUG must be the GitHub App's URL name (github.com/apps/<name>)");
  if (!clientId || !/^[A-Za-z0-9._-]{1,100}$/.test(clientId)) throw new Error("GIT_GITHUB_APP_CLIENT_ID must be the GitHub App's client id");
  if (!clientSecret) throw new Error("GIT_GITHUB_APP_CLIENT_SECRET must be the GitHub App's client secret");
  return { appId, key, install: { slug, clientId, clientSecret } };
}

/**
 * A person's GitHub user token as GitHub issued it. An App with expiring user tokens (GitHub's
 * default) gives one that lives eight hours (`expiresAt`) and a single-use refresh token that
 * lives about six months (`refreshExpiresAt`); otherwise both are null.
 */
export interface GithubUserGrant {
  accessToken: string;
  expiresAt: Date | null;
  refreshToken: string | null;
  refreshExpiresAt: Date | null;
}

const TOKEN_MAX = 1000;
const usableToken = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= TOKEN_MAX;
/** `seconds` from `now` as a date, or null when GitHub did not say (or said nonsense). */
const expiryIn = (seconds: unknown, now: number): Date | null => (typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0 && seconds < 10 * 365 * 86_400 ? new Date(now + seconds * 1000) : null);

/** The grant in an answer of `/login/oauth/access_token`, or null when it holds no token. */
function grantOf(data: { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown; refresh_token_expires_in?: unknown } | null, now: number): GithubUserGrant | null {
  if (!data || !usableToken(data.access_token)) return null;
  const refreshToken = usableToken(data.refresh_token) ? data.refresh_token : null;
  return {
    accessToken: data.access_token,
    expiresAt: expiryIn(data.expires_in, now),
    refreshToken,
    refreshExpiresAt: refreshToken ? expiryIn(data.refresh_token_expires_in, now) : null,
  };
}

/** POSTs a form to GitHub's OAuth token endpoint (no redirects, 15 s): the status and the JSON answer. */
async function askForUserToken(site: GithubSite, install: NonNullable<GithubApp["install"]>, form: Record<string, string>): Promise<{ status: number; data: Record<string, unknown> | null }> {
  let res: Response;
  try {
    res = await fetch(`${site.baseUrl}/login/oauth/access_token`, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
      headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded", "user-agent": "Atrium git sync" },
      body: new URLSearchParams({ client_id: install.clientId, client_secret: install.clientSecret, ...form }).toString(),
    });
  } catch {
    throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub (${site.baseUrl}) could not be reached. Try again later.` });
  }
  const data = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  return { status: res.status, data: data && typeof data === "object" ? data : null };
}

/**
 * Exchanges the install callback's `code` for the person's GitHub user token (the App's OAuth
 * user-to-server token; the App asks for user authorization during installation), with its
 * refresh token and expiries when GitHub makes it expire. A code that is wrong, used or expired
 * is null.
 */
export async function exchangeUserCode(site: GithubSite, install: NonNullable<GithubApp["install"]>, code: string): Promise<GithubUserGrant | null> {
  const now = Date.now();
  const { status, data } = await askForUserToken(site, install, { code });
  return status === 200 ? grantOf(data, now) : null;
}

/**
 * Spends a person's refresh token for a new user token and refresh token (GitHub's refresh
 * tokens are single use). `refused`: GitHub will not refresh it (`bad_refresh_token`: expired,
 * revoked or already used), and the person must authorize again. The operator's wrong client
 * credentials, or GitHub failing, are a 502 and leave the grant as it is.
 */
export async function refreshUserToken(site: GithubSite, install: NonNullable<GithubApp["install"]>, refreshToken: string): Promise<GithubUserGrant | "refused"> {
  const now = Date.now();
  const { status, data } = await askForUserToken(site, install, { grant_type: "refresh_token", refresh_token: refreshToken });
  if (status === 200) {
    const grant = grantOf(data, now);
    if (grant) return grant;
    if (data?.error === "incorrect_client_credentials") {
      throw new TRPCError({ code: "BAD_GATEWAY", message: "GitHub refused the app's OAuth client: the operator's GIT_GITHUB_APP_CLIENT_ID or GIT_GITHUB_APP_CLIENT_SECRET is wrong." });
    }
    if (typeof data?.error === "string") return "refused";
  }
  if (status === 400 || status === 401) return "refused";
  throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub answered ${status} when asked to refresh your authorization. Try again later.` });
}

/** Refusals of the person's user token that GitHub answered 401 to: worth one refresh and a retry. */
const unauthorized = new WeakSet<TRPCError>();

/** The answer when the person's GitHub grant no longer works: authorize again (the install flow). */
export const grantExpired = () => fieldError("UNPROCESSABLE_CONTENT", "installationId", "Your GitHub authorization was revoked or has expired. Connect with GitHub again.");

function refusedGrant(status: number): TRPCError {
  const err = grantExpired();
  if (status === 401) unauthorized.add(err);
  return err;
}

/** Whether `err` is GitHub answering 401 to the person's user token (expired or revoked: a refresh may help). */
export function isUnauthorizedGrant(err: unknown): boolean {
  return err instanceof TRPCError && unauthorized.has(err);
}

/** The installations of the App the person's GitHub user token reaches (id and account), at most 100. */
export async function userInstallations(site: GithubSite, userToken: string): Promise<Array<{ id: number; account: string | null }>> {
  const listed = await askGithubAs(site, userToken, "/user/installations?per_page=100");
  if (listed.status === 401 || listed.status === 403) throw refusedGrant(listed.status);
  if (listed.status !== 200) throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub answered ${listed.status} when asked for your installations. Try again later.` });
  const installations = ((await listed.json().catch(() => null)) as { installations?: { id?: unknown; account?: { login?: unknown } }[] } | null)?.installations ?? [];
  return installations
    .filter((i): i is { id: number; account?: { login?: unknown } } => typeof i.id === "number" && Number.isSafeInteger(i.id))
    .map((i) => ({ id: i.id, account: typeof i.account?.login === "string" ? i.account.login.slice(0, 100) : null }));
}

/** The repositories of one installation the person's GitHub user token reaches (name, full name, default branch), at most 100. */
export async function installationRepositories(site: GithubSite, userToken: string, installationId: number): Promise<Array<{ name: string; fullName: string; defaultBranch: string; cloneUrl: string }>> {
  const repos = await askGithubAs(site, userToken, `/user/installations/${installationId}/repositories?per_page=100`);
  if (repos.status === 401 || repos.status === 403) throw refusedGrant(repos.status);
  if (repos.status === 404) throw fieldError("UNPROCESSABLE_CONTENT", "installationId", `GitHub App installation ${installationId} is not one your GitHub account can reach. Install the app on GitHub, or pick one of your installations.`);
  if (repos.status !== 200) throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub answered ${repos.status} when asked for the installation's repositories. Try again later.` });
  const list = ((await repos.json().catch(() => null)) as { repositories?: { name?: unknown; full_name?: unknown; clone_url?: unknown; default_branch?: unknown }[] } | null)?.repositories ?? [];
  return list.flatMap((r) =>
    typeof r.name === "string" && typeof r.full_name === "string" && typeof r.clone_url === "string"
      ? [{ name: r.name, fullName: r.full_name, cloneUrl: r.clone_url, defaultBranch: typeof r.default_branch === "string" ? r.default_branch : "main" }]
      : [],
  );
}

/** The app's JWT (RS256), valid from a minute ago for nine minutes (GitHub allows ten). */
export function appJwt(app: GithubApp, now = Date.now()): string {
  const seconds = Math.floor(now / 1000);
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const unsigned = `${part({ alg: "RS256", typ: "JWT" })}.${part({ iat: seconds - 60, exp: seconds + 540, iss: app.appId })}`;
  const signature = createSign("RSA-SHA256").update(unsigned).sign(app.key).toString("base64url");
  return `${unsigned}.${signature}`;
}

/** An installation token for `repository` only (contents and pull requests: write), and when it expires. */
export async function installationToken(site: GithubSite, app: GithubApp, installationId: number, repository: string): Promise<{ token: string; expiresAt: string }> {
  let res: Response;
  try {
    res = await fetch(`${site.apiUrl}/app/installations/${installationId}/access_tokens`, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
      headers: { accept: "application/vnd.github+json", authorization: `Bearer ${appJwt(app)}`, "content-type": "application/json", "user-agent": "Atrium git sync", "x-github-api-version": "2022-11-28" },
      body: JSON.stringify({ repositories: [repository], permissions: { contents: "write", pull_requests: "write", metadata: "read" } }),
    });
  } catch {
    throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub (${site.apiUrl}) could not be reached. Try again later.` });
  }
  const data = (await res.json().catch(() => null)) as { token?: unknown; expires_at?: unknown } | null;
  if (res.status === 201 && typeof data?.token === "string" && typeof data.expires_at === "string") return { token: data.token, expiresAt: data.expires_at };
  if (res.status === 404 || res.status === 403) {
    throw fieldError("UNPROCESSABLE_CONTENT", "installationId", "The GitHub App is no longer installed for this repository (the installation was removed or revoked). Install it again, or disconnect.");
  }
  if (res.status === 422) throw fieldError("UNPROCESSABLE_CONTENT", "installationId", `The GitHub App's installation does not include ${repository}. Add the repository to the installation on GitHub.`);
  if (res.status === 401) throw new TRPCError({ code: "BAD_GATEWAY", message: "GitHub refused the app's credentials: the operator's GIT_GITHUB_APP_ID or private key is wrong." });
  throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub answered ${res.status} when asked for an installation token. Try again later.` });
}

/**
 * The installation id a person brings (from the install redirect's query string, or an MCP tool's
 * arguments) is never trusted as such: it must be among the installations their own GitHub user
 * token reaches (`GET /user/installations`), and the repository among that installation's
 * repositories they can reach (`GET /user/installations/{id}/repositories`). Otherwise one org
 * could connect another's repository by naming its installation id (ADR 035). Returns the
 * repository's clone URL and default branch.
 */
export async function verifyInstallationForUser(site: GithubSite, userToken: string, installationId: number, repository: string): Promise<{ cloneUrl: string; defaultBranch: string }> {
  const ask = (route: string) => askGithubAs(site, userToken, route);
  const notYours = () => fieldError("UNPROCESSABLE_CONTENT", "installationId", `GitHub App installation ${installationId} is not one your GitHub account can reach. Install the app on GitHub, or pick one of your installations.`);
  const listed = await ask("/user/installations?per_page=100");
  if (listed.status === 401 || listed.status === 403) throw refusedGrant(listed.status);
  if (listed.status !== 200) throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub answered ${listed.status} when asked for your installations. Try again later.` });
  const installations = ((await listed.json().catch(() => null)) as { installations?: { id?: unknown }[] } | null)?.installations ?? [];
  if (!installations.some((i) => i.id === installationId)) throw notYours();
  const repos = await ask(`/user/installations/${installationId}/repositories?per_page=100`);
  if (repos.status === 401 || repos.status === 403) throw refusedGrant(repos.status);
  if (repos.status === 404) throw notYours();
  if (repos.status !== 200) throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub answered ${repos.status} when asked for the installation's repositories. Try again later.` });
  const list = ((await repos.json().catch(() => null)) as { repositories?: { name?: unknown; full_name?: unknown; clone_url?: unknown; default_branch?: unknown }[] } | null)?.repositories ?? [];
  const found = list.find((r) => r.name === repository || r.full_name === repository);
  if (!found || typeof found.clone_url !== "string") {
    throw fieldError("UNPROCESSABLE_CONTENT", "repository", `${repository} is not among the repositories installation ${installationId} lets your GitHub account reach.`);
  }
  return { cloneUrl: found.clone_url, defaultBranch: typeof found.default_branch === "string" ? found.default_branch : "main" };
}
