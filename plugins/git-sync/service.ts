/**
 * Git sync's logic: connect a project to a repository (checked before it is saved), import the
 * trunk's dashboard files as dashboard versions (the commit as each version's note), and say
 * which commit each dashboard shows. Plain functions over a scoped database handle, no HTTP.
 *
 * One working clone per project (`<GIT_SYNC_DIR>/<projectId>.git`, bare, no remote configured:
 * the address and the token are passed on each call). One sync at a time per project and branch:
 * a transaction-scoped PostgreSQL advisory lock, held by the transaction that also writes the
 * imported versions, so a crash mid-sync rolls everything back and frees the lock together.
 */
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { sql, type ColumnType, type Generated, type Kysely } from "kysely";
import { secretBox } from "~/kernel/crypto";
import type { KernelDatabase } from "~/kernel/db/schema";
import { fieldError } from "~/kernel/errors";
import type { Kernel } from "~/kernel/kernel";
import { checkDashboardFile, dashboardFile, removeDashboardFile, saveDashboardFile, type DashboardScope } from "../dashboards/files";
import { githubAppFromEnv, installationToken, verifyInstallationForUser } from "./github-app";
import { withGithubGrant } from "./github-grant";
import { oauthConnectionToken, oauthRefusedBy, verifyOauthRepository } from "./github-oauth";
import { githubRepositoryOf, githubSite } from "./github";
import { GitError, RemoteRefused, classifyRemoteError, displayRemote, runGit, vetRemote, type RemoteAccess } from "./git";
import { normalizeSubdirectory, parseProjectSettings, parseTree, readLayout, type FileProblem, type ProjectSettings } from "./layout";
import { gitSyncSettings, type GitSyncSettings } from "./settings";

/* ---------------------------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------------------------ */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** How a connection reaches its repository: a token (or none), the GitHub App's installation, or a person's GitHub OAuth grant. */
export type AuthKind = "token" | "github_app" | "github_oauth";
type Json<T> = ColumnType<T, string | undefined, string>;

/** The plugin's tables (migrations/2026-12-08-001-repositories.ts, 002-conflicts.ts, 2026-12-09-003-branches.ts, 004-webhook.ts, 2026-12-10-005-pull-requests.ts, 2026-12-11-006-github-app.ts; the GitHub grants are github-grant.ts's). */
export type GitSyncTables = {
  git_sync_repositories: {
    id: Generated<string>;
    org_id: string;
    project_id: string;
    remote_url: string;
    subdirectory: Generated<string>;
    trunk: string;
    credential: string | null;
    connected_by: string | null;
    connected_at: Timestamp;
    trunk_sha: string | null;
    synced_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    last_error: string | null;
    problems: Json<FileProblem[]>;
    conflicts: Json<FileConflict[]>;
    settings: Json<ProjectSettings>;
    webhook_secret: string | null;
    auth_kind: ColumnType<AuthKind, AuthKind | undefined, AuthKind>;
    github_installation_id: ColumnType<number | null, number | null | undefined, number | null>;
    /** For `github_oauth`: the person whose GitHub OAuth grant the connection uses (null once they are deleted). */
    github_oauth_user_id: ColumnType<string | null, string | null | undefined, string | null>;
  };
  git_sync_deliveries: {
    org_id: string;
    project_id: string;
    delivery_id: string;
    signature_digest: string;
    received_at: Timestamp;
  };
  git_sync_files: {
    org_id: string;
    project_id: string;
    path: string;
    slug: string;
    blob_sha: string;
    commit_sha: string;
    dashboard_id: string | null;
    dashboard_version: number | null;
    imported_at: Timestamp;
  };
  git_sync_branches: {
    org_id: string;
    project_id: string;
    user_id: string;
    name: string;
    head_sha: string | null;
    created_at: Timestamp;
    committed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    pull_request_url: ColumnType<string | null, string | null | undefined, string | null>;
  };
};

