import { defineCapability } from "~/kernel/capabilities";

/** Denied: never happens to a member (non-members get 404). See the org's data sources and their tables. */
export const datasourceView = defineCapability("datasource.view", {
  description: "See the organization's data sources and their tables",
  grant: ["owner", "admin", "editor", "viewer"],
});

/** Denied: the member sees the sources but gets 403 on connecting, changing or removing one. */
export const datasourceManage = defineCapability("datasource.manage", {
  description: "Connect, change and remove data sources",
  grant: ["owner", "admin"],
});

/** Denied: the member can query the warehouse but gets 403 on uploading a CSV or loading the sample. */
export const warehouseLoad = defineCapability("warehouse.load", {
  description: "Upload data to the organization's warehouse (CSV files, the sample dataset)",
  grant: ["owner", "admin", "editor"],
});

/** Denied: a viewer reads dashboards but gets 403 on running ad-hoc SQL. */
export const queryRun = defineCapability("query.run", {
  description: "Run read-only SQL queries on the organization's data sources",
  grant: ["owner", "admin", "editor"],
});

export const dataCapabilities = [datasourceView, datasourceManage, warehouseLoad, queryRun] as const;
