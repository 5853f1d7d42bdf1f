import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// collaboration_notifications: what a person is told about (mentioned in a comment, a reply in a
//   thread they wrote in), read or not, and whether the email digest has carried it yet. A tenant
//   table: row-level security on app.org_id.
// collaboration_mail_preferences: one row per person (all / mentions / off); a person's own
//   setting across orgs, so no org_id.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("collaboration_notifications")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('mention', 'reply')`))
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("dashboard_id", "uuid", (c) => c.notNull().references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("thread_id", "uuid", (c) => c.notNull().references("collaboration_threads.id").onDelete("cascade"))
    .addColumn("comment_id", "uuid", (c) => c.notNull().references("collaboration_comments.id").onDelete("cascade"))
    .addColumn("actor_id", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("read_at", "timestamptz")
    .addColumn("emailed_at", "timestamptz")
    .execute();
  await sql`create index collaboration_notifications_user_idx on collaboration_notifications (user_id, created_at desc)`.execute(db);
  await sql`alter table collaboration_notifications enable row level security`.execute(db);
  await sql`create policy tenant_isolation on collaboration_notifications using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);

  await db.schema
    .createTable("collaboration_mail_preferences")
    .addColumn("user_id", "uuid", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("email", "text", (c) => c.notNull().check(sql`email in ('all', 'mentions', 'off')`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("collaboration_mail_preferences").execute();
  await db.schema.dropTable("collaboration_notifications").execute();
}
