/**
 * A dashboard as a branch holds it, on demand: the trunk (what viewers see once synced) or any
 * work branch of the project (each editor's `atrium/<name>`, as last pushed). The branch is
 * fetched first, so the answer is the remote's head, not the app's last sync.
 *
 * Who may look: whoever may view the dashboard and the project's git status (`dashboard.view` +
 * `git-sync.view`). A work branch holds nothing more private than the dashboard itself: what an
 * editor commits there is what they saved in the app, which every viewer of the dashboard sees
 * live already; promoting is what needs more (`git-sync.promote`), not reading.
 *
 * Only the trunk and the project's known work branches are readable: any other name (a tag, a
 * commit, someone's unrelated branch on the remote) is a 404 naming the branch, as is a branch
 * the remote no longer has or a dashboard file the branch does not hold.
 *
 * Drawn at a branch (`runAtBranch`): the branch's file is read by the dashboards plugin's
 * parser as a saved dashboard would be and its queries run through the dashboards plugin's run
 * (the data engine: READ ONLY, the org's limits and budget, each failing query in place). Its SQL
 * is what an editor saved in the app (or pushed to the repository, which the trunk's sync takes
 * in as well), so running it needs what running the live dashboard needs. A file that does not
 * validate on the branch is the answer (`problems`, with lines), not an error.
 */
import { TRPCError } from "@trpc/server";
import type { BoardFormat } from "../dashboards/files";
import { readDashboardFile, runDashboardFile, type Dashboard, type RunOutput } from "../dashboards/published";
import { blobsAt, fetchBranches, openRemote } from "./branches";
import { checkBranch, gitSyncDb, readBlobs, type GitScope } from "./service";

export interface BranchDashboard {
  branch: string;
  /** True for the trunk (what viewers see); false for a work branch. */
  trunk: boolean;
  /** The branch's head as fetched now. */
  commitSha: string;
  path: string;
  format: BoardFormat;
  yaml: string;
}

const notFound = (message: string) => new TRPCError({ code: "NOT_FOUND", message });

/** The dashboard at `slug` on `branch` (the trunk when absent); 404 for an unknown branch or a file the branch lacks. */
export async function dashboardAtBranch(s: GitScope, input: { slug: string; branch?: string | undefined }): Promise<BranchDashboard> {
  if (input.branch !== undefined) checkBranch(input.branch, "branch");
  const r = await openRemote(s);
  const trunk = r.repo.trunk;
  const branch = input.branch ?? trunk;
  if (branch !== trunk) {
    const known = await gitSyncDb(s.db).selectFrom("git_sync_branches").select("name").where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).where("name", "=", branch).executeTakeFirst();
    if (!known) throw notFound(`There is no branch "${branch}" in this project: the trunk is "${trunk}", and work branches are listed on the Git page.`);
  }
  const head = (await fetchBranches(r, [branch])).get(branch) ?? null;
  if (!head) throw notFound(`The repository has no branch "${branch}" (it may have been deleted).`);

  const prefix = r.repo.subdirectory ? `${r.repo.subdirectory}/` : "";
  const tracked = await gitSyncDb(s.db).selectFrom("git_sync_files").select("path").where("project_id", "=", s.projectId).where("org_id", "=", s.orgId).where("slug", "=", input.slug).executeTakeFirst();
  const candidates = [...new Set([tracked?.path, `${prefix}dashboards/${input.slug}.yaml`, `${prefix}dashboards/${input.slug}.yml`, `${prefix}charts/${input.slug}.yml`, `${prefix}charts/${input.slug}.yaml`].filter((p): p is string => Boolean(p)))];
  const blobs = await blobsAt(r, head, candidates);
  const path = candidates.find((p) => blobs.has(p));
  if (!path) throw notFound(`Dashboard "${input.slug}" is not on branch "${branch}" (commit ${head.slice(0, 12)}).`);
  const sha = blobs.get(path)!;
  const yaml = (await readBlobs(r.dir, r.settings, [sha])).get(sha) ?? "";
  return { branch, trunk: branch === trunk, commitSha: head, path, format: /(^|\/)charts\//.test(path) ? "dbt-charts" : "atrium", yaml };
}

export interface BranchDashboardRun extends BranchDashboard {
  /** The branch's document as Atrium reads it (null when it does not validate: see `problems`). */
  document: Dashboard | null;
  /** Why the branch's file does not validate (line and message); empty when it does. */
  problems: Array<{ line: number | null; message: string }>;
  /** The document's queries run with the variables given (null when it does not validate). */
  run: RunOutput | null;
}

/** The dashboard at `slug` on `branch` (the trunk when absent), drawn: its document and its queries run with `variables`. */
export async function runAtBranch(
  s: GitScope & { signal?: AbortSignal },
  input: { slug: string; branch?: string | undefined; variables?: Record<string, unknown> | undefined; refresh?: boolean | undefined },
): Promise<BranchDashboardRun> {
  const file = await dashboardAtBranch(s, input);
  const reading = await readDashboardFile(s.db, s.orgId, s.projectId, file.yaml, file.format);
  if (!reading.ok) return { ...file, document: null, problems: reading.problems, run: null };
  const run = await runDashboardFile({ kernel: s.kernel, db: s.db, orgId: s.orgId, ...(s.signal ? { signal: s.signal } : {}) }, reading.doc, input.variables ?? {}, { refresh: input.refresh ?? false });
  return { ...file, document: reading.doc, problems: [], run };
}
