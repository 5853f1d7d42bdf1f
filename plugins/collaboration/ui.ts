/**
 * The collaboration plugin's browser half: the comments panel and review status in a dashboard's
 * action rail (with @-completion), open thread counts on chart cards, sign-offs in the history,
 * the notifications bell and page, the comment email setting on the account page, the edit
 * lease in the editor, the activity feed (pages, a project tab, the org home's latest), and the live side of a dashboard (who is here, "Updated by …", new comments).
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";

export const collaborationUi = definePluginUi({
  id: "collaboration",
  slots: {
    "dashboard.actions": [{ id: "comments", order: 50, capability: "dashboard.view", component: lazy(() => import("./ui/CommentsRail")) }],
    "dashboard.banners": [{ id: "live", capability: "dashboard.view", component: lazy(() => import("./ui/LiveDashboard")) }],
    "dashboard.editor.session": [{ id: "edit-lease", capability: "dashboard.edit", component: lazy(() => import("./ui/EditLease")) }],
    "chart.card.badges": [{ id: "thread-count", capability: "dashboard.view", component: lazy(() => import("./ui/ChartThreadCount")) }],
    "dashboard.history.version": [{ id: "reviews", capability: "dashboard.view", component: lazy(() => import("./ui/VersionReviews")) }],
    "app.header": [{ id: "notifications-bell", capability: "org.view", component: lazy(() => import("./ui/NotificationsBell")) }],
    "account.sections": [{ id: "comment-emails", component: lazy(() => import("./ui/MailPreference")) }],
    "org.home.sections": [{ id: "latest-activity", order: 200, capability: "dashboard.view", component: lazy(() => import("./ui/LatestActivity")) }],
    "project.tabs": [{ id: "activity-tab", order: 80, capability: "dashboard.view", component: lazy(() => import("./ui/ActivityTab")) }],
  },
  pages: [
    { layout: "org", path: "notifications", breadcrumb: "Notifications", component: lazy(() => import("./ui/NotificationsPage")) },
    { layout: "org", path: "activity", breadcrumb: "Activity", component: lazy(() => import("./ui/ActivityPage")) },
    { layout: "project", path: "activity", breadcrumb: "Activity", component: lazy(() => import("./ui/ActivityPage")) },
  ],
});
