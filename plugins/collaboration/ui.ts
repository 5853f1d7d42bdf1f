/**
 * The collaboration plugin's browser half: the comments panel and review status in a dashboard's
 * action rail, open thread counts on chart cards, and sign-offs in the history.
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";

export const collaborationUi = definePluginUi({
  id: "collaboration",
  slots: {
    "dashboard.actions": [{ id: "comments", order: 50, capability: "dashboard.view", component: lazy(() => import("./ui/CommentsRail")) }],
    "chart.card.badges": [{ id: "thread-count", capability: "dashboard.view", component: lazy(() => import("./ui/ChartThreadCount")) }],
    "dashboard.history.version": [{ id: "reviews", capability: "dashboard.view", component: lazy(() => import("./ui/VersionReviews")) }],
  },
});
