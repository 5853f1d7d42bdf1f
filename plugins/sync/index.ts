/**
 * The sync plugin: local data into the cloud. Machines (the `atrium` CLI, or any script with a
 * token) send batches of rows into datasets of their org's warehouse over `/api/v1`
 * (./http.ts), idempotently and whole; the datasets are tables the query engine reads, so
 * dashboards chart them. The app lists datasets and machines (./router.ts, the Data tab). A
 * dashboard exports as a folder that draws it offline from `file://` (./offline/).
 */
import { definePlugin } from "~/kernel/plugin";
import { syncCapabilities } from "./capabilities";
import { syncHttpRoutes } from "./http";
import { offlineExportRoute } from "./offline/http";
import * as syncMigration from "./migrations/2026-12-02-001-sync";
import { syncRouter } from "./router";
import { loadSyncSettings } from "./settings";

export const syncPlugin = definePlugin({
  id: "sync",
  requires: ["data"],
  capabilities: syncCapabilities,
  migrations: { "2026-12-02-001-sync": syncMigration },
  router: syncRouter,
  http: [...syncHttpRoutes, offlineExportRoute],
  init() {
    // Fail the boot on a bad variable, naming it, rather than on the first batch.
    loadSyncSettings();
  },
});
