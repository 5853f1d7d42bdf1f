/**
 * The dashboards plugin's browser half: a "Dashboards" tab on every project, the list, the
 * dashboard view, its YAML and layout editor, its history and the chart builder. Every page
 * loads lazily; CodeMirror, Vega and Vega-Lite load only when a page draws or edits.
 */
import { lazy } from "solid-js";
import { actionRail, definePluginUi, pageRecord, recordPart } from "~/ui/plugin-ui";
import type { DashboardRecord } from "./ui/api";
// With the app's first stylesheet: the dashboard view is rendered on the server (`serverRender`),
// and its HTML must paint styled, before the page's code loads.
import "./ui/dashboards.css";

/** The dashboard a page is about, by the address's slug. */
const dashboard = pageRecord<DashboardRecord>({
  query: "dashboards.get",
  input: (scope, params) => ({ ...scope, slug: params.slug }),
  name: (record) => record.title,
  // The view draws from the document; the YAML parser loads here, not with the page.
  prepare: async (record) => (record.document ? record : { ...record, document: (await import("./ui/doc")).readDashboard(record.yaml) }),
  preload: () => import("./ui/doc"),
  // The view's banners (live updates, a branch's version, "this dashboard is public") load with it.
  slots: ["dashboard.banners"],
  noun: "dashboard",
  path: "d/:slug",
});

export const dashboardsUi = definePluginUi({
  id: "dashboards",
  slots: {
    "project.tabs": [{ id: "dashboards-tab", order: 50, capability: "dashboard.view", component: lazy(() => import("./ui/DashboardsTab")) }],
    "org.home.sections": [{ id: "recent-dashboards", capability: "dashboard.view", component: lazy(() => import("./ui/RecentDashboards")) }],
  },
  // Pages live in the project layout: the list is a tab of the project; a dashboard's pages
  // have their own header and share its record (the frame loads it, shows "Dashboard not found"
  // and makes the server answer 404 when the caller cannot see it).
  pages: [
    { layout: "project", path: "dashboards", heading: "dashboards", breadcrumb: "Dashboards", component: lazy(() => import("./ui/ListPage")) },
    // dbt Charts source names → the org's data sources, for the project's boards.
    { layout: "project", path: "board-sources", heading: "dbt Charts sources", breadcrumb: "dbt Charts sources", component: lazy(() => import("./ui/BoardSourcesPage")) },
    {
      layout: "project",
      path: "d/:slug",
      header: "own",
      record: dashboard,
      // The assistant's first answer comes with the page (the record's banners' too).
      slots: ["workspace.assistant"],
      actions: actionRail("dashboard.actions", (params) => ({ dashboardSlug: params.slug! })),
      // Its title, notices and the empty cards come in the HTML (the cards fill in the browser).
      serverRender: true,
      component: lazy(() => import("./ui/ViewPage")),
    },
    { layout: "project", path: "d/:slug/edit", header: "own", record: dashboard, breadcrumb: "Edit", component: lazy(() => import("./ui/EditorPage")) },
    { layout: "project", path: "d/:slug/history", header: "own", record: dashboard, breadcrumb: "History", component: lazy(() => import("./ui/HistoryPage")) },
    { layout: "project", path: "d/:slug/charts/new", header: "own", record: dashboard, breadcrumb: "New chart", component: lazy(() => import("./ui/ChartBuilderPage")) },
    {
      layout: "project",
      path: "d/:slug/charts/:chartId",
      header: "own",
      record: dashboard,
      // A chart the dashboard does not have is not found (a link to a removed chart must not start a new one).
      within: recordPart<DashboardRecord>({
        noun: "chart",
        has: (record, params) => (record.document?.charts ?? []).some((chart) => chart.id === params.chartId && chart.type !== "text"),
      }),
      breadcrumb: "Chart",
      component: lazy(() => import("./ui/ChartBuilderPage")),
    },
  ],
});
