/**
 * The git-sync plugin's rows: every `gitSync.*` procedure against org A's project, with a real
 * bare repository on disk (one per test process, local remotes allowed for the matrix). Rows
 * that need a connection insert it first, as the world's owner.
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync } from "node:fs";
import type { ColumnType } from "kysely";
import { tmpdir } from "node:os";
import path from "node:path";
import { backgroundSync } from "../../../plugins/git-sync/service";
import { createRemote } from "../../../plugins/git-sync/test-repos";
import type { World } from "../world";
import { MATRIX_DASHBOARD_YAML } from "./dashboards";
import { P, type Row } from "./helpers";

let remote: ReturnType<typeof createRemote> | null = null;

/** The matrix's repository (dashboards/matrix.yaml on main, and a work branch atrium/matrix at the same commit), created on first use. */
export function matrixRemote(): string {
  process.env.GIT_ALLOW_LOCAL_REMOTES = "true";
  process.env.GIT_SYNC_DIR ??= mkdtempSync(path.join(tmpdir(), "atrium-git-sync-matrix-"));
  if (!remote) {
    remote = createRemote();
    remote.commit({ "dashboards/matrix.yaml": MATRIX_DASHBOARD_YAML });
    execFileSync("git", ["--git-dir", remote.bare, "branch", "atrium/matrix", "main"], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } });
    process.on("exit", () => remote?.remove());
  }
  return remote.url;
}

type Tables = {
  git_sync_repositories: { org_id: string; project_id: string; remote_url: string; trunk: string; conflicts: ColumnType<unknown, string | undefined, string> };
  git_sync_branches: { org_id: string; project_id: string; user_id: string; name: string };
};

/** Org A's project connected to the matrix repository (never synced yet). */
async function connected(w: World) {
  const remoteUrl = matrixRemote();
  await w.kernel.ownerDb.withTables<Tables>().insertInto("git_sync_repositories").values({ org_id: w.orgA.id, project_id: w.projectA.id, remote_url: remoteUrl, trunk: "main" }).execute();
  return P(w);
}

/** Connected and synced, with the owner's work branch atrium/matrix known. */
async function withBranch(w: World) {
  const at = await connected(w);
  await w.kernel.ownerDb.withTables<Tables>().insertInto("git_sync_branches").values({ org_id: w.orgA.id, project_id: w.projectA.id, user_id: w.users.owner.id, name: "atrium/matrix" }).execute();
  return at;
}

/** Connected and synced, with dashboards/matrix.yaml listed as a conflict (as a sync records one). */
async function withConflict(w: World) {
  const at = await connected(w);
  const synced = await backgroundSync(w.kernel, at);
  const conflict = { path: "dashboards/matrix.yaml", slug: "matrix", message: "changed in Atrium and in git since the last sync", commitSha: synced!.commitSha };
  await w.kernel.ownerDb.withTables<Tables>().updateTable("git_sync_repositories").set({ conflicts: JSON.stringify([conflict]) }).where("project_id", "=", w.projectA.id).execute();
  return at;
}

/** The operator's GitHub App configured for installs (starting one only builds GitHub's address). */
function withGithubApp(w: World) {
  if (!process.env.GIT_GITHUB_APP_ID) {
    const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    Object.assign(process.env, { GIT_GITHUB_APP_ID: "4242", GIT_GITHUB_APP_PRIVATE_KEY: pem, GIT_GITHUB_APP_SLUG: "atrium-matrix", GIT_GITHUB_APP_CLIENT_ID: "Iv1.matrix", GIT_GITHUB_APP_CLIENT_SECRET: "matrix-client-secret" });
  }
  return P(w);
}

/** The operator's GitHub OAuth App configured (starting an authorization only builds GitHub's address). */
function withGithubOauth(w: World) {
  if (!process.env.GIT_GITHUB_OAUTH_CLIENT_ID) Object.assign(process.env, { GIT_GITHUB_OAUTH_CLIENT_ID: "Ov23.matrix", GIT_GITHUB_OAUTH_CLIENT_SECRET: "matrix-oauth-secret" });
  return P(w);
}

const connectInput = (w: World) => ({ ...P(w), remoteUrl: matrixRemote(), trunk: "main" });

export const gitSyncRows: Record<string, Row> = {
  "gitSync.status": { input: connected },
  "gitSync.testConnection": { input: connectInput },
  "gitSync.connect": { input: connectInput },
  "gitSync.connectRepository": { input: connectInput },
  "gitSync.githubInstall": { input: withGithubApp },
  "gitSync.githubRepositories": { input: withGithubApp },
  "gitSync.githubOauthAuthorize": { input: withGithubOauth },
  "gitSync.githubOauthRepositories": { input: withGithubOauth },
  "gitSync.githubOauthForget": { input: withGithubOauth },
  "gitSync.disconnect": { input: connected },
  "gitSync.sync": { input: connected },
  "gitSync.branches": { input: connected },
  "gitSync.webhook": { input: connected },
  "gitSync.commit": { input: async (w) => ({ ...(await connected(w)), message: "Matrix commit" }) },
  "gitSync.promote": { input: async (w) => ({ ...(await withBranch(w)), branch: "atrium/matrix" }) },
  "gitSync.discard": { input: withBranch },
  "gitSync.conflicts": { input: withConflict },
  "gitSync.resolveConflict": { input: async (w) => ({ ...(await withConflict(w)), path: "dashboards/matrix.yaml", take: "mine" }) },
  "gitSync.dashboardAtBranch": { input: async (w) => ({ ...(await withBranch(w)), slug: "matrix", branch: "atrium/matrix" }) },
  "gitSync.runAtBranch": { input: async (w) => ({ ...(await withBranch(w)), slug: "matrix", branch: "atrium/matrix" }) },
  "gitSync.dashboardOrigin": { input: async (w) => ({ ...(await connected(w)), slug: "matrix" }) },
};
