/**
 * Work branches: each person's edits made in Atrium (the editor, the API, an agent) are
 * committed from the app to their own branch (`atrium/<their-name>`, created on their first
 * commit from the trunk), pushed to the remote, and promoted into the trunk by a fast-forward or
 * a merge commit. The trunk stays what viewers see: a promotion is followed by a trunk sync.
 *
 * Commits are built with git's plumbing in the project's bare clone (a temporary index, no work
 * tree): `read-tree`, `hash-object`, `update-index`, `write-tree`, `commit-tree`, `push`. A push
 * is never forced: a branch that moved on the remote is a 409, nothing is overwritten.
 *
 * The stale-write check: a dashboard whose file changed on the trunk since the version the edit
 * started from (the blob last imported) is never committed over; the commit is refused with a
 * 409 naming the file and the trunk commit, and the conflict is resolved first (conflicts.ts).
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { sql } from "kysely";
import { fieldError } from "~/kernel/errors";
import { dashboardFile, projectDashboardFiles, type BoardFormat, type DashboardScope } from "../dashboards/files";
import { GitError, runGit, type RemoteAccess } from "./git";
import { githubRepositoryOf, githubSite } from "./github";
import { parseTree } from "./layout";
import type { GitSyncSettings } from "./settings";
import {
  accessFor,
  checkBranch,
  cloneDir,
  connection,
  credentialOf,
  ensureClone,
  gitSyncDb,
  lockBranch,
  remoteFailure,
  remoteToken,
  settingsOf,
  syncTrunk,
  type GitScope,
  type SyncResult,
} from "./service";

/** A dashboard changed in Atrium since its last import, not yet in the person's work branch. */
export interface PendingChange {
  slug: string;
  path: string;
  kind: "added" | "modified" | "deleted";
  /** Git changed the file on the trunk since this edit's base: committing would overwrite it (409). */
  stale: boolean;
}

export interface BranchInfo {
  name: string;
  sha: string | null;
  /** Commits on the branch that the trunk lacks, and trunk commits the branch lacks. */
  ahead: number;
  behind: number;
  mine: boolean;
  /** Files that differ from the trunk (since the branches parted): status A/M/D and path. */
  changed: Array<{ status: string; path: string }>;
  /** The GitHub pull request last opened (or found open) from it into the trunk, if any. */
  pullRequestUrl: string | null;
}

export interface BranchesView {
  trunk: string;
  trunkSha: string | null;
  /** The caller's work branch (null before their first commit). */
  myBranch: string | null;
  branches: BranchInfo[];
  /** The caller's saved changes not yet committed. */
  changes: PendingChange[];
  /** Whether a branch may be promoted as a GitHub pull request (the repository is on GitHub, connected with a token). */
  pullRequests: boolean;
}

const trunkRef = (trunk: string) => `refs/remotes/origin/${trunk}`;
const ZERO = "0000000000000000000000000000000000000000";