type Db = Kysely<KernelDatabase & GitSyncTables>;

export function gitSyncDb(db: Kysely<KernelDatabase>): Db {
  return db.withTables<GitSyncTables>();
}

/** Who is acting, where; `db` is a transaction under the org's scope. */
export interface GitScope {
  kernel: Kernel;
  db: Kysely<KernelDatabase>;
  orgId: string;
  projectId: string;
  userId: string | null;
}

export function settingsOf(kernel: Kernel): GitSyncSettings {
  return gitSyncSettings(kernel.config.dataDir);
}

export const credentials = (kernel: Kernel) => secretBox(kernel.secret, "git-sync.credential");

/* ---------------------------------------------------------------------------------------------
 * GitHub App (ADR 035)
 * ------------------------------------------------------------------------------------------ */

// A person's GitHub grant (their user token, refreshed when it expires) lives in github-grant.ts.
export { githubGrant, saveGithubGrant } from "./github-grant";

/** The operator's GitHub App, or a 422 on `installationId` saying there is none. */
export function configuredGithubApp() {
  const app = githubAppFromEnv();
  if (!app) throw fieldError("UNPROCESSABLE_CONTENT", "installationId", "This Atrium server has no GitHub App configured (GIT_GITHUB_APP_ID): connect with a token instead.");
  return app;
}

/**
 * The token git and GitHub's API get for this operation: a GitHub App connection mints an
 * installation token for its one repository (never stored); a token connection decrypts its own.
 */
export async function remoteToken(
  s: Pick<GitScope, "kernel" | "projectId" | "db" | "orgId">,
  repo: { credential: string | null; auth_kind: AuthKind; github_installation_id: number | null; github_oauth_user_id: string | null; remote_url: string },
): Promise<string | null> {
  // A person's GitHub OAuth grant: theirs while they are a member and it is kept, else a 422 on `auth` naming them.
  if (repo.auth_kind === "github_oauth") return oauthConnectionToken(s, repo.github_oauth_user_id);
  if (repo.auth_kind === "github_app" && repo.github_installation_id !== null) {
    const app = configuredGithubApp();
    const site = githubSite();
    const name = githubRepositoryOf(repo.remote_url, site)?.name;
    if (!name) throw fieldError("UNPROCESSABLE_CONTENT", "installationId", `This project's repository is not on the configured GitHub (${site.baseUrl}) any more: disconnect and connect it again.`);
    return (await installationToken(site, app, Number(repo.github_installation_id), name)).token;
  }
  return repo.credential ? credentials(s.kernel).decrypt(repo.credential, s.projectId) : null;
}

export interface GithubAppConnectionInput {
  installationId: number;
  /** The repository's name or owner/name, as the installation lists it. */
  repository: string;
  /** Absent: the repository's default branch. */
  trunk?: string;
  subdirectory: string;
}

/**
 * Connects through the GitHub App: the installation id is checked against the caller's own
 * GitHub grant (never trusted as given, ADR 035), then an installation token minted for the one
 * repository reaches it. Only the installation id is stored.
 */
export async function connectGithubApp(s: GitScope, input: GithubAppConnectionInput): Promise<SyncResult> {
  const app = configuredGithubApp();
  const notAuthorized = () => fieldError("UNPROCESSABLE_CONTENT", "installationId", "Authorize Atrium's GitHub App first (Connect with GitHub App on the project's Git page): the installation is checked against your GitHub account.");
  if (!s.userId) throw notAuthorized();
  const site = githubSite();
  const verified = await withGithubGrant(
    s.kernel,
    s.userId,
    (userToken) => verifyInstallationForUser(site, userToken, input.installationId, input.repository),
    () => {
      throw notAuthorized();
    },
  );
  const name = githubRepositoryOf(verified.cloneUrl, site)?.name;
  if (!name) throw fieldError("UNPROCESSABLE_CONTENT", "repository", `${input.repository} is not on the configured GitHub (${site.baseUrl}).`);
  const minted = await installationToken(site, app, input.installationId, name);
  return connectRepository(s, { remoteUrl: verified.cloneUrl, trunk: input.trunk ?? verified.defaultBranch, subdirectory: input.subdirectory, token: minted.token }, { installationId: input.installationId });
}

