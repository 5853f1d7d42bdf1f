/**
 * Conflicts: dashboard files the trunk sync left alone because the dashboard was changed in
 * Atrium and in git since its last import. Each is shown three ways — base (the file as last
 * imported), theirs (the trunk's file, or none when git removed it), mine (the app's text, or
 * none when deleted in the app) — and resolved one at a time:
 *
 * - `theirs`: the trunk's file becomes the dashboard's next version (or its removal applies);
 * - `mine`: the app's text stays, and git's change counts as seen, so the person's next commit
 *   carries their text over it (no longer a stale write);
 * - `merged`: YAML the person edited, validated before it is saved (422 naming the line), then
 *   as `mine`.
 *
 * Each resolution is its own transaction: leaving halfway loses nothing, the rest stay listed.
 */
import { sql } from "kysely";
import { fieldError } from "~/kernel/errors";
import { checkDashboardFile, dashboardFile, removeDashboardFile, saveDashboardFile, type BoardFormat, type DashboardScope } from "../dashboards/files";
import { runGit } from "./git";
import { parseTree } from "./layout";
import { cloneDir, connection, gitSyncDb, lockBranch, readBlobs, settingsOf, type FileConflict, type GitScope } from "./service";

export interface ConflictView extends FileConflict {
  /** The file as last imported (null when it was never imported). */
  base: string | null;
  /** The trunk's file at `commitSha` (null: removed in git). */
  theirs: string | null;
  /** The app's live text (null: deleted in the app). */
  mine: string | null;
}

const MAX_LISTED = 50;

async function blobAt(dir: string, s: GitScope, commit: string, path: string): Promise<string | null> {
  const entry = parseTree(await runGit({ args: ["ls-tree", "-z", commit, "--", path], cwd: dir, settings: settingsOf(s.kernel) })).find((e) => e.path === path && e.type === "blob");
  return entry?.sha ?? null;
}

/** The project's open conflicts with their three texts (at most 50). */
export async function listConflicts(s: GitScope): Promise<{ conflicts: ConflictView[] }> {
  const repo = await connection(s);
  const settings = settingsOf(s.kernel);
  const dir = cloneDir(settings, s.projectId);
  const ds: DashboardScope = { ...s };
  const rows = new Map((await gitSyncDb(s.db).selectFrom("git_sync_files").select(["path", "blob_sha"]).where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).execute()).map((r) => [r.path, r.blob_sha]));
  const listed = repo.conflicts.slice(0, MAX_LISTED);
  const theirs = await Promise.all(listed.map((c) => blobAt(dir, s, c.commitSha, c.path)));
  const shas = [...new Set([...listed.map((c) => rows.get(c.path)), ...theirs].filter((x): x is string => Boolean(x)))];
  const texts = await readBlobs(dir, settings, shas);
  const conflicts: ConflictView[] = [];
  for (const [i, c] of listed.entries()) {
    const base = rows.get(c.path);
    const theirsSha = theirs[i];
    conflicts.push({
      ...c,
      base: base ? (texts.get(base) ?? null) : null,
      theirs: theirsSha ? (texts.get(theirsSha) ?? null) : null,
      mine: (await dashboardFile(ds, c.slug))?.yaml ?? null,
    });
  }
  return { conflicts };
}

export type Resolution = "theirs" | "mine" | "merged";

export interface ResolveResult {
  path: string;
  slug: string;
  take: Resolution;
  /** The dashboard's version after the resolution (null when it is deleted). */
  version: number | null;
  /** Conflicts still open. */
  remaining: number;
}

/** Resolves the conflict on `path` (see the module's comment). 422 when there is none or the merged YAML is invalid. */
export async function resolveConflict(s: GitScope, input: { path: string; take: Resolution; yaml?: string | undefined }): Promise<ResolveResult> {
  const repo = await connection(s);
  await lockBranch(s, repo.trunk);
  const conflict = repo.conflicts.find((c) => c.path === input.path);
  if (!conflict) throw fieldError("UNPROCESSABLE_CONTENT", "path", `There is no conflict on ${input.path}: it may have been resolved already.`);
  const settings = settingsOf(s.kernel);
  const dir = cloneDir(settings, s.projectId);
  const db = gitSyncDb(s.db);
  const ds: DashboardScope = { ...s };
  const live = await dashboardFile(ds, conflict.slug);
  const format: BoardFormat = live?.format ?? (/(^|\/)charts\//.test(conflict.path) ? "dbt-charts" : "atrium");
  const theirsSha = await blobAt(dir, s, conflict.commitSha, conflict.path);
  const note = `git ${conflict.commitSha.slice(0, 12)}`;

  /** Git's side counts as seen: the row now points at the trunk's blob, the app's version stays "edited". */
  const markSeen = async () => {
    if (theirsSha) {
      await db.updateTable("git_sync_files").set({ blob_sha: theirsSha, commit_sha: conflict.commitSha, imported_at: sql<Date>`now()` }).where("project_id", "=", s.projectId).where("path", "=", conflict.path).execute();
    } else {
      // Removed in git, kept in the app: the dashboard is no longer git's file; the next commit adds it back.
      await db.deleteFrom("git_sync_files").where("project_id", "=", s.projectId).where("path", "=", conflict.path).execute();
    }
  };

  let version: number | null = live?.version ?? null;
  if (input.take === "theirs") {
    if (theirsSha) {
      const yaml = (await readBlobs(dir, settings, [theirsSha])).get(theirsSha) ?? "";
      const saved = await saveDashboardFile(ds, conflict.slug, yaml, `${note}: git's version over the app's edit`, format);
      await db
        .updateTable("git_sync_files")
        .set({ blob_sha: theirsSha, commit_sha: conflict.commitSha, dashboard_id: saved.id, dashboard_version: saved.version, imported_at: sql<Date>`now()` })
        .where("project_id", "=", s.projectId)
        .where("path", "=", conflict.path)
        .execute();
      version = saved.version;
    } else {
      await removeDashboardFile(ds, conflict.slug);
      await db.deleteFrom("git_sync_files").where("project_id", "=", s.projectId).where("path", "=", conflict.path).execute();
      version = null;
    }
  } else if (input.take === "mine") {
    await markSeen();
  } else {
    const yaml = input.yaml ?? "";
    if (!yaml.trim()) throw fieldError("UNPROCESSABLE_CONTENT", "yaml", "Give the merged YAML.");
    const errors = checkDashboardFile(yaml, format);
    if (errors.length > 0) {
      const e = errors[0]!;
      throw fieldError("UNPROCESSABLE_CONTENT", "yaml", `${e.line ? `Line ${e.line}: ` : ""}${e.message}`);
    }
    const saved = await saveDashboardFile(ds, conflict.slug, yaml, `Merged with ${note}`, format);
    version = saved.version;
    await markSeen();
  }
  const remaining = repo.conflicts.filter((c) => c.path !== conflict.path);
  await db.updateTable("git_sync_repositories").set({ conflicts: JSON.stringify(remaining) }).where("id", "=", repo.id).execute();
  return { path: conflict.path, slug: conflict.slug, take: input.take, version, remaining: remaining.length };
}
