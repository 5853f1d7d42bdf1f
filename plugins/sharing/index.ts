/**
 * The sharing plugin: dashboards (or whole projects) shared with people beyond their
 * membership. It keeps the grants and answers the kernel's grant question
 * (src/kernel/grants.ts), so the dashboards procedures that declare themselves grantable let
 * a grantee in, to exactly what was shared. Its browser half is `./ui.ts`.
 */
import { definePlugin } from "~/kernel/plugin";
import { sharingCapabilities } from "./capabilities";
import { listHeldGrants, orgsWithGrants, resolveGrant } from "./grants";
import { sharingHttpRoutes } from "./http";
import * as grantsMigration from "./migrations/2026-12-02-001-grants";
import * as linksMigration from "./migrations/2026-12-02-002-public-links";
import * as embedsMigration from "./migrations/2026-12-02-003-embeds";
import * as invitesMigration from "./migrations/2026-12-02-004-invites";
import * as embedViewsMigration from "./migrations/2026-12-02-005-embed-views";
import * as grantsPageMigration from "./migrations/2026-12-11-001-grants-page";
import { sharingRouter } from "./router";

export const sharingPlugin = definePlugin({
  id: "sharing",
  requires: ["dashboards"],
  capabilities: sharingCapabilities,
  migrations: {
    "2026-12-02-001-grants": grantsMigration, "2026-12-02-002-public-links": linksMigration, "2026-12-02-003-embeds": embedsMigration, "2026-12-02-004-invites": invitesMigration, "2026-12-02-005-embed-views": embedViewsMigration,
    "2026-12-11-001-grants-page": grantsPageMigration,
  },
  router: sharingRouter,
  grants: resolveGrant,
  grantsHeld: listHeldGrants,
  grantOrgs: orgsWithGrants,
  http: sharingHttpRoutes,
});