/**
 * Connects through the caller's GitHub OAuth grant: the repository (owner/name) must be one their
 * grant reaches on the configured GitHub (checked with GitHub's API, else a 422 on `repository`),
 * then git reaches it with their token. The connection stores who connected, never the token:
 * each operation reads that person's grant.
 */
export async function connectGithubOauth(s: GitScope, input: { repository: string; trunk?: string; subdirectory: string }): Promise<SyncResult> {
  const verified = await verifyOauthRepository(s, input.repository);
  return connectRepository(s, { remoteUrl: verified.cloneUrl, trunk: input.trunk ?? verified.defaultBranch, subdirectory: input.subdirectory, token: verified.token }, undefined, { userId: s.userId! });
}

/* ---------------------------------------------------------------------------------------------
 * Connecting
 * ------------------------------------------------------------------------------------------ */

export interface ConnectionInput {
  remoteUrl: string;
  trunk: string;
  subdirectory: string;
  /** A token for https remotes; never stored in clear, never returned. */
  token?: string | null;
}

const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*\.lock$)(?!.*\/$)(?!\/)[A-Za-z0-9._/-]{1,100}$/;

/** A branch name git accepts and we can put in a refspec, or a 422 on `field`. */
export function checkBranch(name: string, field = "trunk"): string {
  if (!BRANCH.test(name)) throw fieldError("UNPROCESSABLE_CONTENT", field, "Use a branch name such as main or release/dashboards (letters, digits, . _ / -).");
  return name;
}

export async function accessFor(settings: GitSyncSettings, remoteUrl: string, token: string | null | undefined): Promise<RemoteAccess> {
  try {
    const vetted = await vetRemote(remoteUrl, settings);
    return { url: vetted.url, resolve: vetted.resolve, token: token || null };
  } catch (err) {
    if (err instanceof RemoteRefused) throw fieldError("UNPROCESSABLE_CONTENT", "remoteUrl", err.message);
    throw err;
  }
}

/** How git reached the remote: a token (true), none (false), a GitHub App installation token minted for the operation, or the named person's GitHub OAuth grant. */
export type RemoteCredential = boolean | "github_app" | { githubOauth: string };

/** The credential a connection's operation presents: what `remoteFailure` needs to name the right field. */
export function credentialOf(repo: { auth_kind: AuthKind; github_oauth_person?: string | null }, token: string | null): RemoteCredential {
  if (repo.auth_kind === "github_oauth") return { githubOauth: repo.github_oauth_person ?? "The person who connected it" };
  return repo.auth_kind === "github_app" ? "github_app" : Boolean(token);
}

/**
 * Turns a git failure talking to the remote into a 422 on the field a person should fix. An
 * installation token git refuses is not something the person can fix by pasting a token: the
 * installation no longer grants access, so the answer is on `installationId`.
 */
export function remoteFailure(err: unknown, credential: RemoteCredential): never {
  if (!(err instanceof GitError)) throw err;
  const problem = classifyRemoteError(err);
  if (problem.kind === "auth" && credential === "github_app") {
    throw fieldError("UNPROCESSABLE_CONTENT", "installationId", "The GitHub App's installation no longer grants access to this repository (git refused its installation token). Check the installation on GitHub (its repositories and permissions: Contents read and write), install it again, or disconnect.");
  }
  if (problem.kind === "auth" && typeof credential === "object") throw oauthRefusedBy(credential.githubOauth);
  if (problem.kind === "auth") throw fieldError("UNPROCESSABLE_CONTENT", credential ? "token" : "remoteUrl", credential ? problem.message : "The repository asks for credentials: add a token.");
  throw fieldError("UNPROCESSABLE_CONTENT", "remoteUrl", problem.message);
}

