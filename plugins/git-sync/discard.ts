/**
 * Discard: a person throws their work away. Their saved changes since each dashboard's last
 * import (what commit would take, committed or not) go back to the trunk's files — a changed or
 * deleted dashboard gets the trunk's text as its next version, one the trunk does not hold is
 * deleted (soft: it can be restored) — and their work branch is moved back to the trunk's head.
 *
 * The branch is moved with a lease on the head last fetched (`--force-with-lease`): a branch that
 * moved on the remote since is a 409 and nothing changes, in git or in the app (the app's writes
 * are in the request's transaction and the push comes last). The app asks for confirmation first.
 */
import { sql } from "kysely";
import { fieldError } from "~/kernel/errors";
import { removeDashboardFile, saveDashboardFile, type DashboardScope } from "../dashboards/files";
import { blobsAt, fetchBranches, openRemote, pendingChanges, push, workBranchOf, type PendingChange } from "./branches";
import { gitSyncDb, lockBranch, readBlobs, type GitScope } from "./service";

export interface DiscardResult {
  /** The caller's work branch (null when they never committed). */
  branch: string | null;
  /** The trunk commit everything went back to. */
  trunkSha: string;
  /** Whether the work branch was moved back (false: it had nothing the trunk lacks, or does not exist). */
  reset: boolean;
  discarded: Array<Omit<PendingChange, "stale">>;
}

export async function discardBranch(s: GitScope): Promise<DiscardResult> {
  const r = await openRemote(s);
  const trunk = r.repo.trunk;
  const branch = await workBranchOf(s, false);
  // The trunk lock: the trunk sync writes the same file records and dashboards.
  await lockBranch(s, trunk);
  if (branch) await lockBranch(s, branch);
  const heads = await fetchBranches(r, branch ? [trunk, branch] : [trunk]);
  const trunkSha = heads.get(trunk);
  if (!trunkSha) throw fieldError("UNPROCESSABLE_CONTENT", "trunk", `The repository has no branch "${trunk}" any more.`);
  const branchSha = branch ? (heads.get(branch) ?? null) : null;

  const changes = await pendingChanges(s, r, trunkSha);
  const onTrunk = await blobsAt(r, trunkSha, changes.map((c) => c.path));
  const texts = await readBlobs(r.dir, r.settings, [...new Set(onTrunk.values())]);
  const db = gitSyncDb(s.db);
  const ds: DashboardScope = { kernel: s.kernel, db: s.db, orgId: s.orgId, projectId: s.projectId, userId: s.userId };
  const note = `Discarded: back to git ${trunkSha.slice(0, 12)}`;
  for (const c of changes) {
    const sha = onTrunk.get(c.path);
    if (sha) {
      const saved = await saveDashboardFile(ds, c.slug, texts.get(sha) ?? "", note, c.format);
      await db
        .insertInto("git_sync_files")
        .values({ org_id: s.orgId, project_id: s.projectId, path: c.path, slug: c.slug, blob_sha: sha, commit_sha: trunkSha, dashboard_id: saved.id, dashboard_version: saved.version })
        .onConflict((oc) => oc.columns(["project_id", "path"]).doUpdateSet({ slug: c.slug, blob_sha: sha, commit_sha: trunkSha, dashboard_id: saved.id, dashboard_version: saved.version, imported_at: sql<Date>`now()` }))
        .execute();
    } else {
      await removeDashboardFile(ds, c.slug);
      await db.deleteFrom("git_sync_files").where("project_id", "=", s.projectId).where("path", "=", c.path).execute();
    }
  }
  // Their conflicts are settled by going back to git's side.
  const paths = new Set(changes.map((c) => c.path));
  const remaining = r.repo.conflicts.filter((c) => !paths.has(c.path));
  if (remaining.length !== r.repo.conflicts.length) await db.updateTable("git_sync_repositories").set({ conflicts: JSON.stringify(remaining) }).where("id", "=", r.repo.id).execute();

  let reset = false;
  if (branch && branchSha && branchSha !== trunkSha) {
    await push(r, trunkSha, branch, branchSha);
    await db.updateTable("git_sync_branches").set({ head_sha: trunkSha }).where("project_id", "=", s.projectId).where("name", "=", branch).execute();
    reset = true;
  }
  return { branch, trunkSha, reset, discarded: changes.map(({ slug, path, kind }) => ({ slug, path, kind })) };
}
