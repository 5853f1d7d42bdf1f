import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// dashboards_dashboards: one row per dashboard (its current YAML and version); soft-deleted rows
// keep their slug until restored, and a live slug is unique per project.
// dashboards_versions: every saved version, immutable (no update or delete by the app).
// Both are tenant tables: row-level security on app.org_id.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("dashboards_dashboards")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("slug", "text", (c) => c.notNull().check(sql`slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$'`))
    .addColumn("title", "text", (c) => c.notNull().check(sql`length(title) between 1 and 200`))
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("tags", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn("yaml", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().check(sql`version >= 1`))
    .addColumn("created_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("updated_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("deleted_at", "timestamptz")
    .execute();
  await sql`create unique index dashboards_dashboards_project_slug_key on dashboards_dashboards (project_id, slug) where deleted_at is null`.execute(db);
  await sql`create index dashboards_dashboards_org_updated_idx on dashboards_dashboards (org_id, updated_at desc)`.execute(db);
  await sql`create index dashboards_dashboards_tags_idx on dashboards_dashboards using gin (tags)`.execute(db);

  await db.schema
    .createTable("dashboards_versions")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("dashboard_id", "uuid", (c) => c.notNull().references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("yaml", "text", (c) => c.notNull())
    .addColumn("author_id", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("message", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("dashboards_versions_pkey", ["dashboard_id", "version"])
    .execute();

  for (const table of ["dashboards_dashboards", "dashboards_versions"]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
  }
  // Versions are history: the app may add them, never change or remove them.
  await sql`create or replace function dashboards_versions_immutable() returns trigger language plpgsql as $$
    begin raise exception 'dashboard versions are immutable'; end $$`.execute(db);
  await sql`create trigger dashboards_versions_no_update before update on dashboards_versions
    for each row execute function dashboards_versions_immutable()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("dashboards_versions").execute();
  await sql`drop function if exists dashboards_versions_immutable()`.execute(db);
  await db.schema.dropTable("dashboards_dashboards").execute();
}
