import { defineCapability } from "~/kernel/capabilities";

/** Denied: never happens to a member with default grants (non-members get 404). See dashboards and run them. */
export const dashboardView = defineCapability("dashboard.view", {
  description: "See the project's dashboards and run their queries",
  grant: ["owner", "admin", "editor", "viewer"],
});

/** Denied: the member sees dashboards but gets 403 on creating, changing, duplicating or restoring a version, and on previewing SQL. */
export const dashboardEdit = defineCapability("dashboard.edit", {
  description: "Create and change dashboards, and preview their queries",
  grant: ["owner", "admin", "editor"],
});

/** Denied: the member sees and may edit dashboards but gets 403 on deleting or restoring a deleted one. */
export const dashboardDelete = defineCapability("dashboard.delete", {
  description: "Delete dashboards and restore deleted ones",
  grant: ["owner", "admin", "editor"],
});

export const dashboardsCapabilities = [dashboardView, dashboardEdit, dashboardDelete] as const;
