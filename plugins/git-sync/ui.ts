/**
 * Git sync's browser half: a "Git" tab on every project leading to the Git page (the
 * connection form, the trunk's last sync and its problems, Sync now), and, in a dashboard's
 * action rail, the branch and commit the dashboard was imported from.
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";
import { gitView } from "./capabilities";

export const gitSyncUi = definePluginUi({
  id: "git-sync",
  slots: {
    "project.tabs": [{ id: "git-tab", order: 70, capability: gitView, component: lazy(() => import("./ui/GitTab")) }],
    "dashboard.actions": [{ id: "git-origin", order: 10, capability: gitView, component: lazy(() => import("./ui/DashboardOrigin")) }],
    "dashboard.banners": [{ id: "git-branch-view", capability: gitView, component: lazy(() => import("./ui/BranchView")) }],
    "dashboard.editor.conflict": [{ id: "git-stale", order: 10, capability: gitView, component: lazy(() => import("./ui/EditorConflict")) }],
  },
  pages: [{ layout: "project", path: "git", heading: "git", breadcrumb: "Git", component: lazy(() => import("./ui/GitPage")) }],
});
