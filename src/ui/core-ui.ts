/**
 * The kernel's own contributions, declared like any plugin's UI half: the Home link, and the
 * organization's and project's own pages (home, overview, settings), which live in the org and
 * project layouts beside the plugins' pages.
 */
import { lazy } from "solid-js";
import { HomeIcon } from "./icons";
import { definePluginUi } from "./plugin-ui";

export const coreUi = definePluginUi({
  id: "core",
  slots: {
    "app.nav": [{ id: "home", label: "Home", href: "/", icon: HomeIcon, order: 0, end: true }],
  },
  pages: [
    // The assistant's first answer (is a model configured) comes with the page.
    // Rendered on the server with its first answers: its header and the assistant's first words are in the HTML.
    { layout: "org", path: "", slots: ["workspace.assistant"], serverRender: true, component: lazy(() => import("./pages/OrgHome")) },
    { layout: "org", path: "settings", breadcrumb: "Settings", component: lazy(() => import("./pages/OrgSettings")) },
    { layout: "project", path: "", component: lazy(() => import("./pages/ProjectOverview")) },
    { layout: "project", path: "settings", breadcrumb: "Settings", component: lazy(() => import("./pages/ProjectSettings")) },
  ],
});
