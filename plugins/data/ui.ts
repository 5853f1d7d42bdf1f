/**
 * The data plugin's browser half: a "Data" tab on every project, leading to the data page
 * (sources, CSV upload, sample data, schema browser and SQL console). The warehouse belongs to
 * the organization; the page sits under the project so people find it where they work.
 * Components load lazily, CodeMirror only when the console shows.
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";
import { datasourceView } from "./capabilities";

export const dataUi = definePluginUi({
  id: "data",
  slots: {
    "project.tabs": [{ id: "data-tab", capability: datasourceView, component: lazy(() => import("./ui/DataTab")) }],
  },
  pages: [
    { layout: "project", path: "data", heading: "data", breadcrumb: "Data", component: lazy(() => import("./ui/DataPage")) },
  ],
});