/** The id git gives `text` as a blob (so a file and the app's text compare without a process). */
export function blobSha(text: string): string {
  const body = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${body.length}\0`).update(body).digest("hex");
}

/** `atrium/<name>` from a person's name (or their email's local part): lower-case, hyphens. */
export function branchNameFor(name: string, email: string): string {
  const words = (name.trim() || email.split("@")[0] || "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return `atrium/${words || "editor"}`;
}

async function personOf(s: GitScope): Promise<{ id: string; name: string; email: string }> {
  if (!s.userId) throw new TRPCError({ code: "FORBIDDEN", message: "A commit needs a person to author it." });
  const user = await s.db.selectFrom("users").select(["id", "name", "email"]).where("id", "=", s.userId).executeTakeFirst();
  if (!user) throw new TRPCError({ code: "FORBIDDEN", message: "A commit needs a person to author it." });
  return user;
}

/** The caller's work branch, created (named after them, unique in the project) when `create`. */
export async function workBranchOf(s: GitScope, create: boolean): Promise<string | null> {
  if (!s.userId) return null;
  const db = gitSyncDb(s.db);
  const row = await db.selectFrom("git_sync_branches").select("name").where("project_id", "=", s.projectId).where("user_id", "=", s.userId).executeTakeFirst();
  if (row || !create) return row?.name ?? null;
  const person = await personOf(s);
  let name = branchNameFor(person.name, person.email);
  const taken = await db.selectFrom("git_sync_branches").select("name").where("project_id", "=", s.projectId).where("name", "=", name).executeTakeFirst();
  if (taken) name = `${name}-${s.userId.slice(0, 8)}`;
  await db.insertInto("git_sync_branches").values({ org_id: s.orgId, project_id: s.projectId, user_id: s.userId, name }).execute();
  return name;
}

export interface Remote {
  repo: Awaited<ReturnType<typeof connection>>;
  access: RemoteAccess;
  dir: string;
  settings: GitSyncSettings;
}

export async function openRemote(s: GitScope): Promise<Remote> {
  const repo = await connection(s);
  const settings = settingsOf(s.kernel);
  const token = await remoteToken(s, repo);
  const access = await accessFor(settings, repo.remote_url, token);
  const dir = await ensureClone(settings, s.projectId);
  return { repo, access, dir, settings };
}

/** Fetches `branches` (those the remote has) into `refs/remotes/origin/*`; their heads, null when absent. */
export async function fetchBranches(r: Remote, branches: string[]): Promise<Map<string, string | null>> {
  let listing: string;
  try {
    listing = await runGit({ args: ["ls-remote", "--heads", r.access.url, ...branches.map((b) => `refs/heads/${b}`)], cwd: r.dir, remote: r.access, settings: r.settings, maxBytes: 1024 * 1024 });
  } catch (err) {
    remoteFailure(err, credentialOf(r.repo, r.access.token));
  }
  const heads = new Map<string, string | null>(branches.map((b) => [b, null]));
  for (const line of listing.split("\n")) {
    const [sha, ref] = line.split("\t");
    if (sha && ref?.startsWith("refs/heads/") && heads.has(ref.slice(11))) heads.set(ref.slice(11), sha);
  }
  const present = branches.filter((b) => heads.get(b));
  if (present.length > 0) {
    try {
      await runGit({ args: ["fetch", "--no-tags", "--quiet", "--no-write-fetch-head", r.access.url, ...present.map((b) => `+refs/heads/${b}:${trunkRef(b)}`)], cwd: r.dir, remote: r.access, settings: r.settings });
    } catch (err) {
      remoteFailure(err, credentialOf(r.repo, r.access.token));
    }
  }
  return heads;
}

/**
 * Pushes `sha` to `branch`. Never forced, except with `lease` (the head the branch must still be
 * at, as last fetched): a discard moves a work branch back to the trunk, and only from that head.
 */
export async function push(r: Remote, sha: string, branch: string, lease?: string): Promise<void> {
  const force = lease ? [`--force-with-lease=refs/heads/${branch}:${lease}`] : [];
  try {
    await runGit({ args: ["push", "--quiet", "--no-verify", ...force, r.access.url, `${sha}:refs/heads/${branch}`], cwd: r.dir, remote: r.access, settings: r.settings });
  } catch (err) {
    if (err instanceof GitError && /rejected|non-fast-forward|fetch first|stale info/i.test(`${err.message}\n${err.stderr}`)) {
      throw new TRPCError({ code: "CONFLICT", message: `"${branch}" moved on the remote since it was fetched; nothing was pushed. Try again.` });
    }
    remoteFailure(err, credentialOf(r.repo, r.access.token));
  }
  await runGit({ args: ["update-ref", trunkRef(branch), sha], cwd: r.dir, settings: r.settings });
}

/** The blobs at `paths` in `commit` (path → blob id); absent paths are missing. */
export async function blobsAt(r: Remote, commit: string, paths: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < paths.length; i += 500) {
    const chunk = paths.slice(i, i + 500);
    const listing = await runGit({ args: ["ls-tree", "-z", commit, "--", ...chunk], cwd: r.dir, settings: r.settings });
    for (const e of parseTree(listing)) if (e.type === "blob") out.set(e.path, e.sha);
  }
  return out;
}

