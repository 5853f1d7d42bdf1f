/**
 * auth-github: sign in with GitHub (an OAuth app on github.com or GitHub Enterprise Server):
 * authorization code + PKCE + state, the person's primary *verified* email from the REST API,
 * the same linking rules as OIDC. Configured from the environment (config.ts). No procedures
 * of its own: its provider and identities join the kernel's sign-in registry (`signIn`), so the
 * kernel's routes (`/auth/github/start`, `/auth/github/callback`), the sign-in button and the
 * account page's "Sign-in methods" list take it in.
 */
import { SignInStartError, type SignInProvider } from "~/kernel/auth/providers";
import { definePlugin } from "~/kernel/plugin";
import { githubConfigFromEnv, type GithubConfig } from "./config";
import * as identities from "./migrations/2026-11-26-001-identities";
import { beginGithubSignIn, completeGithubSignIn, githubDb } from "./service";

function signInProvider(config: GithubConfig): SignInProvider {
  return {
    id: config.id,
    name: config.name,
    kind: "github",
    async begin(kernel, opts) {
      try {
        return await beginGithubSignIn(kernel, config, opts);
      } catch {
        throw new SignInStartError("provider_unreachable");
      }
    },
    complete: (kernel, search, req) => completeGithubSignIn(kernel, config, search, req),
  };
}

export const authGithubPlugin = definePlugin({
  id: "auth-github",
  migrations: { "2026-11-26-001-identities": identities },
  signIn: {
    providers: () => {
      const config = githubConfigFromEnv();
      return config ? [signInProvider(config)] : [];
    },
    async methods(db, userId) {
      const rows = await githubDb(db)
        .selectFrom("auth_github_identities")
        .select(["id", "host", "login", "created_at", "last_used_at"])
        .where("user_id", "=", userId)
        .orderBy("created_at", "asc")
        .execute();
      return rows.map((r) => ({
        id: r.id,
        kind: "github",
        provider: "github",
        label: r.host === "github.com" ? "GitHub" : `GitHub (${r.host})`,
        detail: `@${r.login}`,
        createdAt: r.created_at,
        lastUsedAt: r.last_used_at,
        removable: true,
      }));
    },
    async remove(db, userId, id) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const row = await githubDb(db).deleteFrom("auth_github_identities").where("id", "=", id).where("user_id", "=", userId).returning("id").executeTakeFirst();
      return row ? { kind: "github", provider: "github" } : null;
    },
  },
  init({ kernel }) {
    // A misconfigured GitHub sign-in stops the boot with the variable's name.
    const config = githubConfigFromEnv();
    if (config) kernel.log.info({ plugin: "auth-github", server: config.baseUrl }, "GitHub sign-in configured");
  },
});
