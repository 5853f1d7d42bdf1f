import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// dashboards_board_sources: a project's mapping of dbt Charts source names (a board's `source:`,
// the names of dbt_charts.yml's `sources:`) to the org's data sources ('warehouse' or a
// data_sources id). One row per name and project; a tenant table (row-level security on app.org_id).
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("dashboards_board_sources")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull().check(sql`name ~ '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$'`))
    .addColumn("source_id", "text", (c) => c.notNull().check(sql`length(source_id) between 1 and 100`))
    .addColumn("updated_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("dashboards_board_sources_pkey", ["project_id", "name"])
    .execute();
  await sql`create index dashboards_board_sources_org_idx on dashboards_board_sources (org_id)`.execute(db);
  await sql`alter table dashboards_board_sources enable row level security`.execute(db);
  await sql`create policy tenant_isolation on dashboards_board_sources using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("dashboards_board_sources").execute();
}
