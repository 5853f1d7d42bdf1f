/**
 * The collaboration plugin: people reviewing dashboards together. Comment threads on a dashboard,
 * a chart, or a chart at variable values (Markdown, sanitized; "outdated" once the chart changed),
 * and "reviewed" sign-offs on versions. Its browser half is `./ui.ts`; see README.md.
 */
import { definePlugin } from "~/kernel/plugin";
import { collaborationCapabilities } from "./capabilities";
import "./events";
import { collaborationHttpRoutes } from "./http";
import { emailDigestJob } from "./jobs";
import * as commentsMigration from "./migrations/2026-12-02-001-comments";
import * as notificationsMigration from "./migrations/2026-12-02-002-notifications";
import * as leasesMigration from "./migrations/2026-12-02-003-edit-leases";
import * as presenceMigration from "./migrations/2026-12-02-004-presence";
import * as notificationPagesMigration from "./migrations/2026-12-11-001-notification-pages";
import * as notificationStatisticsMigration from "./migrations/2026-12-12-001-notification-statistics";
import { collaborationRouter } from "./router";

export const collaborationPlugin = definePlugin({
  id: "collaboration",
  requires: ["dashboards"],
  capabilities: collaborationCapabilities,
  migrations: {
    "2026-12-02-001-comments": commentsMigration,
    "2026-12-02-002-notifications": notificationsMigration,
    "2026-12-02-003-edit-leases": leasesMigration,
    "2026-12-02-004-presence": presenceMigration,
    "2026-12-11-001-notification-pages": notificationPagesMigration,
    "2026-12-12-001-notification-statistics": notificationStatisticsMigration,
  },
  router: collaborationRouter,
  jobs: [emailDigestJob],
  http: collaborationHttpRoutes,
});
