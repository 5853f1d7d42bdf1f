/**
 * GitHub's REST API for git sync: where a connected repository lives on GitHub (github.com or
 * a GitHub Enterprise Server) and opening a pull request from a work branch into the trunk.
 *
 * - `GIT_GITHUB_URL`: GitHub Enterprise Server's address (default https://github.com), as
 *   sign-in's `AUTH_GITHUB_URL`. Its REST API is `<url>/api/v3`; github.com's is
 *   https://api.github.com. A remote on any other host is not a GitHub repository for these
 *   calls, so the connection's token is never sent to an API the operator did not name.
 *
 * Calls carry the connection's own token (`Authorization: Bearer`), have a timeout, never follow
 * redirects, and their errors never repeat the token.
 */
import { TRPCError } from "@trpc/server";
import { fieldError } from "~/kernel/errors";

export interface GithubSite {
  /** `https://github.com` or the GHES address, without a trailing slash. */
  baseUrl: string;
  /** The REST API root, without a trailing slash. */
  apiUrl: string;
}

export function githubSite(env: Record<string, string | undefined> = process.env): GithubSite {
  const raw = env.GIT_GITHUB_URL?.trim() || "https://github.com";
  if (!URL.canParse(raw)) throw new Error("GIT_GITHUB_URL must be GitHub's address (https://github.com or your GitHub Enterprise Server)");
  const url = new URL(raw);
  const baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  const dotCom = url.hostname === "github.com" || url.hostname === "www.github.com";
  return { baseUrl: dotCom ? "https://github.com" : baseUrl, apiUrl: dotCom ? "https://api.github.com" : `${baseUrl}/api/v3` };
}

/**
 * A GET on GitHub's REST API as a person (their user or OAuth token): no redirects followed, 15 s
 * at most; GitHub out of reach is a 502.
 */
export async function askGithubAs(site: GithubSite, token: string, route: string): Promise<Response> {
  try {
    return await fetch(`${site.apiUrl}${route}`, {
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
      headers: { accept: "application/vnd.github+json", authorization: `Bearer ${token}`, "user-agent": "Atrium git sync", "x-github-api-version": "2022-11-28" },
    });
  } catch {
    throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub (${site.apiUrl}) could not be reached. Try again later.` });
  }
}

/** The owner and name of a remote on `site` (`<base>/<owner>/<name>[.git]`), or null when it is elsewhere. */
export function githubRepositoryOf(remoteUrl: string, site: GithubSite): { owner: string; name: string } | null {
  if (!URL.canParse(remoteUrl)) return null;
  const url = new URL(remoteUrl);
  const base = new URL(site.baseUrl);
  if (url.origin !== base.origin) return null;
  const prefix = base.pathname.replace(/\/+$/, "");
  if (!url.pathname.startsWith(`${prefix}/`)) return null;
  const parts = url.pathname.slice(prefix.length + 1).replace(/\.git\/?$/, "").split("/");
  if (parts.length !== 2 || !parts.every((p) => /^[A-Za-z0-9_.-]{1,100}$/.test(p))) return null;
  return { owner: parts[0]!, name: parts[1]! };
}

interface PullRequestAnswer {
  html_url: string;
  number: number;
}

const isPull = (v: unknown): v is PullRequestAnswer =>
  typeof v === "object" && v !== null && typeof (v as PullRequestAnswer).html_url === "string" && typeof (v as PullRequestAnswer).number === "number";

async function call(site: GithubSite, token: string, method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; data: unknown }> {
  let res: Response;
  try {
    res = await fetch(`${site.apiUrl}${path}`, {
      method,
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
      headers: {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${token}`,
        "x-github-api-version": "2022-11-28",
        "user-agent": "Atrium git sync",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub (${site.apiUrl}) could not be reached. Try again later.` });
  }
  const data: unknown = await res.json().catch(() => null);
  return { status: res.status, data };
}

function refused(status: number): never {
  if (status === 401) throw fieldError("UNPROCESSABLE_CONTENT", "token", "GitHub refused the repository's token (revoked or expired). Connect the repository again with a valid token.");
  if (status === 403 || status === 404) {
    throw fieldError("UNPROCESSABLE_CONTENT", "token", "GitHub did not let the repository's token open pull requests (it needs the repo scope, or Pull requests: write for a fine-grained token).");
  }
  throw new TRPCError({ code: "BAD_GATEWAY", message: `GitHub answered ${status} when asked to open the pull request. Try again later.` });
}

/**
 * The open pull request from `head` into `base` (reused when one is open already), else a new
 * one with `title` and `body`. `reused` says which.
 */
export async function openPullRequest(input: {
  site: GithubSite;
  token: string;
  repository: { owner: string; name: string };
  head: string;
  base: string;
  title: string;
  body: string;
}): Promise<{ url: string; number: number; reused: boolean }> {
  const { site, token, repository, head, base } = input;
  const repoPath = `/repos/${encodeURIComponent(repository.owner)}/${encodeURIComponent(repository.name)}`;
  const query = new URLSearchParams({ state: "open", head: `${repository.owner}:${head}`, base });
  const open = await call(site, token, "GET", `${repoPath}/pulls?${query}`);
  if (open.status !== 200) refused(open.status);
  const existing = Array.isArray(open.data) ? open.data.find(isPull) : undefined;
  if (existing) return { url: existing.html_url, number: existing.number, reused: true };
  const created = await call(site, token, "POST", `${repoPath}/pulls`, { title: input.title, body: input.body, head, base });
  if (created.status === 201 && isPull(created.data)) return { url: created.data.html_url, number: created.data.number, reused: false };
  if (created.status === 422) throw fieldError("UNPROCESSABLE_CONTENT", "branch", `GitHub would not open a pull request from ${head} into ${base} (no commits between them, or the branch is missing).`);
  refused(created.status);
}
