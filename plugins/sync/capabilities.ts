import { defineCapability } from "~/kernel/capabilities";

/** Denied: never happens to a member (non-members get 404). See synced datasets and the machines that send them. */
export const syncView = defineCapability("sync.view", {
  description: "See the datasets synced into the organization's warehouse and the machines that send them",
  grant: ["owner", "admin", "editor", "viewer"],
});

/** Denied: a viewer's token gets 403 on sending rows or registering a machine. */
export const syncWrite = defineCapability("sync.write", {
  description: "Send rows into the organization's warehouse and register machines that sync",
  grant: ["owner", "admin", "editor"],
});

export const syncCapabilities = [syncView, syncWrite] as const;