function defaultPath(subdirectory: string, slug: string, format: BoardFormat): string {
  const prefix = subdirectory ? `${subdirectory}/` : "";
  return format === "dbt-charts" ? `${prefix}charts/${slug}.yml` : `${prefix}dashboards/${slug}.yaml`;
}

/**
 * The caller's saved changes since each dashboard's last import (live version not the imported
 * one, last saved by them; deletions of imported dashboards by anyone), with their YAML; `stale`
 * when the trunk at `trunkSha` no longer holds the blob the edit started from.
 */
export async function pendingChanges(s: GitScope, r: Remote, trunkSha: string | null): Promise<Array<PendingChange & { yaml: string | null; format: BoardFormat }>> {
  const ds: DashboardScope = { kernel: s.kernel, db: s.db, orgId: s.orgId, projectId: s.projectId, userId: s.userId };
  const tracked = new Map((await gitSyncDb(s.db).selectFrom("git_sync_files").selectAll().where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).execute()).map((f) => [f.slug, f]));
  const changes: Array<PendingChange & { yaml: string | null; base: string | null; format: BoardFormat }> = [];
  for (const d of await projectDashboardFiles(ds)) {
    const row = tracked.get(d.slug);
    if (d.deleted) {
      if (row) changes.push({ slug: d.slug, path: row.path, kind: "deleted", stale: false, yaml: null, base: row.blob_sha, format: d.format });
      continue;
    }
    if (row && row.dashboard_version === d.version) continue;
    if (d.updatedBy !== s.userId) continue;
    changes.push({ slug: d.slug, path: row?.path ?? defaultPath(r.repo.subdirectory, d.slug, d.format), kind: row ? "modified" : "added", stale: false, yaml: d.yaml, base: row?.blob_sha ?? null, format: d.format });
  }
  const onTrunk = trunkSha ? await blobsAt(r, trunkSha, changes.map((c) => c.path)) : new Map<string, string>();
  return changes.map(({ base, ...c }) => {
    const now = onTrunk.get(c.path) ?? null;
    const stale = now !== base && now !== (c.yaml === null ? null : blobSha(c.yaml));
    return { ...c, stale };
  });
}

async function localHead(r: Remote, branch: string): Promise<string | null> {
  try {
    return (await runGit({ args: ["rev-parse", "--verify", "--quiet", `${trunkRef(branch)}^{commit}`], cwd: r.dir, settings: r.settings })).trim() || null;
  } catch {
    return null;
  }
}

/** The trunk and every work branch of the project (as last fetched), with the caller's pending changes. */
export async function listBranches(s: GitScope): Promise<BranchesView> {
  const r = await openRemote(s);
  const trunk = r.repo.trunk;
  const trunkSha = await localHead(r, trunk);
  const rows = await gitSyncDb(s.db).selectFrom("git_sync_branches").selectAll().where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).orderBy("name").limit(200).execute();
  const branches: BranchInfo[] = [];
  for (const row of rows) {
    const sha = await localHead(r, row.name);
    const info: BranchInfo = { name: row.name, sha, ahead: 0, behind: 0, mine: row.user_id === s.userId, changed: [], pullRequestUrl: row.pull_request_url };
    if (sha && trunkSha) {
      const [behind, ahead] = (await runGit({ args: ["rev-list", "--left-right", "--count", `${trunkSha}...${sha}`], cwd: r.dir, settings: r.settings })).trim().split(/\s+/).map(Number);
      info.ahead = ahead ?? 0;
      info.behind = behind ?? 0;
      const diff = await runGit({ args: ["diff", "--name-status", "-z", "--no-renames", `${trunkSha}...${sha}`], cwd: r.dir, settings: r.settings, maxBytes: 1024 * 1024 });
      const parts = diff.split("\0").filter(Boolean);
      for (let i = 0; i + 1 < parts.length && info.changed.length < 200; i += 2) info.changed.push({ status: parts[i]!, path: parts[i + 1]! });
    }
    branches.push(info);
  }
  // Pending: what the caller's branch does not hold yet.
  const myHead = branches.find((b) => b.mine)?.sha ?? null;
  const all = await pendingChanges(s, r, trunkSha);
  const onBranch = myHead ? await blobsAt(r, myHead, all.map((c) => c.path)) : null;
  const changes = all
    .filter((c) => !onBranch || (c.yaml === null ? onBranch.has(c.path) : onBranch.get(c.path) !== blobSha(c.yaml)))
    .map(({ yaml: _yaml, format: _format, ...c }) => c);
  // Pull requests need the repository on the configured GitHub and a token (or the GitHub App) to open them with.
  const pullRequests = Boolean((r.repo.credential || r.repo.auth_kind === "github_app") && githubRepositoryOf(r.repo.remote_url, githubSite()));
  return { trunk, trunkSha, myBranch: rows.find((b) => b.user_id === s.userId)?.name ?? null, branches, changes, pullRequests };
}

