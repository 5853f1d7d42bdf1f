import { defineCapability } from "~/kernel/capabilities";

/** Denied: the member sees notes but gets 403 on adding one. */
export const noteWrite = defineCapability("example.note.write", {
  description: "Add notes to the organization's notebook",
  grant: ["owner", "admin", "editor"],
});

/** Denied: never happens to a member; non-members get 404. */
export const noteRead = defineCapability("example.note.read", {
  description: "Read the organization's notes",
  grant: ["owner", "admin", "editor", "viewer"],
});
