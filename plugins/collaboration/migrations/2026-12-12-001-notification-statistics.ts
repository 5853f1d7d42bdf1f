import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// Every read of collaboration_notifications names a person and, through row-level security, an
// org. PostgreSQL multiplied the two as if unrelated: for a person with 100 notifications beside
// another with 100,000 it expected one row, and joined each of a page's 100 rows to a scan of a
// whole table (their comments), where it would look up a row by its key for the page it expects.
// A person's notifications lie in their few orgs: statistics on the pair tell the planner so.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create statistics collaboration_notifications_user_org_stats (dependencies) on user_id, org_id from collaboration_notifications`.execute(db);
  await sql`analyze collaboration_notifications`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop statistics if exists collaboration_notifications_user_org_stats`.execute(db);
}