/**
 * Checks that `remoteUrl` is a repository we may reach with `token` and that it has the trunk
 * branch; returns the trunk's head commit. Nothing is saved.
 */
export async function testConnection(kernel: Kernel, input: ConnectionInput, options: { githubApp?: boolean; githubOauth?: string } = {}): Promise<{ remoteUrl: string; trunk: string; subdirectory: string; headSha: string }> {
  const settings = settingsOf(kernel);
  const trunk = checkBranch(input.trunk.trim());
  const subdirectory = normalizeSubdirectory(input.subdirectory);
  if (subdirectory === null) throw fieldError("UNPROCESSABLE_CONTENT", "subdirectory", "Use a folder of the repository such as analytics or teams/web (no .., no leading .git).");
  const access = await accessFor(settings, input.remoteUrl, input.token);
  await mkdir(settings.dir, { recursive: true });
  let output: string;
  try {
    output = await runGit({ args: ["ls-remote", "--heads", access.url, `refs/heads/${trunk}`], cwd: settings.dir, remote: access, settings, maxBytes: 1024 * 1024 });
  } catch (err) {
    remoteFailure(err, options.githubApp ? "github_app" : options.githubOauth !== undefined ? { githubOauth: options.githubOauth } : Boolean(access.token));
  }
  const head = output.split("\n").find((l) => l.endsWith(`\trefs/heads/${trunk}`));
  if (!head) throw fieldError("UNPROCESSABLE_CONTENT", "trunk", `The repository has no branch "${trunk}". Push it first, or name the branch that holds the dashboards.`);
  return { remoteUrl: displayRemote(access.url), trunk, subdirectory, headSha: head.split("\t")[0]! };
}

/** Connects the project (after `testConnection`) and imports its trunk. */
export async function connectRepository(s: GitScope, input: ConnectionInput, githubApp?: { installationId: number }, githubOauth?: { userId: string }): Promise<SyncResult> {
  const db = gitSyncDb(s.db);
  const existing = await db.selectFrom("git_sync_repositories").select("remote_url").where("project_id", "=", s.projectId).executeTakeFirst();
  if (existing) throw fieldError("CONFLICT", "remoteUrl", `This project is already connected to ${existing.remote_url}. Disconnect it first.`);
  const checked = await testConnection(s.kernel, input, { githubApp: Boolean(githubApp), githubOauth: githubOauth ? "" : undefined });
  await lockBranch(s, checked.trunk);
  const id = crypto.randomUUID();
  await db
    .insertInto("git_sync_repositories")
    .values({
      id,
      org_id: s.orgId,
      project_id: s.projectId,
      remote_url: checked.remoteUrl,
      subdirectory: checked.subdirectory,
      trunk: checked.trunk,
      // A GitHub App connection keeps only its installation id: each operation mints its own token.
      // A GitHub OAuth connection keeps only who connected: each operation reads their grant.
      credential: input.token && !githubApp && !githubOauth ? credentials(s.kernel).encrypt(input.token, s.projectId) : null,
      auth_kind: githubApp ? "github_app" : githubOauth ? "github_oauth" : "token",
      github_installation_id: githubApp?.installationId ?? null,
      github_oauth_user_id: githubOauth?.userId ?? null,
      connected_by: s.userId,
    })
    .execute();
  return syncTrunk(s, { locked: true });
}

/** Disconnects the project: the connection, its credential and its working clone go; dashboards stay. */
export async function disconnectRepository(s: GitScope): Promise<{ disconnected: boolean }> {
  const db = gitSyncDb(s.db);
  const row = await db.deleteFrom("git_sync_repositories").where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).returning("id").executeTakeFirst();
  await db.deleteFrom("git_sync_files").where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).execute();
  await db.deleteFrom("git_sync_branches").where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).execute();
  if (row) await rm(cloneDir(settingsOf(s.kernel), s.projectId), { recursive: true, force: true });
  return { disconnected: Boolean(row) };
}

