/**
 * The dashboards plugin's browser half: a "Dashboards" tab on every project, the list, the
 * dashboard view, its YAML and layout editor, its history and the chart builder. Every page
 * loads lazily; CodeMirror, Vega and Vega-Lite load only when a page draws or edits.
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";

export const dashboardsUi = definePluginUi({
  id: "dashboards",
  slots: {
    "project.tabs": [{ id: "dashboards-tab", order: 50, capability: "dashboard.view", component: lazy(() => import("./ui/DashboardsTab")) }],
  },
  pages: [
    { path: "/o/:org/p/:project/dashboards", breadcrumb: "Dashboards", signIn: "required", component: lazy(() => import("./ui/ListPage")) },
    { path: "/o/:org/p/:project/d/:slug", breadcrumb: "Dashboard", signIn: "required", component: lazy(() => import("./ui/ViewPage")) },
    { path: "/o/:org/p/:project/d/:slug/edit", breadcrumb: "Edit", signIn: "required", component: lazy(() => import("./ui/EditorPage")) },
    { path: "/o/:org/p/:project/d/:slug/history", breadcrumb: "History", signIn: "required", component: lazy(() => import("./ui/HistoryPage")) },
    { path: "/o/:org/p/:project/d/:slug/charts/new", breadcrumb: "New chart", signIn: "required", component: lazy(() => import("./ui/ChartBuilderPage")) },
    { path: "/o/:org/p/:project/d/:slug/charts/:chartId", breadcrumb: "Chart", signIn: "required", component: lazy(() => import("./ui/ChartBuilderPage")) },
  ],
});
