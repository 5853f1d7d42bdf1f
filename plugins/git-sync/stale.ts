/**
 * Stale writes from git's side: a save in Atrium (editor, API, agent) based on a version older
 * than one git sync imported since is refused by the dashboards plugin's optimistic check (409);
 * this names git's side in that refusal — the commit imported, its file and the version it
 * became — so the person (or agent) merges their change over git's instead of guessing who saved.
 * The editor's conflict dialog shows the same with a link to the Git page (ui/EditorConflict.tsx).
 */
import type { StaleSaveExplainer } from "../dashboards/files";
import { gitSyncDb } from "./service";

export const explainStaleSave: StaleSaveExplainer = async (s, stale) => {
  const row = await gitSyncDb(s.db)
    .selectFrom("git_sync_files as f")
    .innerJoin("git_sync_repositories as r", "r.project_id", "f.project_id")
    .select(["f.path", "f.commit_sha", "f.dashboard_version", "r.trunk"])
    .where("f.project_id", "=", s.projectId)
    .where("f.org_id", "=", s.orgId)
    .where("f.dashboard_id", "=", stale.dashboardId)
    .executeTakeFirst();
  // Git's import is not among the versions saved since the edit started: someone saved in the app.
  if (!row || row.dashboard_version === null || row.dashboard_version <= stale.edited) return null;
  const later = stale.current > row.dashboard_version ? ` (and saved in Atrium since, now version ${stale.current})` : "";
  return {
    message:
      `Dashboard "${stale.slug}" was changed in git since the version you edited (${stale.edited}): ${row.trunk} @ ${row.commit_sha.slice(0, 12)} ` +
      `(${row.path}) was imported as version ${row.dashboard_version}${later}. Get it again and merge your change into git's version, then save.`,
    fields: { gitCommit: [row.commit_sha], gitPath: [row.path], gitVersion: [String(row.dashboard_version)], gitBranch: [row.trunk] },
  };
};
