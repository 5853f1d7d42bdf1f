/**
 * The collaboration plugin's kernel events (declaration merging on AtriumEvents), emitted in the
 * transaction that wrote the change. Payloads carry ids; read the rows for the rest.
 */
export {};

declare module "~/kernel/events" {
  interface AtriumEvents {
    /** A comment was written (a new thread when `threadId` is new). */
    "collaboration.comment.added": { dashboardId: string; projectId: string; threadId: string; commentId: string; authorId: string };
    /**
     * A dashboard's edit lease changed hands: taken over from `from` by `by`, handed by `by` to
     * `to`, or released by its holder (`to` null). Open editors of the dashboard listen.
     */
    "collaboration.lease.changed": { dashboardId: string; how: "takeover" | "handoff" | "released"; by: string; from: string | null; to: string | null };
    /** Someone opened or left a dashboard, or switched between viewing and editing it (presence). */
    "collaboration.presence.changed": { dashboardId: string; projectId: string };
    /** A dashboard version was marked as reviewed. */
    "collaboration.review.added": { dashboardId: string; projectId: string; version: number; reviewerId: string };
  }
}
