/**
 * GitHub sign-in configuration, from the environment (validated with zod):
 *
 * - `AUTH_GITHUB_CLIENT_ID`, `AUTH_GITHUB_CLIENT_SECRET`: the OAuth app's credentials
 *   (GitHub → Settings → Developer settings → OAuth Apps); callback URL
 *   `${PUBLIC_URL}/auth/github/callback`;
 * - `AUTH_GITHUB_URL`: GitHub Enterprise Server's address (default https://github.com). Its
 *   REST API is `<url>/api/v3`; github.com's is https://api.github.com.
 *
 * Unset client id: no GitHub sign-in (no button, `/auth/github/*` unknown).
 */
import { z } from "zod";

export interface GithubConfig {
  /** The provider id: URL segment, identity key, session provider. */
  id: "github";
  name: string;
  clientId: string;
  clientSecret: string;
  /** `https://github.com` or the GHES address, without a trailing slash. */
  baseUrl: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** The REST API root, without a trailing slash. */
  apiUrl: string;
}

function isLoopback(url: URL): boolean {
  return url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
}

const schema = z.object({
  clientId: z.string().trim().min(1, "is required"),
  clientSecret: z.string().min(1, "is required"),
  baseUrl: z
    .url({ message: "must be GitHub's address (https://github.com or your GitHub Enterprise Server)" })
    .refine((v) => {
      if (!URL.canParse(v)) return true; // reported by z.url
      const url = new URL(v);
      // Plain http only for a server on this machine (tests, local development).
      return url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url));
    }, "must be an https:// address")
    .refine((v) => !URL.canParse(v) || (!new URL(v).search && !new URL(v).hash), "must not carry a query or fragment"),
});

const NAMES: Record<string, string> = { clientId: "AUTH_GITHUB_CLIENT_ID", clientSecret: "AUTH_GITHUB_CLIENT_SECRET", baseUrl: "AUTH_GITHUB_URL" };

/** GitHub sign-in's configuration, or null when it is not configured; throws naming the variable when it is wrong. */
export function githubConfigFromEnv(env: Record<string, string | undefined> = process.env): GithubConfig | null {
  if (!env.AUTH_GITHUB_CLIENT_ID && !env.AUTH_GITHUB_CLIENT_SECRET) return null;
  const result = schema.safeParse({ clientId: env.AUTH_GITHUB_CLIENT_ID, clientSecret: env.AUTH_GITHUB_CLIENT_SECRET, baseUrl: env.AUTH_GITHUB_URL?.trim() || "https://github.com" });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${NAMES[String(issue.path[0])] ?? String(issue.path[0])} ${issue.message}`);
    throw new Error(`GitHub sign-in is misconfigured: ${problems.join("; ")}`);
  }
  const { clientId, clientSecret } = result.data;
  const base = new URL(result.data.baseUrl);
  const baseUrl = `${base.origin}${base.pathname.replace(/\/+$/, "")}`;
  const dotCom = base.hostname === "github.com" || base.hostname === "www.github.com";
  return {
    id: "github",
    name: "GitHub",
    clientId,
    clientSecret,
    baseUrl: dotCom ? "https://github.com" : baseUrl,
    authorizeUrl: `${dotCom ? "https://github.com" : baseUrl}/login/oauth/authorize`,
    tokenUrl: `${dotCom ? "https://github.com" : baseUrl}/login/oauth/access_token`,
    apiUrl: dotCom ? "https://api.github.com" : `${baseUrl}/api/v3`,
  };
}
