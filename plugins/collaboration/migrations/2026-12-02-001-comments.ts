import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// collaboration_threads: a conversation on a dashboard, on one chart of it, or on a chart at
//   given variable values; resolved or open.
// collaboration_comments: the thread's comments, each remembering the dashboard version it was
//   written on and a fingerprint of its chart then (to tell "outdated"); deleted ones keep their
//   place without their text.
// collaboration_reads: when a person last read a dashboard's comments (the unread marker).
// collaboration_reviews: "reviewed" sign-offs on a dashboard version.
// All tenant tables: row-level security on app.org_id.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("collaboration_threads")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("dashboard_id", "uuid", (c) => c.notNull().references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("chart_id", "text")
    .addColumn("variables", "jsonb")
    .addColumn("created_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_comment_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("resolved_at", "timestamptz")
    .addColumn("resolved_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .execute();
  await sql`create index collaboration_threads_dashboard_idx on collaboration_threads (dashboard_id, last_comment_at desc)`.execute(db);

  await db.schema
    .createTable("collaboration_comments")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("thread_id", "uuid", (c) => c.notNull().references("collaboration_threads.id").onDelete("cascade"))
    .addColumn("author_id", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("via_agent", "text")
    .addColumn("body", "text", (c) => c.notNull().check(sql`length(body) <= 5000`))
    .addColumn("dashboard_version", "integer", (c) => c.notNull())
    .addColumn("chart_fingerprint", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("edited_at", "timestamptz")
    .addColumn("deleted_at", "timestamptz")
    .execute();
  await sql`create index collaboration_comments_thread_idx on collaboration_comments (thread_id, created_at)`.execute(db);

  await db.schema
    .createTable("collaboration_reads")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("dashboard_id", "uuid", (c) => c.notNull().references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("read_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("collaboration_reads_pkey", ["user_id", "dashboard_id"])
    .execute();

  await db.schema
    .createTable("collaboration_reviews")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("dashboard_id", "uuid", (c) => c.notNull().references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("reviewer_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("via_agent", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("collaboration_reviews_pkey", ["dashboard_id", "version", "reviewer_id"])
    .execute();

  for (const table of ["collaboration_threads", "collaboration_comments", "collaboration_reads", "collaboration_reviews"]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["collaboration_reviews", "collaboration_reads", "collaboration_comments", "collaboration_threads"]) {
    await db.schema.dropTable(table).execute();
  }
}
