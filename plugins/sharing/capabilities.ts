import { defineCapability } from "~/kernel/capabilities";

/** Denied: the member sees the dashboard but gets 403 on sharing it, listing who has access, or revoking access. */
export const sharingManage = defineCapability("sharing.manage", {
  description: "Share dashboards with people and see who has access",
  grant: ["owner", "admin", "editor"],
});



/** Denied: the member gets 403 on the organization's list of every public link, and on its link settings. */
export const sharingOversee = defineCapability("sharing.oversee", {
  description: "See every public link of the organization and set how long links may live",
  grant: ["owner", "admin"],
});
/** Denied: the member gets 403 on making, rotating or retiring the project's embed keys and on its allowed origins. */
export const sharingEmbedKeys = defineCapability("sharing.embed-keys", {
  description: "Create and rotate a project's embed keys and choose which sites may embed its dashboards",
  grant: ["owner", "admin"],
});
export const sharingCapabilities = [sharingManage, sharingOversee, sharingEmbedKeys] as const;
