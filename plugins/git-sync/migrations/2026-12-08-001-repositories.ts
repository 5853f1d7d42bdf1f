import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// git_sync_repositories: the repository a project is connected to (one per project): its
//   address (never with credentials), subdirectory, trunk branch, the token encrypted at rest,
//   the trunk commit last imported, why the last background sync failed (if it did), and the problems (path, line, message) of the last sync.
// git_sync_files: per project and path, the dashboard file last imported: its blob and commit,
//   the dashboard it became and the version that import saved (so a dashboard can say which
//   commit it shows, and a sync imports only files whose blob changed).
// Both tenant tables: row-level security on app.org_id.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("git_sync_repositories")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.notNull().unique().references("projects.id").onDelete("cascade"))
    .addColumn("remote_url", "text", (c) => c.notNull())
    .addColumn("subdirectory", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("trunk", "text", (c) => c.notNull())
    .addColumn("credential", "text")
    .addColumn("connected_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("connected_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("trunk_sha", "text")
    .addColumn("synced_at", "timestamptz")
    .addColumn("last_error", "text")
    .addColumn("problems", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("settings", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema
    .createTable("git_sync_files")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("path", "text", (c) => c.notNull())
    .addColumn("slug", "text", (c) => c.notNull())
    .addColumn("blob_sha", "text", (c) => c.notNull())
    .addColumn("commit_sha", "text", (c) => c.notNull())
    .addColumn("dashboard_id", "uuid", (c) => c.references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("dashboard_version", "integer")
    .addColumn("imported_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("git_sync_files_pkey", ["project_id", "path"])
    .execute();
  await sql`create index git_sync_files_dashboard_idx on git_sync_files (dashboard_id)`.execute(db);
  for (const table of ["git_sync_repositories", "git_sync_files"]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("git_sync_files").execute();
  await db.schema.dropTable("git_sync_repositories").execute();
}
