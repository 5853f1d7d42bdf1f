import { defineCapability } from "~/kernel/capabilities";

/** Denied: the member sees the dashboard but gets 403 on sharing it, listing who has access, or revoking access. */
export const sharingManage = defineCapability("sharing.manage", {
  description: "Share dashboards with people and see who has access",
  grant: ["owner", "admin", "editor"],
});

export const sharingCapabilities = [sharingManage] as const;