/* ---------------------------------------------------------------------------------------------
 * Syncing the trunk
 * ------------------------------------------------------------------------------------------ */

/**
 * A dashboard file the sync left alone because the dashboard was also changed in Atrium since
 * its last import: importing (or removing) it would overwrite that edit. `commitSha`: the trunk
 * commit that holds git's side.
 */
export interface FileConflict {
  path: string;
  slug: string;
  message: string;
  commitSha: string;
}

export interface SyncResult {
  commitSha: string;
  imported: string[];
  removed: string[];
  unchanged: number;
  problems: FileProblem[];
  conflicts: FileConflict[];
}

export const CHANGED_ON_BOTH_SIDES = "changed in Atrium and in git since the last sync";
export const CHANGED_HERE_REMOVED_THERE = "changed in Atrium and removed in git since the last sync";

/**
 * Whether the dashboard a file was last imported as has been changed in Atrium since: its live
 * version is no longer the one that import saved (edited, or deleted, in the app).
 */
async function editedInAtrium(s: DashboardScope, row: { slug: string; dashboard_version: number | null }): Promise<{ edited: boolean; live: { yaml: string; version: number } | null }> {
  const live = await dashboardFile(s, row.slug);
  return { edited: live === null || live.version !== row.dashboard_version, live };
}

