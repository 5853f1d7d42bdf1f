import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// collaboration_edit_leases: who edits a dashboard now (one row per dashboard), since when, and
//   until when unless renewed by activity; a lapsed row is free for the next editor.
// collaboration_drafts: a person's unsaved editor text for a dashboard and the version it was
//   based on, kept on the server so it survives a closed tab, a crash or a takeover.
// Both tenant tables: row-level security on app.org_id.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("collaboration_edit_leases")
    .addColumn("dashboard_id", "uuid", (c) => c.primaryKey().references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("holder_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("since", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .execute();
  await sql`alter table collaboration_edit_leases enable row level security`.execute(db);
  await sql`create policy tenant_isolation on collaboration_edit_leases using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);

  await db.schema
    .createTable("collaboration_drafts")
    .addColumn("dashboard_id", "uuid", (c) => c.notNull().references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("yaml", "text", (c) => c.notNull().check(sql`length(yaml) <= 500000`))
    .addColumn("base_version", "integer", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("collaboration_drafts_pkey", ["dashboard_id", "user_id"])
    .execute();
  await sql`alter table collaboration_drafts enable row level security`.execute(db);
  await sql`create policy tenant_isolation on collaboration_drafts using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("collaboration_drafts").execute();
  await db.schema.dropTable("collaboration_edit_leases").execute();
}
