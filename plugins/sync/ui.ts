/**
 * The sync plugin's browser half: a "Synced datasets" section on the Data page (datasets with
 * their row counts, last sync and machine; the machines and their lag), and "Export for offline"
 * in a dashboard's action rail.
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";
import { syncView } from "./capabilities";

export const syncUi = definePluginUi({
  id: "sync",
  slots: {
    "data.sections": [{ id: "synced-datasets", capability: syncView, component: lazy(() => import("./ui/SyncedDatasets")) }],
    // Anyone who may view the dashboard may take it offline (what they see, nothing more).
    "dashboard.actions": [{ id: "offline-export", order: 80, capability: "dashboard.view", component: lazy(() => import("./ui/OfflineExportButton")) }],
  },
});
