import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// git_sync_branches: each person's work branch in a project's repository (created on their first
//   commit, named after them): its name, the commit they last pushed to it and when.
// Tenant table: row-level security on app.org_id.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("git_sync_branches")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("head_sha", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("committed_at", "timestamptz")
    .addPrimaryKeyConstraint("git_sync_branches_pkey", ["project_id", "user_id"])
    .addUniqueConstraint("git_sync_branches_name_key", ["project_id", "name"])
    .execute();
  await sql`alter table git_sync_branches enable row level security`.execute(db);
  await sql`create policy tenant_isolation on git_sync_branches using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("git_sync_branches").execute();
}
