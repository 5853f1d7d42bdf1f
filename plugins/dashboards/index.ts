/**
 * The dashboards plugin: dashboards as YAML documents in projects, with version history,
 * optimistic saves (409 on a stale version), soft delete, running their queries through the
 * data plugin's engine, chart SVGs on the server and org-wide search. Its browser half is
 * `./ui.ts`. Other plugins listen to `dashboard.created/updated/deleted` (./events).
 */
import { definePlugin } from "~/kernel/plugin";
import { dashboardsCapabilities } from "./capabilities";
import { dashboardsCli } from "./cli";
import "./events";
import * as dashboardsMigration from "./migrations/2026-12-02-001-dashboards";
import * as boardFormatMigration from "./migrations/2026-12-06-001-board-format";
import * as listsAtScaleMigration from "./migrations/2026-12-07-001-lists-at-scale";
import * as boardSourcesMigration from "./migrations/2026-12-08-001-board-sources";
import * as searchIndexSteadyMigration from "./migrations/2026-12-09-001-search-index-steady";
import * as lookupsWithDeletedMigration from "./migrations/2026-12-11-001-lookups-with-deleted";
import { dashboardsRouter } from "./router";
import { forgetTables } from "./run";

export const dashboardsPlugin = definePlugin({
  id: "dashboards",
  requires: ["data"],
  capabilities: dashboardsCapabilities,
  migrations: {
    "2026-12-02-001-dashboards": dashboardsMigration,
    "2026-12-06-001-board-format": boardFormatMigration,
    "2026-12-07-001-lists-at-scale": listsAtScaleMigration,
    "2026-12-08-001-board-sources": boardSourcesMigration,
    "2026-12-09-001-search-index-steady": searchIndexSteadyMigration,
    "2026-12-11-001-lookups-with-deleted": lookupsWithDeletedMigration,
  },
  router: dashboardsRouter,
  on: {
    // An org's warehouse tables changed (an import, the sample): visual queries compile against the new ones.
    "data.warehouse.changed": (event, kernel) => {
      if (event.orgId) forgetTables(kernel, event.orgId);
    },
  },
  cli: dashboardsCli,
});
