/**
 * The collaboration plugin's kernel events (declaration merging on AtriumEvents), emitted in the
 * transaction that wrote the change. Payloads carry ids; read the rows for the rest.
 */
export {};

declare module "~/kernel/events" {
  interface AtriumEvents {
    /** A comment was written (a new thread when `threadId` is new). */
    "collaboration.comment.added": { dashboardId: string; projectId: string; threadId: string; commentId: string; authorId: string };
    /** A dashboard version was marked as reviewed. */
    "collaboration.review.added": { dashboardId: string; projectId: string; version: number; reviewerId: string };
  }
}
