import { defineCapability } from "~/kernel/capabilities";

/** Denied: the member reads a dashboard's comments but gets 403 on writing, editing or deleting one. */
export const commentWrite = defineCapability("collaboration.comment.write", {
  description: "Comment on the dashboards you can see",
  grant: ["owner", "admin", "editor", "viewer"],
});

/** Denied: the member comments but gets 403 on resolving or reopening a thread. */
export const threadResolve = defineCapability("collaboration.thread.resolve", {
  description: "Resolve and reopen comment threads",
  grant: ["owner", "admin", "editor"],
});

/** Denied: the member sees who reviewed a version but gets 403 on marking one as reviewed. */
export const versionReview = defineCapability("collaboration.review", {
  description: "Mark dashboard versions as reviewed",
  grant: ["owner", "admin", "editor"],
});

export const collaborationCapabilities = [commentWrite, threadResolve, versionReview] as const;
