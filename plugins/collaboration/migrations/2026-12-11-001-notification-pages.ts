import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// A person's notifications a page at a time, newest first with the id breaking ties, and the
// bell's unread count, each on an index in its order: neither reads the person's whole history.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index collaboration_notifications_page_idx on collaboration_notifications (user_id, created_at desc, id desc)`.execute(db);
  await sql`create index collaboration_notifications_unread_idx on collaboration_notifications (user_id, created_at desc) where read_at is null`.execute(db);
  // The page index serves everything this one did.
  await sql`drop index if exists collaboration_notifications_user_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists collaboration_notifications_user_idx on collaboration_notifications (user_id, created_at desc)`.execute(db);
  await sql`drop index if exists collaboration_notifications_unread_idx`.execute(db);
  await sql`drop index if exists collaboration_notifications_page_idx`.execute(db);
}