export interface CommitResult {
  branch: string;
  /** The new head of the work branch (its old head when there was nothing to commit). */
  commitSha: string | null;
  committed: Array<Omit<PendingChange, "stale">>;
}

/**
 * Commits the caller's saved changes to their work branch (author: them; message: theirs) and
 * pushes it. The branch starts from the trunk; when the trunk moved on since, it is merged in
 * (a merge commit; a clash is a 409). A change over a file git changed since the edit's base is
 * a 409 naming it: resolve the conflict first.
 */
export async function commitChanges(s: GitScope, input: { message: string }): Promise<CommitResult> {
  const message = input.message.trim();
  if (!message) throw fieldError("UNPROCESSABLE_CONTENT", "message", "Say what changed (the commit message).");
  const person = await personOf(s);
  const r = await openRemote(s);
  const branch = (await workBranchOf(s, true))!;
  await lockBranch(s, branch);
  const heads = await fetchBranches(r, [r.repo.trunk, branch]);
  const trunkSha = heads.get(r.repo.trunk);
  if (!trunkSha) throw fieldError("UNPROCESSABLE_CONTENT", "trunk", `The repository has no branch "${r.repo.trunk}" any more.`);
  const branchSha = heads.get(branch) ?? null;

  const changes = await pendingChanges(s, r, trunkSha);
  const stale = changes.filter((c) => c.stale);
  if (stale.length > 0) {
    throw fieldError(
      "CONFLICT",
      "changes",
      `${stale.map((c) => c.path).join(", ")} changed in git (trunk ${r.repo.trunk} at ${trunkSha.slice(0, 12)}) since the version your edit started from. Resolve the conflict on the Git page (or with resolve_conflict) before committing.`,
    );
  }

  // The commit's base: the work branch, with the trunk merged in when it moved on since.
  let parents = [branchSha ?? trunkSha];
  let baseTree = `${parents[0]}^{tree}`;
  if (branchSha && branchSha !== trunkSha) {
    const mergeBase = (await runGit({ args: ["merge-base", branchSha, trunkSha], cwd: r.dir, settings: r.settings, allowExit: [1] })).trim();
    if (mergeBase === branchSha) {
      // Everything on the branch is on the trunk already (it was promoted): start again from the trunk.
      parents = [trunkSha];
      baseTree = `${trunkSha}^{tree}`;
    } else if (mergeBase !== trunkSha) {
      const merged = (await runGit({ args: ["merge-tree", "--write-tree", "--name-only", "--no-messages", branchSha, trunkSha], cwd: r.dir, settings: r.settings, allowExit: [1] })).split("\n").filter(Boolean);
      if (merged.length > 1) throw new TRPCError({ code: "CONFLICT", message: `Your branch ${branch} and ${r.repo.trunk} both changed ${merged.slice(1).join(", ")}. Promote or discard your branch first.` });
      parents = [branchSha, trunkSha];
      baseTree = merged[0]!;
    }
  }

  const onBase = await blobsAt(r, parents.length > 1 ? baseTree : parents[0]!, changes.map((c) => c.path));
  const todo = changes.filter((c) => (c.yaml === null ? onBase.has(c.path) : onBase.get(c.path) !== blobSha(c.yaml)));
  if (todo.length === 0 && parents.length === 1) return { branch, commitSha: branchSha, committed: [] };

  const scratch = await mkdtemp(path.join(r.settings.dir, "commit-"));
  const env = { GIT_INDEX_FILE: path.join(scratch, "index") };
  try {
    await runGit({ args: ["read-tree", baseTree], cwd: r.dir, env, settings: r.settings });
    const writes = todo.filter((c) => c.yaml !== null);
    const files = await Promise.all(
      writes.map(async (c, i) => {
        const file = path.join(scratch, `${i}.yaml`);
        await writeFile(file, c.yaml!);
        return file;
      }),
    );
    const shas = writes.length > 0 ? (await runGit({ args: ["hash-object", "-w", "--stdin-paths"], cwd: r.dir, input: files.join("\n") + "\n", settings: r.settings })).trim().split("\n") : [];
    const info = [...writes.map((c, i) => `100644 ${shas[i]}\t${c.path}`), ...todo.filter((c) => c.yaml === null).map((c) => `0 ${ZERO}\t${c.path}`)];
    if (info.length > 0) await runGit({ args: ["update-index", "--index-info"], cwd: r.dir, env, input: info.join("\n") + "\n", settings: r.settings });
    const tree = (await runGit({ args: ["write-tree"], cwd: r.dir, env, settings: r.settings })).trim();
    const identity = { GIT_AUTHOR_NAME: person.name || person.email, GIT_AUTHOR_EMAIL: person.email, GIT_COMMITTER_NAME: "Atrium", GIT_COMMITTER_EMAIL: "git-sync@atrium.invalid" };
    const body = parents.length > 1 ? `${message}\n\nMerges ${r.repo.trunk} (${trunkSha.slice(0, 12)}) into ${branch}.` : message;
    const sha = (await runGit({ args: ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p]), "-F", "-"], cwd: r.dir, env: identity, input: body + "\n", settings: r.settings })).trim();
    await push(r, sha, branch);
    await gitSyncDb(s.db)
      .updateTable("git_sync_branches")
      .set({ head_sha: sha, committed_at: sql<Date>`now()` })
      .where("project_id", "=", s.projectId)
      .where("user_id", "=", person.id)
      .execute();
    return { branch, commitSha: sha, committed: todo.map(({ slug, path: p, kind }) => ({ slug, path: p, kind })) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The work branch whose head holds the dashboard at `slug` as the app shows it now (its live
 * text is that branch's file at that commit): a dashboard edited in Atrium and committed, not yet
 * promoted. Branches are tried most recently committed first (at most 20); null when none holds it.
 */
export async function workBranchOrigin(s: GitScope, slug: string): Promise<{ branch: string; commitSha: string; path: string } | null> {
  const db = gitSyncDb(s.db);
  const repo = await db.selectFrom("git_sync_repositories").select(["subdirectory"]).where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).executeTakeFirst();
  if (!repo) return null;
  const live = await dashboardFile({ ...s }, slug);
  if (!live) return null;
  const row = await db.selectFrom("git_sync_files").select("path").where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).where("slug", "=", slug).executeTakeFirst();
  const file = row?.path ?? defaultPath(repo.subdirectory, slug, live.format);
  const want = blobSha(live.yaml);
  const heads = await db
    .selectFrom("git_sync_branches")
    .select(["name", "head_sha"])
    .where("project_id", "=", s.projectId)
    .where("org_id", "=", s.orgId)
    .where("head_sha", "is not", null)
    .orderBy(sql`committed_at desc nulls last`)
    .limit(20)
    .execute();
  const settings = settingsOf(s.kernel);
  const dir = cloneDir(settings, s.projectId);
  for (const head of heads) {
    try {
      const entry = parseTree(await runGit({ args: ["ls-tree", "-z", head.head_sha!, "--", file], cwd: dir, settings })).find((e) => e.path === file && e.type === "blob");
      if (entry?.sha === want) return { branch: head.name, commitSha: head.head_sha!, path: file };
    } catch (err) {
      // The working clone lost that commit (re-cloned since): the branch cannot say.
      if (!(err instanceof GitError)) throw err;
    }
  }
  return null;
}

