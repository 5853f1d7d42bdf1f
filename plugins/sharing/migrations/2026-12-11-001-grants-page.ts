import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// "Who has access" lists a project's shares a page at a time, oldest first: an index in that
// order, so a page does not read every share of the project before it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index sharing_grants_project_page_idx on sharing_grants (project_id, created_at, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists sharing_grants_project_page_idx`.execute(db);
}