/** One sync at a time per project and branch (across every app instance): 409 while one runs. */
export async function lockBranch(s: GitScope, branch: string): Promise<void> {
  const key = `git-sync:${s.projectId}:${branch}`;
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtextextended(${key}, 0)) as locked`.execute(s.db);
  if (!rows[0]?.locked) throw new TRPCError({ code: "CONFLICT", message: `A sync of "${branch}" is already running for this project. Try again when it has finished.` });
}

export function cloneDir(settings: GitSyncSettings, projectId: string): string {
  return path.join(settings.dir, `${projectId}.git`);
}

export async function ensureClone(settings: GitSyncSettings, projectId: string): Promise<string> {
  const dir = cloneDir(settings, projectId);
  const exists = await stat(path.join(dir, "HEAD")).then(() => true, () => false);
  if (!exists) {
    await mkdir(dir, { recursive: true });
    await runGit({ args: ["init", "--bare", "--quiet", dir], settings });
  }
  return dir;
}

export async function connection(s: GitScope) {
  const row = await gitSyncDb(s.db)
    .selectFrom("git_sync_repositories")
    .leftJoin("users", "users.id", "git_sync_repositories.github_oauth_user_id")
    .selectAll("git_sync_repositories")
    // Whose GitHub OAuth grant a github_oauth connection uses: named when git refuses it.
    .select("users.name as github_oauth_person")
    .where("project_id", "=", s.projectId)
    .where("git_sync_repositories.org_id", "=", s.orgId)
    .executeTakeFirst();
  if (!row) throw new TRPCError({ code: "CONFLICT", message: "This project is not connected to a repository. Connect one first." });
  return row;
}

export async function inSavepoint<T>(db: Kysely<KernelDatabase>, fn: () => Promise<T>): Promise<T> {
  await sql`savepoint git_sync_file`.execute(db);
  try {
    const result = await fn();
    await sql`release savepoint git_sync_file`.execute(db);
    return result;
  } catch (err) {
    await sql`rollback to savepoint git_sync_file`.execute(db);
    throw err;
  }
}

/** Reads blobs by id (`git cat-file --batch`). */
export async function readBlobs(dir: string, settings: GitSyncSettings, shas: string[]): Promise<Map<string, string>> {
  const blobs = new Map<string, string>();
  if (shas.length === 0) return blobs;
  const out = Buffer.from(await runGit({ args: ["cat-file", "--batch"], cwd: dir, input: shas.join("\n") + "\n", settings }), "utf8");
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(10, at);
    const [sha, type, size] = out.subarray(at, eol).toString("utf8").split(" ");
    if (type !== "blob") throw new Error(`git cat-file: ${sha} is ${type ?? "unreadable"}`);
    const length = Number(size);
    blobs.set(sha!, out.subarray(eol + 1, eol + 1 + length).toString("utf8"));
    at = eol + 1 + length + 1;
  }
  return blobs;
}

/**
 * Fetches the trunk and imports what changed since the last sync: each changed dashboard file
 * becomes the dashboard's next version (note: the commit), removed files delete their
 * dashboard, `atrium.yaml` sets the project's settings. A file that fails validation is a
 * problem (path, line, message) and is skipped; the rest applies. A file whose dashboard was
 * changed in Atrium since its last import is a conflict: neither imported nor removed (the
 * app's edit stays the current version) until git holds the same text as the app.
 */
export async function syncTrunk(s: GitScope, options: { locked?: boolean } = {}): Promise<SyncResult> {
  const repo = await connection(s);
  if (!options.locked) await lockBranch(s, repo.trunk);
  const settings = settingsOf(s.kernel);
  const token = await remoteToken(s, repo);
  const access = await accessFor(settings, repo.remote_url, token);
  const dir = await ensureClone(settings, s.projectId);
  const ref = `refs/remotes/origin/${repo.trunk}`;
  try {
    await runGit({ args: ["fetch", "--no-tags", "--quiet", "--no-write-fetch-head", access.url, `+refs/heads/${repo.trunk}:${ref}`], cwd: dir, remote: access, settings });
  } catch (err) {
    remoteFailure(err, credentialOf(repo, token));
  }
  const commitSha = (await runGit({ args: ["rev-parse", "--verify", `${ref}^{commit}`], cwd: dir, settings })).trim();
  const subject = (await runGit({ args: ["log", "-1", "--format=%s", commitSha], cwd: dir, settings })).trim().slice(0, 200);
  const note = `git ${commitSha.slice(0, 12)}: ${subject}`.slice(0, 500);
  const tree = parseTree(await runGit({ args: ["ls-tree", "-r", "-l", "-z", commitSha, ...(repo.subdirectory ? ["--", `${repo.subdirectory}/`] : [])], cwd: dir, settings }));
  const layout = readLayout(tree, repo.subdirectory);

  const db = gitSyncDb(s.db);
  const known = new Map((await db.selectFrom("git_sync_files").selectAll().where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).execute()).map((f) => [f.path, f]));
  const changed = layout.dashboards.filter((f) => known.get(f.path)?.blob_sha !== f.sha);
  const blobs = await readBlobs(dir, settings, [...new Set([...changed.map((f) => f.sha), ...(layout.settings ? [layout.settings.sha] : [])])]);

  const problems = [...layout.problems];
  const conflicts: FileConflict[] = [];
  const imported: string[] = [];
  const dashboards: DashboardScope = { kernel: s.kernel, db: s.db, orgId: s.orgId, projectId: s.projectId, userId: s.userId };
  for (const file of changed) {
    const yaml = blobs.get(file.sha) ?? "";
    const errors = checkDashboardFile(yaml, file.format);
    if (errors.length > 0) {
      for (const e of errors.slice(0, 5)) problems.push({ path: file.path, line: e.line, message: e.message });
      continue;
    }
    const previous = known.get(file.path);
    if (previous) {
      const { edited, live } = await editedInAtrium(dashboards, previous);
      // The app's edit and git agree: nothing to import, the file is in sync again.
      if (edited && !(live && live.yaml === yaml)) {
        conflicts.push({ path: file.path, slug: file.slug, message: CHANGED_ON_BOTH_SIDES, commitSha });
        continue;
      }
    }
    try {
      await inSavepoint(s.db, async () => {
        const saved = await saveDashboardFile(dashboards, file.slug, yaml, note, file.format);
        await db
          .insertInto("git_sync_files")
          .values({ org_id: s.orgId, project_id: s.projectId, path: file.path, slug: file.slug, blob_sha: file.sha, commit_sha: commitSha, dashboard_id: saved.id, dashboard_version: saved.version })
          .onConflict((oc) =>
            oc.columns(["project_id", "path"]).doUpdateSet({ slug: file.slug, blob_sha: file.sha, commit_sha: commitSha, dashboard_id: saved.id, dashboard_version: saved.version, imported_at: sql<Date>`now()` }),
          )
          .execute();
        if (saved.changed) imported.push(file.slug);
      });
    } catch (err) {
      if (!(err instanceof TRPCError)) throw err;
      problems.push({ path: file.path, line: null, message: err.message });
    }
  }

  // A file gone from the trunk takes its dashboard with it (soft delete: it can be restored).
  const present = new Set([...layout.dashboards.map((f) => f.path), ...layout.problems.map((p) => p.path)]);
  const removed: string[] = [];
  for (const [filePath, row] of known) {
    if (present.has(filePath)) continue;
    const { edited, live } = await editedInAtrium(dashboards, row);
    if (edited && live) {
      conflicts.push({ path: filePath, slug: row.slug, message: CHANGED_HERE_REMOVED_THERE, commitSha });
      continue;
    }
    if (await removeDashboardFile(dashboards, row.slug)) removed.push(row.slug);
    await db.deleteFrom("git_sync_files").where("project_id", "=", s.projectId).where("path", "=", filePath).execute();
  }

  let projectSettings: ProjectSettings = {};
  if (layout.settings) {
    const parsed = parseProjectSettings(layout.settings.path, blobs.get(layout.settings.sha) ?? "");
    if (parsed.ok) projectSettings = parsed.settings;
    else problems.push(parsed.problem);
  }
  await db
    .updateTable("git_sync_repositories")
    .set({ trunk_sha: commitSha, synced_at: sql<Date>`now()`, last_error: null, problems: JSON.stringify(problems), conflicts: JSON.stringify(conflicts), settings: JSON.stringify(projectSettings) })
    .where("id", "=", repo.id)
    .execute();
  return { commitSha, imported, removed, unchanged: layout.dashboards.length - changed.length, problems, conflicts };
}

/* ---------------------------------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------------------------------ */

export type GitStatus =
  | { connected: false }
  | {
      connected: true;
      remoteUrl: string;
      subdirectory: string;
      trunk: string;
      hasToken: boolean;
      /** How the repository is reached: a token (or none), the GitHub App's installation (`installationId`), or a person's GitHub OAuth grant (`oauthPerson`). */
      auth: AuthKind;
      installationId: number | null;
      /** For `github_oauth`: whose grant the connection uses (their name; null once they are deleted). Never the token. */
      oauthPerson: string | null;
      /** A push webhook is set up (its secret is never shown again). */
      hasWebhook: boolean;
      connectedAt: string;
      trunkSha: string | null;
      syncedAt: string | null;
      /** Why the last background sync (webhook, sweep) failed, until one succeeds. */
      lastError: string | null;
      problems: FileProblem[];
      /** Dashboard files the last sync left alone: changed in Atrium and in git (path, slug, message, commit). */
      conflicts: FileConflict[];
      settings: ProjectSettings;
      files: Array<{ path: string; slug: string; commitSha: string }>;
    };

export async function gitStatus(s: GitScope): Promise<GitStatus> {
  const db = gitSyncDb(s.db);
  const repo = await db
    .selectFrom("git_sync_repositories")
    .leftJoin("users", "users.id", "git_sync_repositories.github_oauth_user_id")
    .selectAll("git_sync_repositories")
    .select("users.name as github_oauth_person")
    .where("project_id", "=", s.projectId)
    .where("git_sync_repositories.org_id", "=", s.orgId)
    .executeTakeFirst();
  if (!repo) return { connected: false };
  const files = await db.selectFrom("git_sync_files").select(["path", "slug", "commit_sha"]).where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).orderBy("path").limit(1000).execute();
  return {
    connected: true,
    remoteUrl: repo.remote_url,
    subdirectory: repo.subdirectory,
    trunk: repo.trunk,
    hasToken: repo.credential !== null,
    auth: repo.auth_kind,
    installationId: repo.github_installation_id === null ? null : Number(repo.github_installation_id),
    oauthPerson: repo.auth_kind === "github_oauth" ? (repo.github_oauth_person ?? null) : null,
    hasWebhook: repo.webhook_secret !== null,
    connectedAt: repo.connected_at.toISOString(),
    trunkSha: repo.trunk_sha,
    syncedAt: repo.synced_at ? repo.synced_at.toISOString() : null,
    lastError: repo.last_error,
    problems: repo.problems,
    conflicts: repo.conflicts,
    settings: repo.settings,
    files: files.map((f) => ({ path: f.path, slug: f.slug, commitSha: f.commit_sha })),
  };
}

/** Where the dashboard at `slug` came from: its file, branch and commit, the version that import saved (`current`: no edit since). */
export async function dashboardOrigin(
  s: GitScope,
  slug: string,
): Promise<{ path: string; branch: string; commitSha: string; version: number | null; current: boolean } | null> {
  const db = gitSyncDb(s.db);
  const row = await db
    .selectFrom("git_sync_files as f")
    .innerJoin("git_sync_repositories as r", "r.project_id", "f.project_id")
    .select(["f.path", "f.commit_sha", "f.dashboard_version", "r.trunk"])
    .where("f.project_id", "=", s.projectId)
    .where("f.org_id", "=", s.orgId)
    .where("f.slug", "=", slug)
    .executeTakeFirst();
  if (!row) return null;
  const live = await dashboardFile({ ...s }, slug);
  return { path: row.path, branch: row.trunk, commitSha: row.commit_sha, version: row.dashboard_version, current: live !== null && live.version === row.dashboard_version };
}

/* ---------------------------------------------------------------------------------------------
 * Background syncs
 * ------------------------------------------------------------------------------------------ */

/** Every connected project (operator-wide: the sweep's list), oldest sync first. */
export async function connectedProjects(kernel: Kernel, limit = 10_000): Promise<Array<{ orgId: string; projectId: string }>> {
  const rows = await gitSyncDb(kernel.ownerDb)
    .selectFrom("git_sync_repositories")
    .select(["org_id", "project_id"])
    .orderBy(sql`synced_at nulls first`)
    .limit(limit)
    .execute();
  return rows.map((r) => ({ orgId: r.org_id, projectId: r.project_id }));
}

/**
 * A sync nobody is waiting for (the sweep, a webhook): as the system, in its own transaction.
 * A refusal (credentials revoked, branch gone, a sync already running) is recorded on the
 * connection for the people who look at it, not retried.
 */
export async function backgroundSync(kernel: Kernel, target: { orgId: string; projectId: string }): Promise<SyncResult | null> {
  try {
    return await kernel.withScope({ orgId: target.orgId }, (trx) => syncTrunk({ kernel, db: trx, orgId: target.orgId, projectId: target.projectId, userId: null }));
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    if (err.code !== "CONFLICT" || err.message.includes("not connected")) {
      await kernel.withScope({ orgId: target.orgId }, (trx) =>
        gitSyncDb(trx).updateTable("git_sync_repositories").set({ last_error: err.message.slice(0, 1000) }).where("project_id", "=", target.projectId).execute(),
      );
    }
    return null;
  }
}