export interface PromoteResult {
  branch: string;
  mode: "fast-forward" | "merge" | "up-to-date";
  trunkSha: string;
  sync: SyncResult;
}

/**
 * Promotes a work branch into the trunk: a fast-forward when the trunk has not moved on, else a
 * merge commit (git's own merge; files changed on both sides are a 409 naming them, nothing
 * pushed). Then the trunk is synced, so what viewers see is what was promoted.
 */
export async function promoteBranch(s: GitScope, input: { branch: string }): Promise<PromoteResult> {
  const branch = checkBranch(input.branch.trim(), "branch");
  const r = await openRemote(s);
  const trunk = r.repo.trunk;
  if (branch === trunk) throw fieldError("UNPROCESSABLE_CONTENT", "branch", `"${trunk}" is the trunk: promote a work branch into it.`);
  const known = await gitSyncDb(s.db).selectFrom("git_sync_branches").select("name").where("project_id", "=", s.projectId).where("name", "=", branch).executeTakeFirst();
  if (!known) throw fieldError("UNPROCESSABLE_CONTENT", "branch", `"${branch}" is not a work branch of this project.`);
  await lockBranch(s, trunk);
  const heads = await fetchBranches(r, [trunk, branch]);
  const trunkSha = heads.get(trunk);
  const branchSha = heads.get(branch);
  if (!trunkSha) throw fieldError("UNPROCESSABLE_CONTENT", "trunk", `The repository has no branch "${trunk}" any more.`);
  if (!branchSha) throw fieldError("UNPROCESSABLE_CONTENT", "branch", `The repository has no branch "${branch}": commit to it first.`);

  const mergeBase = (await runGit({ args: ["merge-base", trunkSha, branchSha], cwd: r.dir, settings: r.settings, allowExit: [1] })).trim();
  let mode: PromoteResult["mode"];
  let next = trunkSha;
  if (mergeBase === branchSha) mode = "up-to-date";
  else if (mergeBase === trunkSha) {
    mode = "fast-forward";
    next = branchSha;
  } else {
    const merged = (await runGit({ args: ["merge-tree", "--write-tree", "--name-only", "--no-messages", trunkSha, branchSha], cwd: r.dir, settings: r.settings, allowExit: [1] })).split("\n").filter(Boolean);
    if (merged.length > 1) {
      throw fieldError("CONFLICT", "branch", `${branch} and ${trunk} both changed ${merged.slice(1).join(", ")}: nothing was promoted. Sync the trunk, resolve the conflicts and commit again.`);
    }
    const person = await personOf(s);
    const identity = { GIT_AUTHOR_NAME: person.name || person.email, GIT_AUTHOR_EMAIL: person.email, GIT_COMMITTER_NAME: "Atrium", GIT_COMMITTER_EMAIL: "git-sync@atrium.invalid" };
    next = (await runGit({ args: ["commit-tree", merged[0]!, "-p", trunkSha, "-p", branchSha, "-F", "-"], cwd: r.dir, env: identity, input: `Promote ${branch} into ${trunk}\n`, settings: r.settings })).trim();
    mode = "merge";
  }
  if (next !== trunkSha) await push(r, next, trunk);
  const sync = await syncTrunk(s, { locked: true });
  return { branch, mode, trunkSha: sync.commitSha, sync };
}
