/**
 * The dashboards plugin's kernel events (declaration merging on AtriumEvents). Emitted inside
 * the transaction that saved the change, so a listener hears only of committed changes.
 * Payloads carry ids, not documents: read the dashboard if you need its YAML.
 */
export {};

declare module "~/kernel/events" {
  interface AtriumEvents {
    /** A dashboard was created (or duplicated, or imported), or a deleted one restored (`restored: true`). */
    "dashboard.created": { dashboardId: string; projectId: string; slug: string; version: number; actorId: string | null; restored: boolean };
    /** A new version of a dashboard was saved (an edit, or an old version restored). */
    "dashboard.updated": { dashboardId: string; projectId: string; slug: string; version: number; actorId: string | null };
    /** A dashboard was (soft-)deleted. */
    "dashboard.deleted": { dashboardId: string; projectId: string; slug: string; actorId: string | null };
  }
}
