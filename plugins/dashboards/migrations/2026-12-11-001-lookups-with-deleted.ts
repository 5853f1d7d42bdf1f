import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// Lookups that also see deleted dashboards, at a cost that does not grow with the project:
// - a dashboard by slug whether or not it is deleted (history, a past version, restoring, git
//   sync's file import): the unique slug index only holds live ones, so such a lookup walked
//   every dashboard of the project;
// - the project's deleted dashboards, most recently deleted first (the "Deleted" list), which
//   likewise had no index and read every live one to find them.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index dashboards_dashboards_project_any_slug_idx on dashboards_dashboards (project_id, slug)`.execute(db);
  await sql`create index dashboards_dashboards_project_deleted_idx on dashboards_dashboards (project_id, deleted_at desc, slug) where deleted_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists dashboards_dashboards_project_deleted_idx`.execute(db);
  await sql`drop index if exists dashboards_dashboards_project_any_slug_idx`.execute(db);
}
