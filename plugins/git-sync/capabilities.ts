import { defineCapability } from "~/kernel/capabilities";

/** Denied: never happens to a member with default grants (non-members get 404). See the project's repository, its sync and each dashboard's commit. */
export const gitView = defineCapability("git-sync.view", {
  description: "See the project's repository connection, its last sync and the commit each dashboard came from",
  grant: ["owner", "admin", "editor", "viewer"],
});

/** Denied: the member sees the sync status but gets 403 on syncing. */
export const gitSync = defineCapability("git-sync.sync", {
  description: "Sync the project's dashboards with its repository",
  grant: ["owner", "admin", "editor"],
});

/** Denied: the member syncs but gets 403 on connecting, checking or disconnecting a repository. */
export const gitConnect = defineCapability("git-sync.connect", {
  description: "Connect the project to a git repository, or disconnect it",
  grant: ["owner", "admin"],
});

/** Denied: the member commits to their own work branch but gets 403 on promoting a branch into the trunk. */
export const gitPromote = defineCapability("git-sync.promote", {
  description: "Promote a work branch into the trunk (what the project's viewers see)",
  grant: ["owner", "admin"],
});

export const gitSyncCapabilities = [gitView, gitSync, gitConnect, gitPromote] as const;
